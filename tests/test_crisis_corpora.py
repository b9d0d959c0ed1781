"""Floors on the crisis corpora already read and fixed (see README, "How well it finds crises").

These guard against regressions only: a corpus that has been read measures nothing new. The
blind figures in the README come from a corpus scored once, before it was read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.assistant import Assistant
from tests.score_crisis import read, score

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("corpus", "false_alarms", "recall"),
    [
        ("crisis-blind-a.jsonl", 0.02, 0.98),
        ("crisis-blind-b.jsonl", 0.02, 0.98),
        # Read and fixed on 2026-12-06 (blind: F 80% / 10%, G 86% / 16%, H below); their hard negatives
        # (idioms, films, a past told calmly) keep a few alarms that would cost real crises to remove.
        ("crisis-blind-f.jsonl", 0.05, 0.98),
        ("crisis-blind-g.jsonl", 0.06, 0.98),
        ("crisis-blind-h.jsonl", 0.07, 0.98),  # blind: 82.5% / 16.2%
        # Read on 2026-12-06 (next session); only some of their kinds fixed, so lower floors.
        ("crisis-blind-i.jsonl", 0.02, 0.93),  # blind: 86.2% / 10.0%
        ("crisis-blind-j.jsonl", 0.14, 0.90),  # blind: 70.0% / 38.8%
    ],
)
def test_read_crisis_corpora_keep_their_floors(
    assistant: Assistant, corpus: str, false_alarms: float, recall: float
) -> None:
    rows = read(DATA / corpus)
    result = score(rows, assistant)
    assert sum(map(len, result.flagged.values())) >= 80  # a corpus that lost its rows measures nothing
    assert result.recall() >= recall, result.table()
    assert result.false_alarm_rate() <= false_alarms, result.table()
