"""Everything a user reads in their language: counts, digits, hours, the crisis reply and the command menu."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.assistant import Assistant, User
from bot.i18n import LRI, PDI, numerals, translator
from bot.knowledge import KnowledgeBase
from bot.replies import Renderer
from bot.schema import CRISIS_TOPICS, LANGUAGES
from handlers.app import MENU, build_application, started
from tests.conftest import NOW
from tests.fakebot import FakeBotApi
from tests.telegram_support import TOKEN, settings_for

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]
ISOLATED = re.compile(f"{LRI}[^{PDI}]*{PDI}")
DIGIT_SYSTEMS = {"latin": "0-9", "arabic-indic": "\u0660-\u0669", "persian": "\u06f0-\u06f9"}
# Words that show an English sentence; none of them is a word of the other seven languages.
ENGLISH = {"the", "and", "you", "your", "is", "are", "of", "for", "if", "with", "call", "when", "this", "it", "or"}


def outside_isolates(text: str) -> str:
    """What is written in the reply's language: phones, links and names as written are isolated."""
    return ISOLATED.sub("", text)


def digit_systems(text: str) -> set[str]:
    return {name for name, digits in DIGIT_SYSTEMS.items() if re.search(f"[{digits}]", text)}


def without_parentheses(text: str) -> str:
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\([^()]*\)", "", text)
    return text


# ---- plurals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {1: "1 day", 2: "2 days", 21: "21 days"}),
        ("uk", {1: "1 день", 3: "3 дні", 5: "5 днів", 21: "21 день", 12: "12 днів"}),
        ("ar", {1: "يوم واحد", 2: "يومين", 3: "3 أيام", 11: "11 يومًا", 100: "100 يوم"}),
        ("fr", {0: "0 jour", 1: "1 jour", 2: "2 jours"}),
        ("ps", {1: "۱ ورځ", 7: "۷ ورځې"}),
    ],
)
def test_a_count_takes_the_form_its_language_gives_it(language: str, expected: dict[int, str]) -> None:
    t = translator(language)
    for n, text in expected.items():
        assert t.plural("{days} day", "{days} days", n, days=n) == text


def test_one_subscriber_is_not_one_subscribers(assistant: Assistant) -> None:
    english = assistant.renderer("en")
    assert "Send this message to 1 subscriber?" in english.broadcast_preview("Hello", 1)
    assert "Send this message to 2 subscribers?" in english.broadcast_preview("Hello", 2)
    assert english.notice("remind-queued", name="Café", count=1).endswith("to 1 subscriber.")
    arabic = assistant.renderer("ar").broadcast_preview("Hello", 1)
    assert "مشترك واحد" in arabic and "1" not in arabic.replace("Hello", "")


# ---- digits ------------------------------------------------------------------------------


def test_each_language_has_the_digits_cldr_gives_it() -> None:
    assert numerals("fa") == numerals("ps") == "۰۱۲۳۴۵۶۷۸۹"
    assert numerals("ku") == "٠١٢٣٤٥٦٧٨٩"
    assert {numerals(lang) for lang in ("en", "ar", "uk", "ti", "fr")} == {"0123456789"}


def test_a_phone_number_stays_as_dialled_and_other_numbers_follow_the_language() -> None:
    ps = translator("ps")
    text = ps.digits("۹۹۹ ته زنګ ووهئ، 55 کېکاږئ، 24 ساعته")
    assert text == f"{LRI}999{PDI} ته زنګ ووهئ، ۵۵ کېکاږئ، ۲۴ ساعته"
    # a number the knowledge base gives to dial, next to one that is not
    assert ps.dialling(["116 123"]).digits("116 123 24") == f"{LRI}116 123{PDI} ۲۴"
    assert translator("ar").digits("٩٩٩ و٢٤") == f"{LRI}999{PDI} و24"


@pytest.mark.parametrize("language", ["ps", "ku", "fa"])
def test_crisis_replies_and_cards_never_mix_digit_systems_outside_phone_numbers(
    assistant: Assistant, language: str
) -> None:
    native = "persian" if numerals(language).startswith("۰") else "arabic-indic"
    replies = [
        assistant.respond("I want to kill myself", NOW, User(chosen_language=language)),
        assistant.respond("my husband hits me", NOW, User(chosen_language=language)),
        assistant.act("entry:shelter-helpline", NOW, language),
        assistant.act("entry:emergency-999", NOW, language),
    ]
    for reply in replies:
        assert reply.language == language
        written = outside_isolates(reply.text)
        assert digit_systems(written) <= {native}, written
        assert digit_systems(written), "the reply has numbers of its own (24 hours, dates)"
        for isolated in ISOLATED.findall(reply.text):  # as written (phones, links), or a time of day
            clock = re.fullmatch(f"{LRI}[{DIGIT_SYSTEMS[native]}]{{2}}:[{DIGIT_SYSTEMS[native]}]{{2}}{PDI}", isolated)
            assert clock or digit_systems(isolated) <= {"latin"}, isolated
    crisis = assistant.renderer(language).crisis(CRISIS_TOPICS)
    assert digit_systems(outside_isolates(crisis)) <= {native}


# ---- hours, weekdays, months, lists -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "weekdays", "times"),
    [
        ("en", "Mon–Fri", "08:00–20:00"),
        ("fr", "lun.–ven.", "08:00–20:00"),
        ("uk", "пн–пт", "08:00–20:00"),
        ("ar", "الاثنين–الجمعة", f"{LRI}08:00{PDI}–{LRI}20:00{PDI}"),
        ("ps", "دوشنبه–جمعه", f"{LRI}۰۸:۰۰{PDI}–{LRI}۲۰:۰۰{PDI}"),
        ("ti", "ሰኑ–ዓር", "08:00–20:00"),
    ],
)
def test_opening_hours_are_written_in_the_language_with_babel(
    assistant: Assistant, language: str, weekdays: str, times: str
) -> None:
    card = assistant.act("entry:shelter-helpline", NOW, language)
    assert f"🕘 {weekdays} {times}" in card.html


def test_an_event_date_reads_in_the_language_and_only_its_times_are_isolated(assistant: Assistant) -> None:
    reply = assistant.respond("city of sanctuary celebration", NOW, User(chosen_language="ar"))
    [when] = [line for line in reply.text.splitlines() if line.startswith("📅")]
    assert not when.startswith(f"📅 {LRI}"), "Arabic words inside a left-to-right isolate read backwards"
    assert "فبراير" in when and "، " in when and re.search(f"{LRI}\\d\\d:\\d\\d{PDI}", when)


def test_lists_use_the_languages_comma() -> None:
    assert translator("ti").join(["ምግቢ", "መንበሪ"]) == "ምግቢ፣ መንበሪ"
    assert translator("ar").join(["أ", "ب"]) == "أ، ب"
    assert translator("fr").join(["a", "b"]) == "a, b"


def test_the_reviewed_catalog_points() -> None:
    assert translator("fa")("Who can help with: {need}", need="X") == "چه کسی می‌تواند کمک کند: X"
    assert translator("ps")("Organised by {name}", name="X") == "تنظیموونکی: X"


# ---- the crisis reply and the menu, with no English sentence ------------------------------


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_crisis_reply_has_no_english_sentence(assistant: Assistant, language: str) -> None:
    """Names as written may follow in parentheses (for whoever answers the phone); nothing else is
    English, not even a note shown as written with "(in English)" after it."""
    r: Renderer = assistant.renderer(language)
    assert "if" in re.findall(r"\w+", without_parentheses(r.localised({"en": "Call if you can"})))
    text = without_parentheses(r.crisis(CRISIS_TOPICS))
    english = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})
    assert not english, f"English in the {language} crisis reply: {english}\n{text}"
    assert "Silent Solution" in r.crisis(["suicide"]), "the name of the service people ask the operator for"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_menu_description_is_translated(language: str) -> None:
    t = translator(language)
    for _, description in MENU:
        assert t(description) != description


async def test_the_command_menu_is_set_once_per_language(mini_kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), mini_kb, clock=lambda: NOW)
        async with started(app):
            pass
    default = json.dumps({"type": "default"}, sort_keys=True)
    assert set(api.commands) == {(default, "")} | {(default, lang) for lang in OTHER_LANGUAGES}
    english = api.commands[(default, "")]
    assert [c["command"] for c in english] == [name for name, _ in MENU]
    assert english[0]["description"] == "Start: what I can do"
    for language in OTHER_LANGUAGES:
        menu = api.commands[(default, language)]
        assert [c["command"] for c in menu] == [c["command"] for c in english]
        assert all(c["description"] != e["description"] for c, e in zip(menu, english, strict=True)), language
    arabic = " ".join(c["description"] for c in api.commands[(default, "ar")])
    assert not re.search("[A-Za-z]", arabic) and re.search("[\u0600-\u06ff]", arabic)
