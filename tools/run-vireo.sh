#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the app from the build tree (no install needed). The build directory
# may be given relative to the current one or absolute.
set -euo pipefail
build=${1:-build}; shift || true
build=$(cd "$build" && pwd)
export GSETTINGS_SCHEMA_DIR="$build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
exec "$build/src/ui/vireo" "$@"
