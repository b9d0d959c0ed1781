"""Measure what anonymising keeps: names removed (listed and held out), words of real questions kept.

    .venv/bin/python tests/score_anonymise.py [--show]

Held-out names are given names that are NOT on bot/given_names.py's list (checked below), so the
figures show what the rest of the mechanism (the allow-list of listed and everyday words, and
capitals inside a sentence) does for names nobody thought of. Each is written in lower case, the
worst case, inside a sentence of its script. Words kept are measured on the out-of-scope questions
of the question sets (what unanswered questions look like: recipes, the weather, football).
The tests import `measure` to hold the floors; the figures in the README come from this script.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.anonymise import NAMES, PLACEHOLDER, Vocabulary, anonymise, vocabulary  # noqa: E402
from bot.assistant import Assistant  # noqa: E402
from bot.events import LONDON  # noqa: E402
from bot.given_names import GIVEN_NAMES  # noqa: E402
from bot.index_cache import cached_index  # noqa: E402
from bot.knowledge import load  # noqa: E402
from bot.text import tokenize  # noqa: E402
from bot.unanswered import harm_words  # noqa: E402

HELD_OUT = {
    "latin": (
        "zubair nawaz farrukh shukri jibril mariama ousmane mamadou aboubacar kwame chinedu emeka tendai sergio "
        "pablo giulia dorota agnieszka wojciech tomasz bartosz lukas elif emine hatice murat yilmaz seda dilnoza "
        "timur rustam zarina aigerim nurlan kofi abena thabo sipho lerato grace rose lily ruby daisy mark dawn joy"
    ),
    "arabic": (
        "زبير شكري جبريل أسامة بشرى وفاء سهى غادة ثامر معاذ أنس براء تسنيم رغد شهد جود لجين ميار يمان مهند قصي "
        "ريان هيثم عمار باسل وسام رهف آلاء إسراء دعاء کوروش سپیده مرجان بیژن هومن ڕێزان هەڤاڵ"
    ),
    "cyrillic": (
        "богдана ярослава мирослава зіновій любомир соломія устина орест всеволод злата ростислав святослав "
        "мілана зоряна левко захар тимофій матвій єва"
    ),
    "ethiopic": "ሙሴ ኤልሳ ሳምሶን ኣስመሮም ፍረወይኒ ሉላ ሓጎስ ግርማይ ዮሴፍ ኣብራሃም ሚሊዮን ትምኒት ሳሮን ዓወት ኪሮስ",
}
SENTENCES = {
    "latin": "i need help for my friend {name} with a bike",
    "arabic": "صديقي {name} يحتاج مساعدة",
    "cyrillic": "мій друг {name} шукає роботу",
    "ethiopic": "ዓርከይ {name} ሓገዝ የድልዮ",
}
QUESTION_SETS = ("heldout-questions.jsonl", "blind-questions-a.jsonl")  # set B stays unread
CRISIS_SETS = ("crisis-blind-a.jsonl", "crisis-blind-c.jsonl", "crisis-blind-d.jsonl")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)


@dataclass(frozen=True)
class Measure:
    held_out_removed: dict[str, tuple[int, int]]  # script -> (removed, total)
    listed_removed: tuple[int, int]
    words_kept: tuple[int, int]  # out-of-scope questions: words kept, words in all
    kept_names: dict[str, list[str]]
    lost_words: list[str]

    @staticmethod
    def share(pair: tuple[int, int]) -> float:
        return pair[0] / pair[1] if pair[1] else float("nan")


def rows(names: tuple[str, ...]) -> list[dict[str, object]]:
    found = []
    for name in names:
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            found.append(json.loads(line, strict=False))
    return found


def out_of_scope_questions() -> list[str]:
    return [str(row["q"]) for row in rows(QUESTION_SETS) if (row.get("expect") or {}).get("none")]  # type: ignore[union-attr]


@dataclass(frozen=True)
class Net:
    missed: int  # crisis messages the detector missed that got no answer: they would be kept
    withheld: int  # of those, withheld by the wider net of harm words
    unanswered: int  # questions of the question sets that got no answer
    unanswered_withheld: int  # of those, withheld by the net (lost to the volunteers)


def measure_net(assistant: Assistant) -> Net:
    """What the wider net (any word of harm) adds to the detector, and what it costs."""

    def unanswered(text: str) -> bool:
        reply = assistant.respond(text, NOW)
        return reply.unanswered and not reply.emergency and not assistant.in_danger(text)

    missed = [str(r["q"]) for r in rows(CRISIS_SETS) if r.get("crisis") and unanswered(str(r["q"]))]
    asked = [str(r["q"]) for r in rows(QUESTION_SETS) if unanswered(str(r["q"]))]
    index = assistant.index
    return Net(
        len(missed),
        sum(harm_words(index, q) for q in missed),
        len(asked),
        sum(harm_words(index, q) for q in asked),
    )


def measure(words: Vocabulary) -> Measure:
    assert not NAMES & {t for names in HELD_OUT.values() for t in tokenize(names)}, "a held-out name is listed"
    removed: dict[str, tuple[int, int]] = {}
    kept_names: dict[str, list[str]] = {}
    for script, names in HELD_OUT.items():
        kept_names[script] = [n for n in names.split() if n in anonymise(SENTENCES[script].format(name=n), words)]
        removed[script] = (len(names.split()) - len(kept_names[script]), len(names.split()))
    listed = [n for n in GIVEN_NAMES if n not in anonymise(f"with {n.lower()} today", words)]
    kept, total, lost = 0, 0, []
    for question in out_of_scope_questions():
        clean = anonymise(question, words)
        for word in question.split():
            if any(c.isdigit() for c in word):
                continue  # numbers are removed on purpose
            total += 1
            if word.strip("?!.,") in PLACEHOLDER.sub(" ", clean).split() or word in clean:
                kept += 1
            else:
                lost.append(word)
    return Measure(removed, (len(listed), len(GIVEN_NAMES)), (kept, total), kept_names, lost)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the names kept and the words lost")
    args = parser.parse_args()
    kb = load(ROOT / "knowledge")
    index = cached_index(kb)
    result = measure(vocabulary(index))
    for script, pair in result.held_out_removed.items():
        print(f"held-out names removed, {script:9}: {pair[0]:3d} of {pair[1]:3d} ({Measure.share(pair):.0%})")
    pair = result.listed_removed
    print(f"listed names removed:              {pair[0]:3d} of {pair[1]:3d} ({Measure.share(pair):.0%})")
    pair = result.words_kept
    print(f"words of out-of-scope questions kept: {pair[0]} of {pair[1]} ({Measure.share(pair):.0%})")
    net = measure_net(Assistant(kb, index))
    print(f"crisis messages the detector missed (corpora A, C, D): {net.missed}, withheld by the net: {net.withheld}")
    print(
        f"unanswered questions of the question sets: {net.unanswered}, withheld by the net: {net.unanswered_withheld}"
    )
    if args.show:
        print("names kept:", json.dumps(result.kept_names, ensure_ascii=False))
        print("words lost:", " ".join(result.lost_words))


if __name__ == "__main__":
    main()
