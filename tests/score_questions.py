"""Score answers on a question file (../shared/eval format) by language group, in process.

    .venv/bin/python tests/score_questions.py tests/data/blind-questions-a.jsonl [--show-failures]

Judged as ../shared/eval/score.py judges: the first match serves the expected need, or is the
organisation expected; a crisis must be flagged; an off-topic question gets no match; any other
question flagged as a crisis is a false alarm. The tests import `judge` and `by_group`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assistant import Assistant  # noqa: E402
from bot.events import LONDON  # noqa: E402
from bot.knowledge import load  # noqa: E402

NOW = datetime.now(LONDON)  # as ../shared/eval/score.py, which runs `ask` without --now
GROUPS = {"en": "English", "ar": "Arabic script", "fa": "Arabic script", "ps": "Arabic script", "ku": "Arabic script"}
GROUPS |= {"uk": "Ukrainian", "fr": "French", "ti": "Tigrinya"}


def judge(item: dict[str, Any], assistant: Assistant) -> tuple[bool, bool, bool, str]:
    """(right answer, emergency raised, replied in the asker's language, what the bot answered)."""
    now = datetime.fromisoformat(item["now"]).astimezone(LONDON) if item.get("now") else NOW
    reply = assistant.respond(item["q"], now)
    expect = item["expect"]
    in_language = reply.language == item.get("reply_lang", reply.language)
    shown = reply.matches[0].entry.name if reply.matches else "(no match)"
    if expect.get("emergency"):
        return reply.emergency, reply.emergency, in_language, shown
    best = None if reply.emergency or not reply.matches else reply.matches[0]
    if expect.get("none"):
        return best is None, reply.emergency, in_language, shown
    if best is None:
        return False, reply.emergency, in_language, "emergency" if reply.emergency else shown
    name = best.entry.name.casefold()
    if "name" in expect:
        ok = any(n.casefold() in name for n in expect["name"])
    elif "event" in expect:
        ok = best.entry.kind == "event" and any(n.casefold() in name for n in expect["event"])
    else:
        ok = expect["category"] in best.entry.needs
    return ok, reply.emergency, in_language, f"{best.entry.name} {list(best.entry.needs)}"


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def by_group(items: list[dict[str, Any]], assistant: Assistant) -> dict[str, list[bool]]:
    results: dict[str, list[bool]] = defaultdict(list)
    for item in items:
        ok = judge(item, assistant)[0]
        results[GROUPS.get(item.get("lang", "en"), "other")].append(ok)
        results["all"].append(ok)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    assistant = Assistant(load(args.knowledge))
    items = read(args.questions)
    groups: dict[str, list[bool]] = defaultdict(list)
    alarms = 0
    for item in items:
        ok, emergency, _, shown = judge(item, assistant)
        groups[GROUPS.get(item.get("lang", "en"), "other")].append(ok)
        groups["all"].append(ok)
        alarms += emergency and not item["expect"].get("emergency")
        if args.show_failures and not ok:
            print(
                f"FAIL {item['id']} [{item.get('lang')} {item.get('kind', '')}] {item['q']!r}: "
                f"expected {item['expect']}, got {shown}"
            )
    print("| group | top-1 |\n|---|---|")
    for group, values in sorted(groups.items(), key=lambda kv: kv[0] == "all"):
        print(f"| {group} | {sum(values)}/{len(values)} ({sum(values) / len(values):.1%}) |")
    print(f"false crisis alarms: {alarms}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
