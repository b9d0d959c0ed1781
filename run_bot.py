#!/usr/bin/env python3
"""Sanctuary Bot's front door: `python run_bot.py --help` lists what it can do."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
