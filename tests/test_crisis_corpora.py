"""Floors on the crisis corpora already read and fixed (see README, "How well it finds crises").

These guard against regressions only: a corpus that has been read measures nothing new. The
blind figures in the README come from a corpus scored once, before it was read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assistant import Assistant
from tests.score_crisis import read, score

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("corpus", ["crisis-blind-a.jsonl", "crisis-blind-b.jsonl"])
def test_read_crisis_corpora_keep_their_floors(assistant: Assistant, corpus: str) -> None:
    rows = read(DATA / corpus)
    result = score(rows, assistant)
    assert sum(map(len, result.flagged.values())) > 100  # a corpus that lost its rows measures nothing
    assert result.recall() >= 0.98, result.table()
    assert result.false_alarm_rate() <= 0.02, result.table()
