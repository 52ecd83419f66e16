# SPDX-License-Identifier: GPL-3.0-or-later
# A thin layer over meson: each target does its own set-up on a fresh machine.
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_FLAGS ?=

.PHONY: all deps test-deps build run check clean

all: build

deps:
	@tools/install-deps.sh build

test-deps:
	@tools/install-deps.sh build test

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_FLAGS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

run: build
	tools/run-vireo.sh $(BUILD) $(ARGS)

check: test-deps
	tools/check.sh $(BUILD) $(ASAN_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
