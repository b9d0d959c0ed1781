"""The generalisation grid (tests/generalisation.py) holds its floors on the shipped knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, load
from tests.generalisation import score

FLOOR = 0.99


@pytest.fixture(scope="module")
def result() -> dict[tuple[str, str], tuple[int, int]]:
    kb: KnowledgeBase = load(Path(__file__).resolve().parents[1] / "knowledge")
    return score(kb)


@pytest.mark.parametrize("part", ["needs", "names"])
def test_grid_floor(result: dict[tuple[str, str], tuple[int, int]], part: str) -> None:
    right = sum(r for (p, _), (r, _) in result.items() if p == part)
    total = sum(t for (p, _), (_, t) in result.items() if p == part)
    assert total > 100  # the grid is built from the knowledge base: an empty one measures nothing
    assert right / total >= FLOOR, f"{part}: {right}/{total}"
