"""Files and folders a test makes read-only, for root too."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only(*paths: Path, already_open: bool = False) -> Iterator[None]:
    """Paths this user cannot write. A mode is enough for a user opening them later; root ignores
    modes, and a file already open stays writable through its descriptor (`already_open`), so then
    chattr +i, which binds root and open files alike (root only, where the file system has it).
    Never use it on SQLite's -shm file, which is mapped in memory: a write to it would kill the process."""
    names = [str(p) for p in paths]
    if os.geteuid() != 0 and not already_open:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    if os.geteuid() != 0 or subprocess.run(["chattr", "+i", *names], capture_output=True).returncode != 0:
        pytest.skip("needs root and chattr +i to make a file read-only for root or for a file already open")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *names], check=True)
