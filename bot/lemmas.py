"""Other forms of listed words, from simplemma's dictionaries (English, French, Ukrainian, Farsi).

A volunteer lists "sleep" or "dormir"; people write "slept", "je dors", "виселяють". simplemma maps a
form to its lemma; we turn that around once, when the index is built: every form whose lemma is the
lemma of a listed word leads to that word. Messages are then matched by a lookup in this small table,
so simplemma's dictionaries (about 120 MB together) are never needed while answering. Arabic, Pashto,
Sorani and Tigrinya have no simplemma dictionary here: their clitics and endings are the written
affix rules in `bot.lexicon`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache

from bot.text import tokenize

LEMMA_LANGUAGES = ("en", "fr", "uk", "fa")
"""Our languages that simplemma has a dictionary for."""

MIN_LETTERS = 4
"""Shorter words are left as listed: the forms of "ar" (Farsi, to bring) or "d'" are everywhere."""


@cache
def _dictionary(language: str) -> Mapping[bytes, bytes]:
    """simplemma's form -> lemma table for `language`, as the bytes it stores them in (reading them
    as bytes is ten times faster than through its str wrapper)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    table = DefaultDictionaryFactory().get_dictionary(language)
    raw = getattr(table, "_dict", None)
    if isinstance(raw, dict):
        return raw
    return {form.encode(): lemma.encode() for form, lemma in table.items()}  # a future simplemma


def release() -> None:
    """Let the dictionaries go once an index is built: a running bot answers from the table alone."""
    _dictionary.cache_clear()


def other_forms(words: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """For (language, listed word as written) pairs, every other form (folded, as in messages) of
    their words, mapped to the listed tokens it stands for. Words with a '*' are stems already."""
    targets: dict[str, dict[bytes, set[str]]] = defaultdict(lambda: defaultdict(set))
    for language, text in words:
        if language not in LEMMA_LANGUAGES:
            continue
        for written in text.split():
            if written.endswith("*"):
                continue
            folded = tokenize(written)
            if len(folded) != 1 or len(folded[0]) < MIN_LETTERS:
                continue
            key = written.casefold().encode()
            if _dictionary(language).get(key, key) == key:
                # Only a listed base form gathers its forms ("sleep": "slept"); a listed form is
                # as narrow as written ("signing" at the Home Office is not "sign up").
                targets[language][key].add(folded[0])
    out: dict[str, set[str]] = defaultdict(set)
    for language, by_lemma in targets.items():
        for form, lemma in _dictionary(language).items():
            listed = by_lemma.get(lemma)
            if listed:
                _add(out, form, listed)
    return {form: frozenset(listed) for form, listed in out.items()}


def _add(out: dict[str, set[str]], form: bytes, listed: set[str]) -> None:
    folded = tokenize(form.decode())
    if len(folded) == 1 and len(folded[0]) >= MIN_LETTERS and listed - {folded[0]}:
        out[folded[0]].update(listed - {folded[0]})
