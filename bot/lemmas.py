"""Other forms of listed words, from simplemma's dictionaries (English, French, Ukrainian, Farsi).

A volunteer lists "sleep" or "dormir"; people write "slept", "je dors", "виселяють". simplemma maps a
form to its lemma; we turn that around once, when the index is built: every form whose lemma is the
lemma of a listed word leads to that word. Messages are then matched by a lookup in this small table,
so simplemma's dictionaries are never needed while answering, nor even held while building: they are
read one (form, lemma) pair at a time. Arabic, Pashto, Sorani and Tigrinya have no simplemma
dictionary here: their clitics and endings are the written affix rules in `bot.lexicon`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator

from bot.text import tokenize

LEMMA_LANGUAGES = ("en", "fr", "uk", "fa")
"""Our languages that simplemma has a dictionary for."""

MIN_LETTERS = 4
"""Shorter words are left as listed: the forms of "ar" (Farsi, to bring) or "d'" are everywhere."""


def _pairs(language: str) -> Iterator[tuple[bytes, bytes]]:
    """simplemma's (form, lemma) pairs for `language`, as the bytes it stores them in, decoded one at
    a time from its compressed stream: as simplemma's dicts our four languages take 125 MB (and
    0.6 s to build); read once like this, a few MB (0.5 s)."""
    try:
        from simplemma.strategies.dictionaries import frontcode
        from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed
    except ImportError:  # another simplemma: its own table
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        table = DefaultDictionaryFactory().get_dictionary(language)
        yield from ((form.encode(), lemma.encode()) for form, lemma in table.items())
        return
    data = _read_decompressed(language)
    reverse, _, position = frontcode._read_header(data)
    for _, key, value in frontcode._iter_records(data, position):
        yield (key[::-1], value[::-1]) if reverse else (key, value)


_looked_up: dict[str, tuple[set[bytes], dict[bytes, bytes], dict[bytes, list[bytes]]]] = {}
"""Per language: the words looked up so far, the lemma of those that have one, and the forms whose
lemma is one of them. An index of the same words is built again (a reload, tests) without reading."""
_lock = threading.Lock()


def _look_up(language: str, words: Iterable[bytes]) -> tuple[dict[bytes, bytes], dict[bytes, list[bytes]]]:
    """The lemma of each of `words` that has one, and the forms of each as a lemma (and of others
    looked up before): the dictionary is read once for all the words not looked up yet."""
    with _lock:
        asked, lemma_of, forms = _looked_up.setdefault(language, (set(), {}, defaultdict(list)))
        missing = set(words) - asked
        if missing:
            for form, lemma in _pairs(language):
                if form in missing:
                    lemma_of[form] = lemma
                if lemma in missing:
                    forms[lemma].append(form)
            asked |= missing
        return lemma_of, forms


def prepare(words: Iterable[tuple[str, str]]) -> None:
    """Look up, in one reading of each dictionary, the words of several `other_forms` calls to come
    (an index's lexicons): each would otherwise read the dictionaries again for its own words."""
    for language, by_word in _candidates(words).items():
        _look_up(language, by_word)


def release() -> None:
    """Forget the words looked up: a running bot answers from the index's table alone."""
    with _lock:
        _looked_up.clear()


def _candidates(words: Iterable[tuple[str, str]]) -> dict[str, dict[bytes, set[str]]]:
    """Per language, each listed word that may gather other forms (as simplemma writes it) -> its
    folded tokens."""
    candidates: dict[str, dict[bytes, set[str]]] = defaultdict(lambda: defaultdict(set))
    for language, text in words:
        if language not in LEMMA_LANGUAGES:
            continue
        for written in text.split():
            if written.endswith("*"):
                continue
            folded = tokenize(written)
            if len(folded) != 1 or len(folded[0]) < MIN_LETTERS:
                continue
            candidates[language][written.casefold().encode()].add(folded[0])
    return candidates


def other_forms(words: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """For (language, listed word as written) pairs, every other form (folded, as in messages) of
    their words, mapped to the listed tokens it stands for. Words with a '*' are stems already."""
    out: dict[str, set[str]] = defaultdict(set)
    for language, by_word in _candidates(words).items():
        lemma_of, forms = _look_up(language, by_word)
        for key, listed in by_word.items():
            if lemma_of.get(key, key) != key:
                # Only a listed base form gathers its forms ("sleep": "slept"); a listed form is
                # as narrow as written ("signing" at the Home Office is not "sign up").
                continue
            for form in forms.get(key, ()):
                _add(out, form, listed)
    return {form: frozenset(listed) for form, listed in out.items()}


def _add(out: dict[str, set[str]], form: bytes, listed: set[str]) -> None:
    folded = tokenize(form.decode())
    if len(folded) == 1 and len(folded[0]) >= MIN_LETTERS and listed - {folded[0]}:
        out[folded[0]].update(listed - {folded[0]})
