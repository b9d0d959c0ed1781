"""Which language a message is written in, from its script, its distinctive letters and its words.

Arabic, Farsi, Pashto and Sorani share one script; each has letters the others rarely use
(Pashto's retroflex letters, Sorani's vowels, Arabic's teh marbuta) and common little words.
Counting both is enough for the short messages people send, and costs microseconds: a general
statistical detector confuses these four on a sentence of three words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from bot.text import script_of, tokenize

_PASHTO = set(map(chr, (0x067C, 0x0689, 0x0693, 0x0696, 0x069A, 0x06AB, 0x06BC, 0x06D0, 0x06CD, 0x0681, 0x0685)))
_SORANI = set(map(chr, (0x06CE, 0x06C6, 0x0695, 0x06B5, 0x06D5, 0x06A4, 0x06BE)))
_PERSIAN = set(map(chr, (0x067E, 0x0686, 0x0698, 0x06AF, 0x06CC, 0x06A9)))
_ARABIC = set(map(chr, (0x0629, 0x064A, 0x0643, 0x0649, 0x0623, 0x0625)))
_FRENCH_LETTERS = set("àâçéèêëîïôûùüÿœ")
# Arabic written in Latin letters uses digits for its own sounds ("3eesh", "7oboob", "ba2a"): such a
# message is neither French nor English, whatever little words it shares with them ("ma" is French).
_ROMANISED = re.compile(r"[a-z]*[235679][a-z]+|[a-z]+[235679][a-z]*")
_NOT_ROMANISED = re.compile(r"\d+(st|nd|rd|th|e|er|re|eme|ieme|h|am|pm|kg|km|mg|ml|x|ans)")


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    confident: bool


def detect(text: str, stopwords: Mapping[str, frozenset[str]], default: str = "en") -> Detection:
    """The most likely language of `text`; `confident` is False for short or mixed messages.

    `stopwords` maps a language code to words that show it, folded: its little words and the
    words only it lists in the knowledge base.
    """
    scripts = Counter(script_of(c) for c in text if c.isalpha())
    scripts.pop("other", None)
    if not scripts:
        return Detection(default, False)
    script, letters = scripts.most_common(1)[0]
    if script == "latin":
        # English names inside another script's sentence ("як отримати Universal Credit") do not
        # make it English: a few letters of another script decide.
        other = next(((s, n) for s, n in scripts.most_common() if s != "latin" and n >= 3), None)
        if other is not None:
            script, letters = other
    if script == "ethiopic":
        return Detection("ti", letters >= 2)
    if script == "cyrillic":
        return Detection("uk", letters >= 4)
    tokens = tokenize(text)
    words = Counter({lang: sum(t in words for t in tokens) for lang, words in stopwords.items()})
    if script == "arabic":
        score = Counter(
            {
                # On a tie the first listed wins: Arabic, the most used of the four here.
                "ar": 1.5 * sum(c in _ARABIC for c in text) + 2 * words["ar"],
                "fa": sum(c in _PERSIAN for c in text) + 2 * words["fa"],
                "ku": 3 * sum(c in _SORANI for c in text) + 2 * words["ku"],
                "ps": 3 * sum(c in _PASHTO for c in text) + 2 * words["ps"],
            }
        )
        (best, top), *rest = score.most_common()
        runner_up = rest[0][1] if rest else 0
        return Detection(best, top > 0 and top >= runner_up + 2)
    if script == "latin":
        if sum(bool(_ROMANISED.fullmatch(t)) and not _NOT_ROMANISED.fullmatch(t) for t in tokens) >= 2:
            return Detection(default, False)
        fr = 2 * words["fr"] + 2 * sum(c in _FRENCH_LETTERS for c in text.lower())
        en = 2 * words["en"]
        if fr > en:
            return Detection("fr", fr >= en + 4)
        return Detection("en", en >= fr + 4)
    return Detection(default, False)
