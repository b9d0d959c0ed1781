"""Making an unanswered question safe to keep: only words everyone uses survive.

Volunteers learn what people ask that the bot cannot answer; they must never learn who asked. Names
cannot be recognised reliably in every script (Arabic and Ge'ez have no capitals, and people write
names in lower case), so the rule is the other way round: a word is kept only when it is a word the
knowledge base lists (needs, places, organisations, conversation words) or one of a language's
5,000 most frequent words, and it is not a given name (bot/given_names.py). Everything else becomes a
placeholder. Before that, contacts, UK postcodes, dates and every number are replaced, and the one
or two words after "my name is" and its equivalents. README "What people could not find, privately"
gives the measured share of names removed and of words kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.common_words import WORDFREQ_LANGUAGES, common_words
from bot.given_names import GIVEN_NAMES
from bot.matching import Index
from bot.text import fold, token_script, tokenize

EVERYDAY_TOP = 5_000
"""A language's most frequent words that are kept: at 25,000, 33 of 55 common given names in Latin
letters survived (and every Cyrillic one); at 5,000, 12 (all of them on the names list)."""

EMAIL = re.compile(r"\S+@\S+\.\S+")
URL = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|org|uk|net|info|gov)\b\S*", re.IGNORECASE)
HANDLE = re.compile(r"@\w{3,}")
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
DATE = re.compile(r"\b\d{1,4}\s*[./-]\s*\d{1,2}(?:\s*[./-]\s*\d{1,4})?\b")
PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
OUTWARD_CODE = re.compile(r"^[a-z]{1,2}[0-9][a-z0-9]?$")  # "NR1", "nr30": the first half of a postcode
NAME_CUE = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|je m'appelle|je m\u2019appelle|mon nom est|"
    r"\u0627\u0633\u0645\u064a|\u0645\u0646 \u0627\u0633\u0645\u0645|"  # Arabic ismi, Farsi man esmam
    r"\u0627\u0633\u0645\u0645|\u0646\u0627\u0645\u0645|"  # Farsi esmam, namam
    r"\u043c\u0435\u043d\u0435 \u0437\u0432\u0430\u0442\u0438|"  # Ukrainian mene zvaty
    r"\u043c\u0435\u043d\u044f \u0437\u043e\u0432\u0443\u0442|"  # Russian menya zovut
    r"\u0645\u0627 \u0646\u0648\u0645|\u0646\u0627\u0648\u0645"  # Pashto zma num, Sorani nawm
    r")\s+((?:[^\s<]+\s*){1,2})",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"<(?:email|link|name|phone|postcode|date|number|word)>")
_LETTER = r"(?:[^\W_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u135d-\u135f\u200c\u200d])"
"""A letter or digit, or a mark or joiner inside a word (Arabic vowel marks, the Persian half space)."""
WORD = re.compile(rf"{_LETTER}+(?:['\u2019]{_LETTER}+)*")
PIECE = re.compile(rf"{PLACEHOLDER.pattern}|{WORD.pattern}|.", re.DOTALL)
SENTENCE_END = re.compile(r"[.!?\n\u061f\u06d4\u1362]")


@dataclass(frozen=True)
class Vocabulary:
    """The words an anonymised question may keep.

    `known`: the knowledge base's own words (listed words, places, organisations): kept even when
    capitalised inside a sentence. `everyday`: frequent words, kept when written in lower case or at
    the start of a sentence. `months`: month names, removed next to a number (a date)."""

    known: frozenset[str] = frozenset()
    everyday: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()

    def keeps(self, word: str, capitalised_inside_a_sentence: bool) -> bool:
        tokens = tokenize(word)
        if not tokens or any(map(is_name, tokens)):
            return False
        allowed = self.known if capitalised_inside_a_sentence else self.in_lower_case
        return all(t in allowed for t in tokens)

    @cached_property
    def in_lower_case(self) -> frozenset[str]:
        return self.known | self.everyday


NAMES = frozenset(t for name in GIVEN_NAMES for t in tokenize(name))
_CYRILLIC_STEMS = frozenset(
    name[:-1] if name[-1] in "аяоєеиіїйь" else name for name in NAMES if token_script(name) == "cyrillic"
)
_CASE_ENDINGS = (
    *("", "а", "я", "у", "ю", "і", "ї", "и", "е", "є", "о"),
    *("ою", "ею", "єю", "ові", "еві", "єві", "ом", "ем"),
)
"""Ukrainian and Russian case endings of given names ("Олену", "Оленою", "Андрієві")."""
_ARABIC_PREFIXES = tuple(
    fold(prefix) for prefix in ("وال", "بال", "فال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
)  # "and Ali", "for Ali", "with Ali" are written as one word


def is_name(token: str) -> bool:
    """A listed given name, also with an Arabic-script prefix ("ولمحمد") or a Ukrainian or Russian
    ending ("Олену", "Андрієві")."""
    if token in NAMES:
        return True
    script = token_script(token)
    if script == "arabic":
        return any(token.startswith(p) and token[len(p) :] in NAMES for p in _ARABIC_PREFIXES)
    if script == "cyrillic":
        return any(token.endswith(e) and token[: len(token) - len(e)] in _CYRILLIC_STEMS for e in _CASE_ENDINGS)
    return False


@lru_cache(maxsize=2)
def vocabulary(index: Index) -> Vocabulary:
    """The vocabulary of one knowledge base (its index), built once (about a second: the frequency lists)."""
    kb = index.kb
    listed = {word.rstrip("*") for words in index.claims.values() for word in words}
    names = [x for p in kb.places for x in (p.name, *p.aliases)]
    names += [x for e in index.entries for x in (e.name, *e.aliases, *e.name_translations.values())]
    known = listed | {t for name in names for t in tokenize(name)}
    everyday = frozenset().union(*(common_words(language, EVERYDAY_TOP) for language in WORDFREQ_LANGUAGES))
    in_months = [_words(by_language) for key, by_language in kb.words.dates.items() if key in MONTHS]
    months = {t for phrases in in_months for phrase in phrases for t in tokenize(phrase)}
    return Vocabulary(frozenset(known), everyday, frozenset(months | ENGLISH_MONTHS))


MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
ENGLISH_MONTHS = frozenset(
    {*MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)


def _words(by_language: dict[str, list[str]]) -> list[str]:
    return [word for words in by_language.values() for word in words]


def anonymise(text: str, words: Vocabulary | None = None) -> str:
    """The question with contacts, postcodes, dates, numbers, names and every unknown word replaced."""
    words = words or Vocabulary()
    text = EMAIL.sub("<email>", text)
    text = URL.sub("<link>", text)
    text = HANDLE.sub("<name>", text)
    text = POSTCODE.sub("<postcode>", text)
    text = DATE.sub("<date>", text)
    text = PHONE.sub("<phone>", text)
    text = NAME_CUE.sub(lambda m: f"{m.group(1)} <name> ", text)
    pieces = _replace_words(PIECE.findall(text.replace("\x00", "").replace("\x01", "")), words)
    return re.sub(r"\s+", " ", _join_dates(pieces, words)).strip()


def _replace_words(pieces: list[str], words: Vocabulary) -> list[str]:
    out: list[str] = []
    sentence_start = True
    for piece in pieces:
        if PLACEHOLDER.fullmatch(piece) or not WORD.fullmatch(piece):
            out.append(piece)
            sentence_start = sentence_start or bool(SENTENCE_END.search(piece))
        else:
            out.append(_replace(piece, words, inside=not sentence_start))
            sentence_start = False
    return out


def _replace(word: str, words: Vocabulary, inside: bool) -> str:
    if any(c.isdigit() for c in word):
        return "<postcode>" if OUTWARD_CODE.match(fold(word)) else "<number>"
    capitalised = word[:1].isupper() and word[1:] != word[1:].upper() and token_script(word) in ("latin", "cyrillic")
    if words.keeps(word, capitalised and inside):
        return word
    return "<name>" if any(map(is_name, tokenize(word))) or (capitalised and inside) else "<word>"


def _join_dates(pieces: list[str], words: Vocabulary) -> str:
    """ "<number> March", "March <number>", "12 of March": one <date>. Month names are wrapped in
    control characters (removed from the text beforehand) while the dates are found."""
    marked = "".join(f"\x00{p}\x01" if fold(p) in words.months else p for p in pieces)
    marked = DATE_WORDS.sub("<date>", marked)
    marked = YEAR_AFTER_DATE.sub("<date>", marked)
    return marked.replace("\x00", "").replace("\x01", "")


DATE_WORDS = re.compile(r"<number>\s+(?:(?:of|de|du)\s+)?\x00[^\x01]*\x01|\x00[^\x01]*\x01\s+<number>", re.IGNORECASE)
YEAR_AFTER_DATE = re.compile(r"<date>(?:,?\s+<number>)+")
