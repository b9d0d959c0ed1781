"""Score crisis detection on a corpus of messages marked crisis true/false, per language.

    .venv/bin/python tests/score_crisis.py tests/data/crisis-blind-a.jsonl [--show-failures]

A row: {"id", "q", "lang", "crisis": true|false, "topic", "style"}. A message counts as flagged
when the reply is an emergency (a full crisis reply or a safety check), as in `ask --json`.
The tests import `score` to hold the floors; the figures in the README come from this script.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assistant import Assistant  # noqa: E402
from bot.events import LONDON  # noqa: E402
from bot.knowledge import load  # noqa: E402

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)


@dataclass
class Score:
    flagged: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))  # crisis rows by language
    alarms: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))  # calm rows by language
    failures: list[tuple[dict[str, object], bool]] = field(default_factory=list)

    @staticmethod
    def _rate(values: list[bool]) -> float:
        return sum(values) / len(values) if values else float("nan")

    def recall(self, language: str | None = None) -> float:
        rows = self.flagged[language] if language else [v for vs in self.flagged.values() for v in vs]
        return self._rate(rows)

    def false_alarm_rate(self, language: str | None = None) -> float:
        rows = self.alarms[language] if language else [v for vs in self.alarms.values() for v in vs]
        return self._rate(rows)

    def table(self) -> str:
        lines = ["| language | crises flagged | false alarms on hard negatives |", "|---|---|---|"]
        for language in sorted({*self.flagged, *self.alarms}):
            f, a = self.flagged[language], self.alarms[language]
            lines.append(f"| {language} | {sum(f)}/{len(f)} ({self._rate(f):.0%}) | {sum(a)}/{len(a)} |")
        f = [v for vs in self.flagged.values() for v in vs]
        a = [v for vs in self.alarms.values() for v in vs]
        lines.append(f"| all | {sum(f)}/{len(f)} ({self._rate(f):.1%}) | {sum(a)}/{len(a)} ({self._rate(a):.1%}) |")
        return "\n".join(lines)


def read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict[str, object]], assistant: Assistant) -> Score:
    result = Score()
    for row in rows:
        flagged = assistant.respond(str(row["q"]), NOW).emergency
        language = str(row["lang"])
        if row["crisis"]:
            result.flagged[language].append(flagged)
            if not flagged:
                result.failures.append((row, flagged))
        else:
            result.alarms[language].append(flagged)
            if flagged:
                result.failures.append((row, flagged))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    result = score(read(args.corpus), Assistant(load(args.knowledge)))
    if args.show_failures:
        for row, flagged in result.failures:
            what = "FALSE ALARM" if flagged else "MISSED"
            print(f"{what} {row['id']} [{row['lang']} {row.get('topic')} {row.get('style')}] {row['q']}")
    print(result.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
