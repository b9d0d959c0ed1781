"""True to its sources: cards say how old their information is, "checked" only where someone checked,
and a caution goes wherever its phone number goes."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.chat import ChatService
from bot.cli import main
from bot.freshness import partial_date_text
from bot.knowledge import KnowledgeBase, load
from bot.replies import Renderer
from bot.schema import CRISIS_TOPICS, Entry, Event, Organisation, PartialDate, Service
from bot.store import Store
from tests.conftest import NOW, Editable

ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def validate(editable: Editable, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", "--knowledge", str(editable.path), *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def shown_entries(kb: KnowledgeBase) -> list[Entry]:
    return [*kb.organisations, *kb.helplines, *kb.events]


def card(assistant: Assistant, entry: Entry, language: str = "en") -> str:
    return assistant.act(f"entry:{entry.id}", NOW, language).text


def organisation(**fields: object) -> Organisation:
    data: dict[str, object] = {
        "id": "test-place",
        "name": "Test Place",
        "description": "Help.",
        "needs": ["food"],
        "areas": ["norwich"],
        "sources": ["https://www.example.org.uk/a", "https://news.example.org/b"],
        **fields,
    }
    return Organisation.model_validate(data)


# ---- 1. Say what is known ---------------------------------------------------------------------


def test_no_shipped_card_or_digest_says_checked_because_nobody_has_checked(assistant: Assistant) -> None:
    assert not any(entry.checked_on for entry in shown_entries(assistant.kb))
    for entry in shown_entries(assistant.kb):
        text = card(assistant, entry)
        assert "checked" not in text.lower(), entry.id
        assert "Information from " in text or "Source undated, read on " in text, entry.id


async def test_digest_says_how_old_each_entry_is_and_never_checked(assistant: Assistant, tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        digest = await ChatService(assistant, store, clock=lambda: NOW).digest(date(2026, 12, 7))
    finally:
        await store.close()
    assert "checked" not in digest.text.lower()
    assert "is more than 730 days old:" in digest.text
    assert "• Norwich Arts Centre: Information from 29 March 2019 (norwich.cityofsanctuary.org)." in digest.text


def test_a_card_says_checked_only_where_checked_on_exists(editable: Editable) -> None:
    mini = Assistant(load(editable.path))
    unchecked, checked = mini.kb.entry("food-place"), mini.kb.entry("county-housing")
    assert unchecked is not None and checked is not None
    assert "hecked" not in card(mini, unchecked)
    assert "Information from 15 January 2024 (example.org.uk)." in card(mini, unchecked)
    text = card(mini, checked)
    assert "Information from 2023 (example.org.uk). Checked with them on 1 January 2024." in text
    assert "A volunteer" not in text  # who checked is for the volunteers, not for the person asking

    editable.replace("organisations.yaml", "    information_from: 2024-01-15\n", "    read_on: 2024-01-15\n")
    food = load(editable.path).entry("food-place")
    assert food is not None
    assert "Source undated, read on 15 January 2024." in card(Assistant(load(editable.path)), food)


def test_event_card_and_calendar_say_the_same(mini: Assistant) -> None:
    from bot.calendar import event_ics

    party = mini.kb.entry("winter-party")
    assert isinstance(party, Event)
    assert "Information from 10 January 2024 (example.org.uk)." in card(mini, party)
    ics = event_ics(party).decode().replace("\r\n ", "")
    assert "Information from 10 January 2024 (example.org.uk)." in ics
    assert "checked" not in ics.lower()


@pytest.mark.parametrize(
    ("written", "english", "arabic"),
    [
        ("2024", "2024", "2024"),
        ("2024-06", "June 2024", "يونيو 2024"),
        ("2024-06-12", "12 June 2024", "12 يونيو 2024"),
    ],
)
def test_a_partial_date_is_shown_only_as_precise_as_written(written: str, english: str, arabic: str) -> None:
    value = PartialDate.parse(written)
    assert str(value) == written
    assert partial_date_text(value, "en") == english
    assert partial_date_text(value, "ar").translate(ARABIC_DIGITS) == arabic


def test_a_card_in_arabic_says_the_month_in_arabic(assistant: Assistant) -> None:
    english_plus = assistant.kb.entry("english-plus")
    assert english_plus is not None and str(english_plus.information_from) == "2024-06"
    text = card(assistant, english_plus, "ar").translate(ARABIC_DIGITS)
    [dated] = lines_with(text, "(\u2066dioceseofnorwich.org\u2069)")  # the site kept whole in right-to-left text
    assert "يونيو 2024 (\u2066dioceseofnorwich.org\u2069)" in dated
    assert "June" not in dated and "1 يونيو" not in dated


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("June 2024", "must be a year, a month or a day"),
        ("2024-13", "has the month 13"),
        ("2023-02-29", "is not a day of the calendar"),
        ("24", "must be a year, a month or a day"),
    ],
)
def test_a_wrong_partial_date_is_explained(written: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        PartialDate.parse(written)


def test_a_source_date_says_which_source_shows_it() -> None:
    place = organisation(information_from="2024-06", information_source="https://news.example.org/b")
    assert place.information_site == "news.example.org"
    with pytest.raises(ValueError, match="'information_source' is missing: write which of the sources shows 2024-06"):
        organisation(information_from="2024-06")
    with pytest.raises(ValueError, match="must be one of the sources"):
        organisation(information_from="2024-06", information_source="https://elsewhere.org.uk")
    with pytest.raises(ValueError, match="the day you read them as read_on"):
        organisation()
    with pytest.raises(ValueError, match="'checked_by' needs checked_on"):
        organisation(read_on="2026-11-30", checked_by="Sam")
    one_source = organisation(sources=["https://www.example.org.uk/a"], information_from="2021")
    assert one_source.information_site == "example.org.uk"


def test_an_old_last_verified_gets_a_sentence_with_file_line_and_what_to_write(editable: Editable) -> None:
    editable.replace("organisations.yaml", "    information_from: 2024-01-15\n", "    last_verified: 2024-01-15\n")
    line = editable.line_of("organisations.yaml", "last_verified")
    code, out, err = validate(editable)
    assert code == 1
    assert "Traceback" not in out + err
    [problem] = [e for e in err.splitlines() if e.startswith("organisations.yaml:")]
    assert problem.startswith(f"organisations.yaml:{line}: 'last_verified' is no longer used")
    for advice in ("information_from: 2024-01-15", "read_on", "checked_on"):
        assert advice in problem


def test_validate_warns_when_the_newest_information_is_over_two_years_old(editable: Editable) -> None:
    # A month counts until its last day: 2022-06 is 730 days old on 29 June 2024, 731 on 30 June.
    editable.replace("organisations.yaml", "    information_from: 2024-01-15\n", "    information_from: 2022-06\n")
    line = editable.line_of("organisations.yaml", "- id: food-place")
    _, out, _ = validate(editable, "--today", "2024-06-29")
    assert f"organisations.yaml:{line}: warning" not in out
    code, out, _ = validate(editable, "--today", "2024-06-30")
    assert code == 0
    assert f"organisations.yaml:{line}: warning: newest information from 2022-06 (example.org.uk), 731 days ago" in out
    # A check with the organisation itself is newer information.
    editable.replace(
        "organisations.yaml",
        "    information_from: 2022-06\n",
        "    information_from: 2022-06\n    checked_on: 2024-06-01\n",
    )
    _, out, _ = validate(editable, "--today", "2024-06-30")
    assert f"organisations.yaml:{line}: warning" not in out


def test_shipped_facts_are_the_facts_sheets(kb: KnowledgeBase) -> None:
    fair = kb.entry("migration-matters-fair-2024")
    celebration = kb.entry("cos-annual-celebration-2024")
    assert isinstance(fair, Event) and isinstance(celebration, Event)
    assert fair.organiser is None  # the listing does not say who runs it
    assert celebration.booking is not None and celebration.booking["en"] == "Tickets were bookable."
    assert celebration.information_from is None and celebration.read_on == date(2026, 11, 30)


# ---- 2. A caution travels with its fact ----------------------------------------------------------


def caution_texts(entry: Entry, language: str = "en", renderer: Renderer | None = None) -> set[str]:
    """The entry's caution as a reply may show it: whole or short, in the language or (not yet
    translated) in English; as the renderer writes it (its digits, isolated numbers) when given."""
    texts = set()
    for field in (entry.caution or {}, entry.caution_short or {}):
        if renderer is not None:
            texts.add(renderer.localised(field))
        else:
            texts.add(field.get(language) or field.get("en"))
    return {t for t in texts if t}


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def test_the_people_to_talk_to_carry_their_caution(assistant: Assistant) -> None:
    reply = assistant.respond("qwerty zxcvb asdfgh", NOW)
    assert reply.unanswered and "To talk to a person:" in reply.text
    contacts = [s for s in assistant.kb.services if s.human_contact]
    assert contacts
    for contact in contacts:
        [line] = lines_with(reply.text, contact.name)
        if contact.phone:
            assert contact.phone in line
        if contact.caution:
            assert "⚠️" in line and any(text in line for text in caution_texts(contact)), line


def test_the_migrant_help_number_no_source_shows_is_not_given(assistant: Assistant) -> None:
    helpline = assistant.kb.entry("migrant-help-helpline")
    assert isinstance(helpline, Service) and helpline.phone is None
    assert "8010" not in assistant.respond("qwerty zxcvb asdfgh", NOW).text
    assert "8010" not in card(assistant, helpline)
    assert "migranthelpuk.org" in lines_with(assistant.respond("qwerty zxcvb asdfgh", NOW).text, "Migrant Help")[0]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_number_in_a_crisis_reply_carries_its_caution(assistant: Assistant, language: str) -> None:
    r = assistant.renderer(language)
    for topic in CRISIS_TOPICS:
        text = r.crisis([topic])
        for line in r.crisis_helplines([topic]):
            if line.phone and line.caution:
                assert any(t in text for t in caution_texts(line, language, r)), (topic, line.id)
    abuse = r.crisis(["abuse"])
    for helpline_id in ("leeway", "national-domestic-abuse-helpline"):
        helpline = assistant.kb.entry(helpline_id)
        assert helpline is not None and helpline.caution
        assert r.localised(helpline.caution) in abuse


@pytest.mark.parametrize("language", ["en", "fa"])
def test_every_card_with_a_number_or_hours_carries_its_caution(assistant: Assistant, language: str) -> None:
    for service in assistant.kb.services:
        if (service.phone or service.opening_hours or service.open_24_7) and service.caution:
            text = card(assistant, service, language)
            assert any(t in text for t in caution_texts(service, language, assistant.renderer(language))), service.id


def test_every_number_in_a_list_carries_its_short_caution(assistant: Assistant) -> None:
    for need in assistant.kb.needs:
        text = assistant.act(f"need:{need.id}", NOW).text
        for service in assistant.index.services_for(need.id):
            for line in lines_with(text, f"• {service.name} · 📞"):
                if service.caution:
                    short = (service.caution_short or service.caution)["en"]
                    assert line.endswith(f"⚠️ {short}"), line
                else:
                    assert "⚠️" not in line, line


def test_a_short_caution_in_another_language_falls_back_to_the_whole_translated_one(assistant: Assistant) -> None:
    leeway = assistant.kb.entry("leeway")
    assert leeway is not None and leeway.caution and leeway.caution_short and "ar" in leeway.caution_short
    r: Renderer = assistant.renderer("ar")
    assert r.short_caution(leeway) == " ⚠️ " + r.localised(leeway.caution_short)
    untranslated = leeway.model_copy(update={"caution_short": {"en": leeway.caution_short["en"]}})
    assert r.short_caution(untranslated) == " ⚠️ " + r.localised(leeway.caution)  # no English in Arabic
    assert assistant.renderer("en").short_caution(leeway) == " ⚠️ " + leeway.caution_short["en"]
