"""Text normalisation and tokenising, shared by every matcher so that words match however typed.

Folding is deliberately lossy and symmetric: the knowledge base's words and the user's message go
through the same function, so a word typed on a Persian keyboard, "cafe" without its accent, or a
Ukrainian word with a typographic apostrophe all meet their entries.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Script = Literal["latin", "cyrillic", "arabic", "ethiopic", "other"]

# Invisible characters that change nothing a reader sees: joiners, direction marks, isolates.
_INVISIBLE: dict[int, None] = dict.fromkeys(
    (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2066, 0x2067, 0x2068, 0x2069, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E),
    None,
) | {0xFEFF: None, 0x00AD: None}

# Laughing faces are read as the word "haha", so that a joke can be told from danger ("I'm going to kill
# him 😂"); emoji are otherwise no token at all.
_LAUGHTER: dict[int, str] = dict.fromkeys(
    (0x1F602, 0x1F923, 0x1F605, 0x1F604, 0x1F606, 0x1F601, 0x1F639, 0x1F61C, 0x1F61D), " haha "
)

# Arabic-script letter variants, folded to one base letter. Persian, Pashto and Sorani keyboards
# produce different code points for "the same" letter, and people type on whatever phone they have.
# Written as code points so that a reader can check each one.
_ARABIC_FOLD: dict[int, int | None] = {
    **dict.fromkeys((0x0649, 0x06CC, 0x06D0, 0x06CD, 0x06CE, 0x0626), 0x064A),  # yeh forms
    0x0643: 0x06A9,  # Arabic kaf -> keheh
    **dict.fromkeys((0x06AB, 0x06AD), 0x06AF),  # Pashto and Sorani gaf -> gaf
    **dict.fromkeys((0x0629, 0x06D5, 0x06BE, 0x06C1), 0x0647),  # teh marbuta, Sorani ae, heh forms
    **dict.fromkeys((0x0623, 0x0625, 0x0622, 0x0671, 0x0672, 0x0673), 0x0627),  # alef forms
    **dict.fromkeys((0x0624, 0x06C6, 0x06C7, 0x06C9), 0x0648),  # waw forms
    **dict.fromkeys((0x0695, 0x0693), 0x0631),  # Sorani and Pashto reh
    **dict.fromkeys((0x06B5, 0x06B6), 0x0644),  # Sorani lam
    0x069A: 0x0634,  # Pashto sheen
    0x0696: 0x0698,  # Pashto zhe
    0x0689: 0x062F,  # Pashto dal
    0x067C: 0x062A,  # Pashto teh
    0x06BC: 0x0646,  # Pashto noon
    0x06A4: 0x0641,  # Kurdish veh
    0x0640: None,  # tatweel
}
# Arabic-Indic and Persian digits to ASCII, so phone numbers and dates compare.
_DIGITS = {0x0660 + i: 0x30 + i for i in range(10)} | {0x06F0 + i: 0x30 + i for i in range(10)}
_APOSTROPHES = dict.fromkeys((0x2019, 0x2018, 0x60, 0xB4, 0x2032, 0x02BC, 0x02B9, 0x055A), 0x27)
_UKRAINIAN_FOLD = {0x0491: 0x0433}  # ghe with upturn -> ghe: most phones lack the key


def _ethiopic_families() -> dict[int, int | str | None]:
    """Ge'ez letters written two or three ways in Tigrinya (sa, tsa, ha, a families) folded to one."""
    table: dict[int, int | str | None] = {}
    for source, target in ((0x1220, 0x1230), (0x1340, 0x1338), (0x1210, 0x1200), (0x1280, 0x1200), (0x12D0, 0x12A0)):
        for order in range(7):
            table[source + order] = target + order
    return table


_TRANSLATE: dict[int, int | str | None] = {
    **_ARABIC_FOLD,
    **_DIGITS,
    **_APOSTROPHES,
    **_UKRAINIAN_FOLD,
    **_INVISIBLE,
    **_LAUGHTER,
    **_ethiopic_families(),
}

_TOKEN = re.compile(r"[\w']+")


@lru_cache(maxsize=8192)
def script_of(char: str) -> Script:
    """The writing system of one character, by Unicode block."""
    code = ord(char)
    if code < 0x250:
        return "latin" if char.isalpha() else "other"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x600 <= code < 0x700 or 0x750 <= code < 0x780 or 0xFB50 <= code < 0xFE00 or 0xFE70 <= code < 0xFF00:
        return "arabic"
    if 0x1200 <= code < 0x13A0 or 0x2D80 <= code < 0x2DE0 or 0xAB00 <= code < 0xAB30:
        return "ethiopic"
    return "other"


def token_script(token: str) -> Script:
    """The script of a token: that of its first letter (digits-only tokens are 'other')."""
    for char in token:
        if char.isalpha():
            return script_of(char)
    return "other"


def _strip_marks(text: str) -> str:
    """Remove accents from Latin letters and vowel marks from Arabic; keep Cyrillic letters intact."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if not any(map(unicodedata.combining, decomposed)):
        return unicodedata.normalize("NFC", decomposed)  # no mark to remove (harakat are combining marks too)
    out: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and out and script_of(out[-1]) in ("latin", "arabic"):
            continue
        if 0x064B <= ord(char) <= 0x065F or ord(char) == 0x0670:  # harakat, superscript alef
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=1 << 16)  # the index folds ~20,000 phrases: a smaller cache thrashes at start-up
def fold(text: str) -> str:
    """Normalise text for matching: NFKC, case folding, marks and letter variants folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _strip_marks(text).translate(_TRANSLATE)


_SENTENCE_END = re.compile(r"[.!?\n\u061f\u06d4\u1362\u2026]+")  # . ! ? newline, Arabic ?, Urdu full stop, Ge'ez ።, …


def sentence_numbers(text: str) -> list[int]:
    """For each token of `tokenize(text)`, the number of the sentence it is in (no token spans a stop)."""
    return [n for n, part in enumerate(_SENTENCE_END.split(text)) for _ in tokenize(part)]


def asked_sentences(text: str) -> frozenset[int]:
    """The numbers (as `sentence_numbers` counts) of the sentences that end in a question mark: in a
    story, the question is what is asked; the rest tells how it came to be asked."""
    ends = [m.group() for m in _SENTENCE_END.finditer(text)]
    return frozenset(n for n, end in enumerate(ends) if "?" in end or "\u061f" in end)


_ARABIZI_DOTTED = re.compile(r"(?:(?<=[a-z0-9])|^)([3679])'(?=[a-z])")
"""Arabizi writes a dotted letter as its digit and an apostrophe: 3' is غ (gh), 7' is خ (kh), 6' and
9' are ظ and ض (dh): "sho3'l" is "shoghl", one word, not two."""
_ARABIZI_SOUNDS = {"3": "gh", "7": "kh", "6": "dh", "9": "dh"}


def tokenize(text: str) -> list[str]:
    """Folded word tokens. Apostrophes split Latin words (d'asile -> d asile) but join Cyrillic ones."""
    return _tokens(text, fold(text))


def tokenize_once(text: str) -> list[str]:
    """`tokenize`, for text folded once only (a frequency list): kept out of fold's cache."""
    return _tokens(text, fold.__wrapped__(text))


def _tokens(text: str, folded: str) -> list[str]:
    tokens: list[str] = []
    for raw in _TOKEN.findall(folded):
        if "'" in raw:
            raw = _ARABIZI_DOTTED.sub(lambda m: _ARABIZI_SOUNDS[m.group(1)], raw)
        if "'" not in raw:
            tokens.append(raw)
        elif token_script(raw) == "cyrillic":
            tokens.append(raw.replace("'", ""))
        else:
            tokens.extend(part for part in raw.split("'") if part)
    tokens = [t.replace("_", "") for t in tokens if t.strip("_")]
    return join_verb_prefixes(tokens) if joins_verb_prefixes(text, tokens) else tokens


def joins_verb_prefixes(text: str, tokens: list[str]) -> bool:
    """Whether Farsi's verb prefixes typed apart should be joined: Pashto's "مې" (my, me) folds to the
    same letters as Farsi's "می", so text with letters only Pashto uses is left as typed."""
    return bool(_PREFIXES_APART.intersection(tokens)) and not _PASHTO_LETTERS.intersection(text)


# Farsi's continuous prefix, positive and negative, is written joined, with a half space (removed
# by fold) or with a full space: "نمی خواهم" is "نمیخواهم" however it was typed.
_PREFIXES_APART = frozenset({"\u0645\u064a", "\u0646\u0645\u064a"})  # می, نمی folded
_PASHTO_LETTERS = frozenset("\u06d0\u069a\u0696\u067c\u0689\u0693\u0681\u0685\u06ab\u06cd\u06bc")
"""ې ښ ږ ټ ډ ړ ځ څ ګ ۍ ڼ: letters Pashto writes and Farsi does not."""


def join_verb_prefixes(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if out and out[-1] in _PREFIXES_APART and token_script(token) == "arabic":
            out[-1] += token
        else:
            out.append(token)
    return out


# A name heard rather than read: "Samaritans" is سامریتنز, Самарітанс or ሳምራታንስ. Every script is
# reduced to the same consonant classes (vowels dropped after the first letter), the key under which
# one Latin name and its spellings by ear in Arabic script, Cyrillic and Ge'ez meet. Letters that
# stand for one sound in one script and another elsewhere share a class: Arabic ج is the "g" of
# "Great" (جريت) as often as the "j" of "job", and ث is the "th" of "Health" (هلث).
_CONSONANTS = {
    "b": "b", "p": "b", "f": "f", "v": "f", "t": "t", "d": "d", "s": "s", "z": "s", "k": "k", "q": "k",
    "g": "k", "j": "k", "h": "h", "l": "l", "m": "m", "n": "n", "r": "r",
    "ع": "", "ت": "t", "ط": "t", "ث": "s", "س": "s", "ص": "s", "ز": "s", "ذ": "s", "ض": "s", "ظ": "s",
    "ک": "k", "ق": "k", "گ": "k", "غ": "k", "ج": "k", "خ": "h", "ح": "h", "ه": "h", "ب": "b", "پ": "b",
    "ف": "f", "ڤ": "f", "د": "d", "ر": "r", "ڕ": "r", "ل": "l", "ڵ": "l", "م": "m", "ن": "n", "ش": "c",
    "چ": "c", "ژ": "c", "C": "c",
}  # fmt: skip
"""Consonant classes ("c" is the sh, ch and zh sounds); a letter not here is a vowel or silent."""
_LONG_VOWELS = frozenset("اويءیى")
_FIRST_GLIDES = {"w": "w", "و": "w", "y": "y", "ي": "y", "ی": "y"}  # "wa..." and "ya..." are not "a..."
_LATIN_DIGRAPHS = (("sh", "C"), ("ch", "C"), ("zh", "C"), ("ph", "f"), ("th", "s"), ("ck", "k"), ("x", "ks"))
"""Read before a single c: "C" (folded text has no capitals) is the class of sh, ch and zh."""
_SOFT_C = re.compile(r"c(?=[eiy])")
_CYRILLIC_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "e", "ж": "zh", "з": "z",
        "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
        "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "s", "ч": "ch", "ш": "sh",
        "щ": "sh", "ь": "", "ю": "u", "я": "a", "ы": "i", "э": "e", "ё": "o", "ъ": "",
    }
)  # fmt: skip
# The consonant of each row of eight Ge'ez syllables, from U+1200 (ሀ ለ ሐ መ ሠ ረ ሰ ሸ ቀ ቈ ቐ ቘ በ ቨ ተ ቸ ኀ ኈ ነ
# ኘ አ ከ ኰ ኸ ዀ ወ ዐ ዘ ዠ የ ደ ዸ ጀ ገ ጐ ጘ ጠ ጨ ጰ ጸ ፀ ፈ ፐ); "." for a vowel's row (and w, y).
_GEEZ_ROWS = "hlhmsrsckkkkbftchhnn.kkkk..sc.ddkkkktcbssfb"


def sound_keys(token: str) -> tuple[str, ...]:
    """The sound keys a token may have: Ukrainian writes the h of a Latin name with г ("Ганзеатік"
    for "Hanseatic"), Russian its g; other tokens have one (or none, when too short)."""
    if "г" in token and token_script(token) == "cyrillic":
        keys = (sound_key(token), sound_key(token.replace("г", "х")))
        return tuple(dict.fromkeys(k for k in keys if k))
    key = sound_key(token)
    return (key,) if key else ()


def sound_key(token: str, shortest: int = 3) -> str:
    """A folded token reduced to the consonant classes it sounds like, in any script: the key under
    which spellings by ear of one Latin name meet. Empty for words of fewer sounds than `shortest`,
    too short to tell apart (two do beside another word of the same name: "ريد كروس")."""
    script = token_script(token)
    token = re.sub(r"(.)\1+", r"\1", token)  # "millennium": a letter written twice is one sound
    if script == "cyrillic":
        token, script = token.translate(_CYRILLIC_LATIN), "latin"
    if script == "latin":
        for digraph, sound in _LATIN_DIGRAPHS:
            token = token.replace(digraph, sound)
        token = _SOFT_C.sub("s", token).replace("c", "k")
        sounds = [_CONSONANTS.get(c, "") for c in token]
    elif script == "arabic":  # a letter with no Latin sound (ځ, ښ) stays itself: it tells words apart
        sounds = ["" if c in _LONG_VOWELS else _CONSONANTS.get(c, c) for c in token]
    elif script == "ethiopic":
        rows = [(ord(c) - 0x1200) // 8 for c in token]
        sounds = [_GEEZ_ROWS[r].strip(".") if 0 <= r < len(_GEEZ_ROWS) else "" for r in rows]
    else:
        return ""
    first = sounds[0] or _FIRST_GLIDES.get(token[0], "a")  # a word that starts with a vowel keeps that it does
    key = first + "".join(sound for sound in sounds[1:] if sound)
    return key if len(key) >= shortest else ""
