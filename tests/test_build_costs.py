"""The cheaper ways of building an index give exactly what the plain ways gave: wordfreq's lists
read band by band, marks stripped only where there are some."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common_words import WORDFREQ_LANGUAGES, _top_n_list, common_words, top_words
from bot.text import _strip_marks, script_of, tokenize, tokenize_once

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


def _plain_strip_marks(text: str) -> str:
    """`_strip_marks` as it was written before its fast paths: the reference."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and script_of(out[-1]) in ("latin", "arabic"):
            continue
        if 0x064B <= ord(char) <= 0x065F or ord(char) == 0x0670:
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


MARKS = [chr(c) for c in (*range(0x300, 0x370), *range(0x64B, 0x660), 0x670, 0x483, 0x1DC0, 0x20D0)]
LETTERS = [*"aeiouçéñüßАаЙйЇїابتثیکەڵሀለ  12'", chr(0x1E9E), chr(0xFB50), chr(0x2126)]


@given(st.text(alphabet=st.sampled_from(LETTERS + MARKS), max_size=12) | st.text(max_size=12))
def test_marks_are_stripped_as_before(text: str) -> None:
    assert _strip_marks(text) == _plain_strip_marks(text)
