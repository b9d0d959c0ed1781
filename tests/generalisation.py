"""The generalisation grid: questions built from the knowledge base itself, so it grows with it.

    .venv/bin/python tests/generalisation.py [--show-failures]

Two parts:
- needs: every word listed for a need, in every language, put in that language's sentence frames
  ("I need X in T", "where can I get X", "X T", "please help I need X") with a town served; the first
  answer must serve the need (or, for the emergency need, the reply may be the crisis reply).
- names: every organisation's and helpline's name and aliases, in every script, typed with one
  typo; the first answer must be that entry (or one sharing the alias).

Which frame and town a word gets rotates through the lists, so every frame and town is used
without multiplying the grid. The frames are written per language, not taken from the word lists.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assistant import Assistant  # noqa: E402
from bot.events import LONDON  # noqa: E402
from bot.knowledge import KnowledgeBase, load  # noqa: E402
from bot.text import token_script, tokenize  # noqa: E402

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)

FRAMES: dict[str, tuple[str, ...]] = {
    "en": ("I need {x} in {t}", "where can I get {x}", "{x} {t}", "please help I need {x}"),
    "ar": ("احتاج {x} في {t}", "وين بلاقي {x}", "{x} {t}", "ساعدوني من فضلكم بدي {x}"),
    "fa": ("در {t} به {x} نیاز دارم", "کجا میتونم {x} پیدا کنم", "{x} {t}", "لطفا کمکم کنید {x} میخوام"),
    "ps": ("په {t} کې {x} ته اړتیا لرم", "{x} چیرته پیدا کولی شم", "{x} {t}", "مهرباني وکړئ مرسته وکړئ {x} غواړم"),
    "ku": ("لە {t} پێویستیم بە {x} هەیە", "لە کوێ {x} دەست دەکەوێت", "{x} {t}", "تکایە یارمەتیم بدەن، {x} دەوێت"),
    "uk": ("Потрібно {x} у {t}", "Де можна отримати {x}", "{x} {t}", "Допоможіть будь ласка, потрібно {x}"),
    "ti": ("ኣብ {t} {x} የድልየኒ", "{x} ኣበይ ይርከብ", "{x} {t}", "በጃኹም ሓግዙኒ {x} የድልየኒ"),
    "fr": ("j'ai besoin de {x} à {t}", "où trouver {x}", "{x} {t}", "aidez-moi svp j'ai besoin de {x}"),
}
"""Sentence frames per language. "translit" words (Arabizi, Finglish) go into the English frames."""

SCRIPT_OF = {"en": "latin", "fr": "latin", "translit": "latin", "uk": "cyrillic", "ti": "ethiopic"}
TOWNS = ("norwich", "great-yarmouth", "kings-lynn", "thetford", "dereham", "diss", "wymondham", "cromer")


@dataclass(frozen=True, slots=True)
class Case:
    part: str  # "needs" or "names"
    language: str
    question: str
    expected: frozenset[str]  # needs (part "needs") or entry ids (part "names")


def _town_names(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Each script's way of writing each town (the place's name, then its aliases in that script)."""
    names: dict[str, list[str]] = defaultdict(list)
    for place in kb.places:
        if place.id not in TOWNS:
            continue
        for script in ("latin", "arabic", "cyrillic", "ethiopic"):
            found = [x for x in (place.name, *place.aliases) if token_script(tokenize(x)[0]) == script]
            if found:
                names[script].append(found[0])
    return names


def need_cases(kb: KnowledgeBase) -> Iterator[Case]:
    towns = _town_names(kb)
    listed_for: dict[tuple[str, str], set[str]] = defaultdict(set)  # (language, word) -> needs
    for need in kb.needs:
        for language, words in need.words.items():
            for word in words:
                listed_for[(language, word.rstrip("*"))].add(need.id)
    for turn, ((language, word), needs) in enumerate(sorted(listed_for.items())):
        frames = FRAMES.get(language, FRAMES["en"])
        script = "arabic" if language in ("ar", "fa", "ps", "ku") else SCRIPT_OF[language]
        frame = frames[turn % len(frames)]
        town_list = towns.get(script) or towns["latin"]
        town = town_list[turn % len(town_list)]
        yield Case("needs", language, frame.format(x=word, t=town), frozenset(needs))


def _typo(text: str) -> str:
    """One typo in the longest word: two neighbouring letters swapped (or a letter doubled)."""
    words = text.split()
    i = max(range(len(words)), key=lambda n: len(words[n]))
    w = words[i]
    if len(w) < 5:
        return text
    k = len(w) // 2
    words[i] = w[: k - 1] + w[k] + w[k - 1] + w[k + 1 :] if w[k] != w[k - 1] else w[:k] + w[k] + w[k:]
    return " ".join(words)


def name_cases(kb: KnowledgeBase) -> Iterator[Case]:
    holders: dict[str, set[str]] = defaultdict(set)
    for entry in (*kb.organisations, *kb.helplines):
        for name in (entry.name, *entry.aliases, *entry.name_translations.values()):
            holders[name.casefold()].add(entry.id)
    for entry in (*kb.organisations, *kb.helplines):
        for name in dict.fromkeys((entry.name, *entry.aliases, *entry.name_translations.values())):
            if any(c.isdigit() for c in name):
                continue  # phone numbers are not typed with typos
            tokens = tokenize(name)
            script = token_script(tokens[0]) if tokens else "latin"
            language = {"arabic": "ar", "cyrillic": "uk", "ethiopic": "ti"}.get(script, "en")
            yield Case("names", language, _typo(name), frozenset(holders[name.casefold()]))


def judge(assistant: Assistant, case: Case) -> bool:
    reply = assistant.respond(case.question, NOW)
    if reply.emergency and not reply.safety_check:
        # The crisis reply puts 999 and the emergency lines first: right for the emergency need,
        # and for the name of a line that serves it ("ambulance" typed "ambluance").
        if case.part == "names":
            return any("emergency" in e.needs for e in assistant.kb.helplines if e.id in case.expected)
        return "emergency" in case.expected
    first = reply.matches[0].entry if reply.matches else None
    if first is None:
        return False
    if case.part == "names":
        return first.id in case.expected
    return bool(case.expected.intersection(first.needs))


def score(kb: KnowledgeBase, show: bool = False) -> dict[tuple[str, str], tuple[int, int]]:
    """(part, language) -> (right, total)."""
    assistant = Assistant(kb)
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for case in (*need_cases(kb), *name_cases(kb)):
        ok = judge(assistant, case)
        cell = tally[(case.part, case.language)]
        cell[0] += ok
        cell[1] += 1
        if show and not ok:
            reply = assistant.respond(case.question, NOW)
            got = reply.matches[0].entry.id if reply.matches else ("crisis" if reply.emergency else "none")
            print(f"FAIL {case.part} {case.language} {case.question!r}: want {sorted(case.expected)}, got {got}")
    return {key: (right, total) for key, (right, total) in tally.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    result = score(load(args.knowledge), args.show_failures)
    print("| part | language | right |\n|---|---|---|")
    for (part, language), (right, total) in sorted(result.items()):
        print(f"| {part} | {language} | {right}/{total} ({100 * right / total:.1f}%) |")
    for part in ("needs", "names"):
        right = sum(r for (p, _), (r, _) in result.items() if p == part)
        total = sum(t for (p, _), (_, t) in result.items() if p == part)
        print(f"| {part} | all | {right}/{total} ({100 * right / total:.1f}%) |")


if __name__ == "__main__":
    main()
