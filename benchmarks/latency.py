"""Answer latency: Assistant.respond per question, beside the naive way (fuzzy-match every entry's text)."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from benchmarks.common import NOW, percentile
from bot.assistant import Assistant
from bot.knowledge import load
from bot.schema import Entry
from bot.text import tokenize


def entry_text(entry: Entry) -> str:
    """Every piece of text in an entry, as one string: what a naive bot would search."""
    return " ".join(_strings(entry.model_dump(mode="json")))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def measure(label: str, directory: Path, questions: list[str], passes: int) -> dict[str, Any]:
    """p50 and p99 in ms over `passes` warm passes of the questions, indexed and naive, interleaved."""
    assistant = Assistant(load(directory))
    entries = assistant.index.entries
    texts = [entry_text(e) for e in entries]
    for question in questions:  # warm-up: caches, lazy imports, translations
        assistant.respond(question, NOW)
        process.extractOne(question, texts, scorer=fuzz.WRatio)
    indexed: list[float] = []
    naive: list[float] = []
    gc.collect()
    for _ in range(passes):
        for question in questions:
            start = time.perf_counter_ns()
            assistant.respond(question, NOW)
            middle = time.perf_counter_ns()
            process.extractOne(question, texts, scorer=fuzz.WRatio)
            end = time.perf_counter_ns()
            indexed.append((middle - start) / 1e6)
            naive.append((end - middle) / 1e6)
    # The crisis check's own share of an answer: the same questions, already tokenised.
    tokens = [tokenize(q) for q in questions]
    crisis: list[float] = []
    for _ in range(passes):
        for words in tokens:
            start = time.perf_counter_ns()
            assistant.index.crisis.assess(words)
            crisis.append((time.perf_counter_ns() - start) / 1e6)
    return {
        "kb": label,
        "organisations": len(assistant.kb.organisations),
        "entries": len(entries),
        "questions": len(questions),
        "passes": passes,
        "samples": len(indexed),
        "index_p50_ms": round(percentile(indexed, 50), 3),
        "index_p99_ms": round(percentile(indexed, 99), 3),
        "naive_p50_ms": round(percentile(naive, 50), 3),
        "naive_p99_ms": round(percentile(naive, 99), 3),
        "crisis_p50_ms": round(percentile(crisis, 50), 4),
        "crisis_p99_ms": round(percentile(crisis, 99), 4),
    }
