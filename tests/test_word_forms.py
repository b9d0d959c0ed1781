"""Other forms of a listed word, slips in short words, and what people say comes first."""

from __future__ import annotations

import pytest

from bot.assistant import Assistant
from bot.lemmas import other_forms
from bot.lexicon import Lexicon
from tests.conftest import NOW


def keys(lexicon: Lexicon, text: str) -> set[str]:
    from bot.text import tokenize

    return {hit.key for hit in lexicon.find(tokenize(text))}


@pytest.mark.parametrize(
    ("language", "listed", "written"),
    [
        ("en", "sleep", "slept"),
        ("en", "classes", "class"),  # both ways: a listed plural meets its singular
        ("fr", "dormir", "dors"),
        ("fr", "école", "écoles"),
        ("uk", "виселяти", "виселяють"),
        ("fa", "خواستن", "میخواهم"),
    ],
)
def test_other_forms_lead_to_the_listed_word(language: str, listed: str, written: str) -> None:
    from bot.text import tokenize

    forms = other_forms([(language, listed)])
    assert tokenize(listed)[0] in forms[tokenize(written)[0]]


def test_short_words_and_stems_are_left_as_listed() -> None:
    forms = other_forms([("en", "cut"), ("fa", "ار"), ("en", "class*"), ("ar", "درس")])
    assert forms == {}  # under four letters, a stem, or a language without a dictionary


def test_a_forgiving_lexicon_reads_forms_and_short_slips_a_crisis_one_does_not() -> None:
    phrases = [("sleep", "sleep", "en"), ("housing", "house", "en"), ("english", "english clas*", "en")]
    forgiving = Lexicon(phrases, forgiving=True)
    strict = Lexicon(phrases)
    assert keys(forgiving, "I have not slept for weeks") == {"sleep"}
    assert keys(forgiving, "no hous tonight") == {"housing"}
    assert keys(strict, "I have not slept for weeks") == set()
    assert keys(strict, "no hous tonight") == set()
    # A short stem ("ingl*" of another list) does not stop "inglish" being read as a typo of "english".
    both = Lexicon([*phrases, ("other", "ingl*", "fr")], forgiving=True)
    assert "english" in keys(both, "i want to lern inglish any clases")


@pytest.mark.parametrize(
    ("question", "need"),
    [
        (
            "we need english classes and a school for my son, but first thing we have had no food since yesterday",
            "food",
        ),
        ("I'd like to find a job one day but right now my landlord is kicking us out and we have nowhere", "housing"),
        ("Хотіла б піти на курси, але зараз головне що нас виселяють у пятницю, а йти нікуди", "housing"),
    ],
)
def test_what_is_said_to_come_first_outweighs_the_rest(assistant: Assistant, question: str, need: str) -> None:
    understood = assistant.index.understand(question, NOW)
    assert max(understood.needs, key=understood.needs.__getitem__) == need
