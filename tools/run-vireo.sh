#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the app from the build tree (no install needed).
set -euo pipefail
build=${1:-build}; shift || true
export GSETTINGS_SCHEMA_DIR="$PWD/$build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
exec "$build/src/ui/vireo" "$@"
