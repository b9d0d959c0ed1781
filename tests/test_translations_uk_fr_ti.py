"""Ukrainian, French and Tigrinya cards are whole: every text of every entry is translated, with its facts intact."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.events import next_occurrence
from bot.i18n import translator
from bot.knowledge import KnowledgeBase
from bot.replies import Renderer
from bot.schema import EntryTexts, Event, Service
from tests.conftest import NOW

LANGUAGES = ("uk", "fr", "ti")
# The texts a translations file may give an entry, as the schema has them (name and need notes apart).
TEXTS = tuple(f for f in EntryTexts.model_fields if f not in ("name", "aliases", "need_notes"))

# What a translation must carry over exactly as the English has it: numbers (phones, dates, times,
# counts), emails and web addresses. Runs of digits are compared as sets: "1.5" may become "1,5", and
# a number may move or repeat ("24 heures sur 24").
DIGITS = re.compile(r"\d+")
EMAILS_AND_LINKS = re.compile(r"[\w.+-]+@[\w.-]+\w|\b[\w-]+(?:\.[\w-]+)*\.(?:org|uk|com)\b(?:\.uk)?")


def texts(kb: KnowledgeBase) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(entry id, field, text by language) for every translatable text of every entry."""
    for entry in (*kb.organisations, *kb.helplines, *kb.events):
        for field in TEXTS:
            by_language = getattr(entry, field, None)
            if by_language:
                yield entry.id, field, by_language
        for need, note in getattr(entry, "need_notes", {}).items():
            yield entry.id, f"need_notes.{need}", note


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_has_every_text_its_english_has(kb: KnowledgeBase, language: str) -> None:
    missing = [f"{entry_id}: {field}" for entry_id, field, by_language in texts(kb) if language not in by_language]
    missing += [
        f"{e.id}: name" for e in (*kb.organisations, *kb.helplines, *kb.events) if language not in e.name_translations
    ]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_number_email_and_link(kb: KnowledgeBase, language: str) -> None:
    changed = []
    for entry_id, field, by_language in texts(kb):
        english, translated = by_language["en"], by_language.get(language, "")
        if set(DIGITS.findall(english)) != set(DIGITS.findall(translated)):
            changed.append(f"{entry_id} {field}: numbers {DIGITS.findall(english)} -> {DIGITS.findall(translated)}")
        lost = [x for x in EMAILS_AND_LINKS.findall(english) if x not in translated]
        if lost:
            changed.append(f"{entry_id} {field}: lost {lost}")
    assert changed == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_card_shows_text_marked_in_english(kb: KnowledgeBase, language: str) -> None:
    renderer = Renderer(kb, translator(language))
    marker = f"({renderer.t('in English')})"
    assert marker != "(in English)", "the catalog lacks a translation of 'in English'"
    marked = []
    for service in (*kb.organisations, *kb.helplines):
        assert isinstance(service, Service)
        for need in (None, *service.need_notes):
            if marker in renderer.service_card(service, NOW, need, full=True):
                marked.append(f"{service.id} ({need})")
    for event in kb.events:
        assert isinstance(event, Event)
        if marker in renderer.event_card(next_occurrence(event, NOW), NOW):
            marked.append(event.id)
    assert marked == []
