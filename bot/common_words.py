"""The everyday words of a language, from wordfreq's frequency lists, folded like message text.

Two uses: a correctly spelled everyday word is never read as a typo of a crisis word ("shouting"
is not "shooting"), and `validate` warns when a word listed for one language is an everyday word
of another ("ما" is "what" in Arabic, whatever it means in Pashto). wordfreq has no lists for
Pashto, Sorani or Tigrinya: for those only the knowledge base's own words say what is common.
"""

from __future__ import annotations

import gzip
from functools import cache

from bot.text import tokenize_once

TOP = 25_000
"""How many of a language's most frequent words count as everyday words."""

WORDFREQ_LANGUAGES = {"en": ("en",), "fr": ("fr",), "ar": ("ar",), "fa": ("fa",), "uk": ("uk", "ru")}
"""Our languages that wordfreq covers; Ukrainian speakers here often write Russian too."""


@cache
def common_words(language: str, top: int = TOP) -> frozenset[str]:
    """The `top` most frequent words of `language`, folded and tokenised; empty when not covered."""
    sources = WORDFREQ_LANGUAGES.get(language)
    if not sources:
        return frozenset()
    # Folded once each, past fold's cache: 150,000 words read once would push out the phrases an
    # index folds again and again.
    return frozenset(t for code in sources for word in top_words(code, top) for t in tokenize_once(word))


def top_words(code: str, top: int) -> list[str]:
    """wordfreq's `top_n_list(code, top)`, read from the start of its file only.

    `top_n_list` reads a language's whole list (up to 700,000 words) and wordfreq keeps every list
    it has read for the life of the process: 200 MB for our six, to use 25,000 words of each. The
    file is a gzipped msgpack list, a header then one list of words per frequency band, most
    frequent first (see `wordfreq.read_cBpack`); reading it band by band stops at `top`."""
    import msgpack  # type: ignore[import-untyped]  # (wordfreq's own reader) only when an index is built
    from wordfreq import available_languages
    from wordfreq.numbers import has_digit_sequence

    path = available_languages().get(code)
    if path is None:  # a code wordfreq matches only approximately: its own way, then let it go
        return _top_n_list(code, top)
    words: list[str] = []
    with gzip.open(path, "rb") as handle:
        unpacker = msgpack.Unpacker(handle, raw=False)
        bands = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
            return _top_n_list(code, top)  # a format this code does not know
        for _ in range(bands - 1):
            for word in unpacker.unpack():
                if not has_digit_sequence(word):  # as top_n_list: numbers are not words
                    words.append(word)
                    if len(words) >= top:
                        return words
    return words


def _top_n_list(code: str, top: int) -> list[str]:
    from wordfreq import get_frequency_list, top_n_list

    try:
        return list(top_n_list(code, top))
    finally:
        top_n_list.cache_clear()
        get_frequency_list.cache_clear()
