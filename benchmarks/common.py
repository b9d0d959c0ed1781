"""What every benchmark shares: paths, the pinned clock, the questions, and percentiles."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.events import LONDON

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
DEV_QUESTIONS = Path("/work/shared/eval/dev-questions.jsonl")
NOW = datetime(2024, 2, 1, 12, 0, tzinfo=LONDON)
"""The bot's clock in every benchmark, as in the tests: the shipped 2024 events are upcoming."""

FALLBACK_QUESTIONS = (
    "I need a solicitor for my asylum appeal",
    "food bank near me",
    "english lessons for beginners",
    "where can I sleep tonight in Norwich",
    "my asylum support payment stopped",
    "I need a doctor",
    "free interpreter",
    "help for refugees in Great Yarmouth",
    "when is the next City of Sanctuary celebration",
    "hello",
)
"""Used only when the development questions are not on this machine (e.g. in CI)."""


def load_questions(path: Path = DEV_QUESTIONS) -> tuple[list[str], str]:
    """The question texts (field "q") and where they came from."""
    if not path.is_file():
        return list(FALLBACK_QUESTIONS), "built-in sample"
    questions = [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return questions, str(path)


def percentile(values: Sequence[float], p: int) -> float:
    """The p-th percentile (1..99), linearly interpolated between samples."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
