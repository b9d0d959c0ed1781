"""Answer quality on our held-out questions cannot silently fall (the figures are in the README)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.assistant import Assistant
from bot.events import LONDON
from tests.conftest import NOW

QUESTIONS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "heldout-questions.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def judge(item: dict[str, Any], assistant: Assistant) -> tuple[bool, bool, bool]:
    """(right answer, emergency raised, replied in the asker's language), as ../shared/eval/score.py judges."""
    now = datetime.fromisoformat(item["now"]).astimezone(LONDON) if item.get("now") else NOW
    reply = assistant.respond(item["q"], now)
    expect = item["expect"]
    in_language = reply.language == item.get("reply_lang", reply.language)
    if expect.get("emergency"):
        return reply.emergency, reply.emergency, in_language
    best = None if reply.emergency or not reply.matches else reply.matches[0]
    if expect.get("none"):
        return best is None, reply.emergency, in_language
    if best is None:
        return False, reply.emergency, in_language
    name = best.entry.name.casefold()
    if "name" in expect:
        ok = any(n.casefold() in name for n in expect["name"])
    elif "event" in expect:
        ok = best.entry.kind == "event" and any(n.casefold() in name for n in expect["event"])
    else:
        ok = expect["category"] in best.entry.needs
    return ok, reply.emergency, in_language


def test_held_out_quality_stays_above_the_bar(assistant: Assistant) -> None:
    results = [(item, *judge(item, assistant)) for item in QUESTIONS]
    top1 = sum(ok for _, ok, _, _ in results) / len(results)
    crises = [r for r in results if r[0]["expect"].get("emergency")]
    false_alarms = [r[0]["q"] for r in results if not r[0]["expect"].get("emergency") and r[2]]
    wrong_language = [r[0]["q"] for r in results if not r[3]]
    assert top1 >= 0.90, f"top-1 {top1:.1%}"
    assert sum(r[2] for r in crises) / len(crises) >= 0.90
    assert false_alarms == []
    assert len(wrong_language) <= 3, wrong_language
