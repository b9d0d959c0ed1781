"""Making an unanswered question safe to keep: contacts, numbers and people's names removed.

Volunteers learn what people ask that the bot cannot answer; they must never learn who asked.
Names are found by cue ("my name is ...") and, in Latin script, as capitalised words inside a
sentence that are not places or organisations the bot knows. Scripts without capitals (Arabic,
Ge'ez) can only be cleaned by cue: the README says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.text import fold

EMAIL = re.compile(r"\S+@\S+\.\S+")
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE = re.compile(r"@\w{3,}")
PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
DIGITS = re.compile(r"\d{3,}")
NAME_CUE = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|call me|this is|je m'appelle|mon nom est|"
    r"\u0627\u0633\u0645\u064a|\u0645\u0646 \u0627\u0633\u0645\u0645|"  # Arabic ismi, Farsi man esmam
    r"\u043c\u0435\u043d\u0435 \u0437\u0432\u0430\u0442\u0438)"  # Ukrainian mene zvaty
    r"\s+((?:\S+\s*){1,2})",
    re.IGNORECASE,
)
CAPITALISED = re.compile(r"(?<=[a-z,;:]\s)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def anonymise(text: str, known_words: Iterable[str] = ()) -> str:
    """The question with contacts, numbers and names replaced by placeholders."""
    known = {fold(w) for w in known_words}
    text = EMAIL.sub("<email>", text)
    text = URL.sub("<link>", text)
    text = HANDLE.sub("<name>", text)
    text = PHONE.sub("<phone>", text)
    text = DIGITS.sub("<number>", text)
    text = NAME_CUE.sub(lambda m: f"{m.group(1)} <name> ", text)

    def name_or_known(match: re.Match[str]) -> str:
        words = match.group(0).split()
        return match.group(0) if all(fold(w) in known for w in words) else "<name>"

    text = CAPITALISED.sub(name_or_known, text)
    return re.sub(r"\s+", " ", text).strip()
