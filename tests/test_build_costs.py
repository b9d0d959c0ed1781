"""The cheaper ways of building an index and of answering give exactly what the plain ways gave:
wordfreq's lists read band by band, simplemma's dictionaries read as a stream, one set of everyday
words shared by every lexicon, a repeating event's start times kept, marks stripped only where
there are some, entries that can only rank behind the best not scored."""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.synthetic import generate
from bot import lemmas
from bot.assistant import Assistant
from bot.common_words import WORDFREQ_LANGUAGES, _top_n_list, common_words, top_words
from bot.events import _rule, _Starts
from bot.knowledge import KnowledgeBase, load
from bot.matching import Index, _behind
from bot.text import _strip_marks, script_of, tokenize, tokenize_once
from tests.conftest import NOW, make_event

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


def _plain_other_forms(words: list[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Other forms as they were found before, from simplemma's whole table as a dict: the reference."""
    from collections import defaultdict

    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    tables = {
        language: {
            f.encode(): lemma.encode() for f, lemma in DefaultDictionaryFactory().get_dictionary(language).items()
        }
        for language in {language for language, _ in words}
    }
    targets: dict[str, dict[bytes, set[str]]] = defaultdict(lambda: defaultdict(set))
    for language, text in words:
        for written in text.split():
            folded = tokenize(written)
            if written.endswith("*") or len(folded) != 1 or len(folded[0]) < lemmas.MIN_LETTERS:
                continue
            key = written.casefold().encode()
            if tables[language].get(key, key) == key:
                targets[language][key].add(folded[0])
    out: dict[str, set[str]] = defaultdict(set)
    for language, by_lemma in targets.items():
        for form, lemma in tables[language].items():
            listed = by_lemma.get(lemma)
            if listed:
                lemmas._add(out, form, listed)
    return {form: frozenset(listed) for form, listed in out.items()}


def test_other_forms_read_as_a_stream_are_those_of_the_whole_table(kb: KnowledgeBase) -> None:
    words = [
        (lang, text)
        for need in kb.needs
        for lang, texts in need.words.items()
        if lang in ("en", "fa")
        for text in texts
    ]
    words += [("en", "sleep"), ("en", "signing"), ("fa", "خواستن")]
    lemmas.release()
    half = len(words) // 2
    lemmas.prepare(words[:half])  # looked up in two readings: the second only for the words not yet asked
    assert lemmas.other_forms(words) == _plain_other_forms(words)
    lemmas.release()


def test_every_lexicon_shares_one_set_of_everyday_words(assistant: Assistant) -> None:
    index = assistant.index
    lexicons = (index.conversation, index.needs, index.places, index.crisis.lexicon)
    assert len({id(lexicon.words.known) for lexicon in lexicons}) == 1
    assert index.names.words.known <= index.needs.words.known


REPEATS: list[tuple[dict[str, Any], str]] = [
    ({"every": "week", "on": ["tue"]}, "2024-01-09 14:00"),
    (
        {"every": "week", "on": ["tue"], "interval": 2, "until": "2024-06-20", "except": ["2024-01-23"]},
        "2024-01-09 14:00",
    ),
    ({"every": "day", "count": 40}, "2024-01-09 14:00"),
    ({"every": "week", "on": "mon-fri"}, "2024-01-08 09:00"),
    ({"every": "month", "on": ["tue"], "nth": 2}, "2024-01-09 14:00"),
    ({"every": "month", "on": ["tue"], "nth": -1}, "2024-01-30 14:00"),
    ({"every": "month", "interval": 3}, "2024-01-09 14:00"),
]


@pytest.mark.parametrize(("repeat", "start"), REPEATS)
def test_kept_start_times_are_the_rules_own_in_any_order_of_asking(repeat: dict[str, Any], start: str) -> None:
    event = make_event(repeat=repeat, start=start, end=None)
    rules = _rule(event)
    assert rules is not None
    kept = _Starts(rules)
    moments = [datetime(2023, 6, 1) + timedelta(hours=h) for h in range(0, 3 * 365 * 24, 97)]
    random.Random(7).shuffle(moments)
    for moment in moments:
        assert list(islice(kept.after(moment), 12)) == list(islice(rules.xafter(moment, inc=True), 12))
        assert kept.before(moment) == rules.before(moment)


def test_kept_start_times_of_the_shipped_events(kb: KnowledgeBase) -> None:
    moments = [datetime(2023, 1, 1) + timedelta(days=d, hours=d % 24) for d in range(0, 4 * 365, 5)]
    random.Random(3).shuffle(moments)
    for event in kb.events:
        rules = _rule(event)
        if rules is None:
            continue
        kept = _Starts(rules)
        for moment in moments:
            assert list(islice(kept.after(moment), 5)) == list(islice(rules.xafter(moment, inc=True), 5))
            assert kept.before(moment) == rules.before(moment)


def test_an_entry_that_can_at_best_tie_with_the_kth_and_comes_after_it_by_name_is_behind() -> None:
    kth = (-45.4, "Middle")
    assert _behind(45.39, "Aaa", kth)  # 45.39 at most: below whatever its name
    assert _behind(45.403, "Zzz", kth)  # rounds to 45.4 at most, and comes after by name
    assert not _behind(45.403, "Aaa", kth)  # may tie, and would come first
    assert not _behind(45.396, "Aaa", kth)  # may round up to 45.4 and come first
    assert not _behind(45.41, "Zzz", kth)  # may beat it


def test_the_best_first_search_scores_few_of_the_entries_that_tie(tmp_path: Path) -> None:
    generate(tmp_path, 600)
    index = Index(load(tmp_path))
    scored: list[str] = []
    score = index._score

    def counted(entry: Any, *rest: Any) -> Any:
        scored.append(entry.id)
        return score(entry, *rest)

    for question in ("food bank near me", "can I get a job, I have refugee status", "english class for women"):
        u = index.understand(question, NOW)
        full = [(m.entry.id, m.score) for m in index.score_all(u, NOW)[:4]]
        scored.clear()
        index._score = counted  # type: ignore[method-assign]
        assert [(m.entry.id, m.score) for m in index.best_matches(u, NOW, 4)] == full, question
        index._score = score  # type: ignore[method-assign]
        assert len(scored) <= 20, question  # 17, 46 and 94 before entries behind the best were skipped
