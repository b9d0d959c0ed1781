"""Words to look at again: a word listed for one language that is an everyday word of another.

The matcher keeps each language's words in their language (a word counts in another language's
message only where that language lists no such word), but only for the words it knows. A Pashto
crisis phrase made of common Arabic words would still fire on Arabic text the bot cannot read as
Arabic, so `validate` points such words out to a volunteer, who knows which ones are needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot.common_words import WORDFREQ_LANGUAGES, common_words
from bot.problems import Problem
from bot.text import token_script, tokenize

REVIEW_TOP = 5_000
"""A language's most frequent words that count as everyday words for the review."""

SCRIPTS = {"en": "latin", "fr": "latin", "ar": "arabic", "fa": "arabic", "ps": "arabic", "ku": "arabic"} | {
    "uk": "cyrillic"
}
"""The script each language is written in, where two or more of ours share one. English and French are
left out of the review: they share thousands of words, and the matcher already takes a word of the
other only when typed exactly and not one of this language's own (lexicon.Lexicon.hits)."""

LANGUAGE_NAMES = {
    "en": "English", "ar": "Arabic", "fa": "Farsi", "uk": "Ukrainian", "ps": "Pashto", "ku": "Sorani",
    "ti": "Tigrinya", "fr": "French", "translit": "romanised",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ListedWord:
    file: str
    line: int
    language: str
    text: str
    where: str  # "crisis group 'me'", "need 'food'" ...


def everyday_words(stopwords: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Each language's everyday words: wordfreq's most frequent where it has them, and our stopwords."""
    words: dict[str, set[str]] = defaultdict(set)
    for language in WORDFREQ_LANGUAGES:
        words[language] |= common_words(language, REVIEW_TOP)
    for language, texts in stopwords.items():
        words[language] |= {t for text in texts for t in tokenize(text)}
    return {language: frozenset(found) for language, found in words.items()}


def review_words(listed: Iterable[ListedWord], everyday: Mapping[str, frozenset[str]]) -> Iterator[Problem]:
    """One warning per listed line and other language, naming the words on it whose every word is an
    everyday word of another language of its script that does not list them too."""
    listed = list(listed)
    by_language: dict[str, set[str]] = defaultdict(set)
    for word in listed:
        by_language[word.language].add(" ".join(tokenize(word.text)))
    found: dict[tuple[str, int, str, str, str], list[str]] = defaultdict(list)
    for word in listed:
        tokens = tokenize(word.text)
        if not tokens or word.text.rstrip().endswith("*"):
            continue  # a stem stands for many words: nothing to compare
        script = token_script(tokens[0])
        if script not in ("arabic", "cyrillic"):
            continue
        key = " ".join(tokens)
        for other, common in everyday.items():
            if other == word.language or SCRIPTS.get(other) != script or key in by_language.get(other, ()):
                continue
            if all(t in common for t in tokens):
                found[(word.file, word.line, word.language, word.where, other)].append(word.text)
                break
    for (file, line, language, where, other), texts in found.items():
        quoted = ", ".join(f"'{text}'" for text in texts)
        what = "is an everyday word or phrase" if len(texts) == 1 else "are everyday words or phrases"
        yield Problem(
            file,
            line,
            f"{quoted} ({LANGUAGE_NAMES.get(language, language)}, {where}) {what} in "
            f"{LANGUAGE_NAMES.get(other, other)}: keep {'it' if len(texts) == 1 else 'them'} only if "
            f"{'it means' if len(texts) == 1 else 'they mean'} the same there, or make a longer phrase",
            "warning",
        )
