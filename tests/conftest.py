"""Shared fixtures: the shipped knowledge base, a small fixture one, and editable copies."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.assistant import Assistant
from bot.events import LONDON
from bot.knowledge import KnowledgeBase, load
from bot.schema import Event

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
NOW = datetime(2024, 2, 1, 12, 0, tzinfo=LONDON)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load(KNOWLEDGE)


@pytest.fixture(scope="session")
def assistant(kb: KnowledgeBase) -> Assistant:
    return Assistant(kb)


@pytest.fixture(scope="session")
def mini_kb() -> KnowledgeBase:
    return load(MINI)


@pytest.fixture(scope="session")
def mini(mini_kb: KnowledgeBase) -> Assistant:
    return Assistant(mini_kb)


class Editable:
    """A copy of a knowledge folder that a test may break on purpose."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def replace(self, file: str, old: str, new: str) -> None:
        target = self.path / file
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    def write(self, file: str, text: str) -> None:
        (self.path / file).write_text(text, encoding="utf-8")

    def line_of(self, file: str, needle: str) -> int:
        for number, line in enumerate((self.path / file).read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in {file}")


def make_event(**fields: Any) -> Event:
    """A valid event (a Tuesday café) for tests of dates and calendars; fields override."""
    data: dict[str, Any] = {
        "id": "tuesday-cafe",
        "name": "Tuesday caf\u00e9",
        "organiser": "food-place",
        "description": "Tea and conversation.",
        "start": "2024-01-09 14:00",
        "end": "2024-01-09 16:00",
        "sources": ["https://example.org.uk/cafe"],
        "information_from": "2024-01-01",
        **fields,
    }
    return Event.model_validate(data)


@pytest.fixture
def editable(tmp_path: Path) -> Editable:
    target = tmp_path / "knowledge"
    shutil.copytree(MINI, target)
    return Editable(target)
