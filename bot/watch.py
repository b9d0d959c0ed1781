"""Noticing that volunteers changed the YAML, and loading it beside the running version."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.assistant import Assistant
from bot.index_cache import remember_good
from bot.knowledge import Problem, check

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
    """Name, modification time and size of every YAML file: cheap to take every few seconds. A ".yml"
    file counts too: it is not read, and the reload says so."""
    found = []
    for path in sorted(directory.glob("*.y*ml")):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed between glob and stat
            continue
        found.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


async def load_beside(directory: Path) -> tuple[Assistant | None, list[Problem]]:
    """A complete new Assistant (knowledge base and index), built off the event loop; None if invalid."""

    def build() -> tuple[Assistant | None, list[Problem]]:
        kb, problems = check(directory)
        if kb is None:
            return None, problems
        remember_good(directory, kb)  # the version to start on if a file is broken at the next start
        return Assistant(kb), problems

    return await asyncio.to_thread(build)
