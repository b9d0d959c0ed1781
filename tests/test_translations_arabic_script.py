"""Every organisation, helpline and event has its texts in Arabic, Farsi, Pashto and Sorani, with the same numbers.

A text missing in one of these languages is shown in English marked "(in English)" on a card in that
language; a number or an address changed in translation is a wrong fact. Both are caught here, by entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.knowledge import KnowledgeBase
from bot.schema import EntryTexts

LANGUAGES = ("ar", "fa", "ps", "ku")
TEXT_FIELDS = tuple(f for f in EntryTexts.model_fields if f not in ("name", "aliases", "need_notes"))
"""The free-text fields a translations file may give, read from the schema so that a new one is checked too."""

# Numbers (phones, years, dates, counts) and email or web addresses: they stay exactly as in English.
FACTS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[a-z]{2,})+\b|\d+")


def english_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(entry id, field, texts by language) for every text of every entry that is written in English."""
    for entry in (*kb.organisations, *kb.helplines, *kb.events):
        for field in TEXT_FIELDS:
            texts = getattr(entry, field, None)
            if texts and "en" in texts:
                yield entry.id, field, texts
        for need, texts in getattr(entry, "need_notes", {}).items():
            yield entry.id, f"need_notes.{need}", texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_has_its_name_and_every_text_in_the_language(kb: KnowledgeBase, language: str) -> None:
    missing = [
        f"{e.id}: name" for e in (*kb.organisations, *kb.helplines, *kb.events) if language not in e.name_translations
    ]
    missing += [f"{entry_id}: {field}" for entry_id, field, texts in english_texts(kb) if language not in texts]
    assert not missing, f"not translated into {language} in knowledge/translations-{language}.yaml:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_number_and_address_of_the_english(kb: KnowledgeBase, language: str) -> None:
    changed = [
        f"{entry_id}: {field}: English has {english}, {language} has {translated}"
        for entry_id, field, texts in english_texts(kb)
        if language in texts
        and (english := sorted(FACTS.findall(texts["en"]))) != (translated := sorted(FACTS.findall(texts[language])))
    ]
    assert not changed, "\n".join(changed)
