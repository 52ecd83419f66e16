#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A wrong password leaves the connection disconnected with the reason."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vireo_ui as V  # noqa: E402
from test_auth import test_wrong_password  # noqa: E402

if __name__ == "__main__":
    V.run_test(test_wrong_password)
