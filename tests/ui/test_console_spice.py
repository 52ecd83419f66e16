#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The console window shows a VM with SPICE graphics (builtin backend, real
QEMU under TCG) through the SPICE widget, one socket per channel."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_console import test_spice  # noqa: E402

if __name__ == "__main__":
    V.run_test(test_spice)
