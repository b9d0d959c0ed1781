"""The cheaper ways of building an index give exactly what the plain ways gave: wordfreq's lists
read band by band."""

from __future__ import annotations

import pytest

from bot.common_words import WORDFREQ_LANGUAGES, _top_n_list, common_words, top_words
from bot.text import tokenize, tokenize_once

CODES = sorted({code for codes in WORDFREQ_LANGUAGES.values() for code in codes})


@pytest.mark.parametrize("code", CODES)
def test_wordfreq_read_band_by_band_gives_its_own_top_list(code: str) -> None:
    assert top_words(code, 25_000) == _top_n_list(code, 25_000)


def test_everyday_words_keep_no_whole_frequency_list_in_memory() -> None:
    from wordfreq import get_frequency_list

    common_words.__wrapped__("uk")  # read again, past the cache
    assert get_frequency_list.cache_info().currsize == 0


def test_a_word_read_once_is_tokenised_as_any_other() -> None:
    for text in ("Café", "d'asile", "м'ясо", "نمی خواهم", "ښځه", "hello_world", "ሰላም"):
        assert tokenize_once(text) == tokenize(text)
