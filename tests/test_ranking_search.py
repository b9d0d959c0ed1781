"""The best-first search returns exactly what scoring every candidate would, only faster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from bot.assistant import Assistant
from bot.knowledge import load
from bot.matching import Index
from tests.conftest import NOW

DATA = Path(__file__).parent / "data"
QUESTIONS = [
    json.loads(line)["q"]
    for line in (DATA / "heldout-questions.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
EVERY_QUESTION = [
    json.loads(line)["q"]
    for path in sorted(DATA.glob("*questions*.jsonl"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def same_top(index: Index, question: str, k: int = 4) -> None:
    u = index.understand(question, NOW)
    fast = [(m.entry.id, m.score) for m in index.best_matches(u, NOW, k)]
    full = [(m.entry.id, m.score) for m in index.score_all(u, NOW)[:k]]
    assert fast == full, question


def test_on_the_shipped_knowledge_base(assistant: Assistant) -> None:
    # Every question set: an entry whose name echoes the question once ranked differently here.
    assert len(EVERY_QUESTION) > 2000
    for question in EVERY_QUESTION:
        same_top(assistant.index, question)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Index:
    directory = tmp_path_factory.mktemp("synthetic")
    generate(directory, 600)
    return Index(load(directory))


def test_on_a_larger_synthetic_knowledge_base(synthetic: Index) -> None:
    for question in QUESTIONS[:150]:
        same_top(synthetic, question)
