"""Eight languages: catalogs complete and current, detection by script and words, RTL isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.assistant import Assistant, User
from bot.i18n import LOCALES, RTL, Translator, available_languages, compiled, translator
from bot.language import detect
from bot.replies import LRI, PDI
from bot.schema import LANGUAGES
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"t": None, "N_": None, "plural": (1, 2), "NP_": (1, 2)}  # as in the README's pybabel command
PLACEHOLDER = re.compile(r"\{(\w+)\}")
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


def messages_in_code() -> set[str]:
    """Every sentence the code marks: a plain one, or the singular of one with a count."""
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def plurals_in_code() -> dict[str, str]:
    """Singular -> plural of every sentence with a count."""
    found: dict[str, str] = {}
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, keywords=KEYWORDS):
            if not isinstance(message, str):
                found[message[0]] = message[1]
    return found


def test_the_template_is_current() -> None:
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = messages_in_code() - template
    assert not missing, f"run the extraction command in the README; missing from messages.pot: {sorted(missing)}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_catalog_translates_every_string_with_the_same_placeholders(language: str) -> None:
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        po = read_po(handle)
    catalog = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in po if m.id}
    plurals = plurals_in_code()
    for message in sorted(messages_in_code()):
        translated = catalog.get(message)
        assert translated, f"{path}: no translation of {message!r}"
        wanted = set(PLACEHOLDER.findall(message))
        if message not in plurals:
            assert isinstance(translated, str) and set(PLACEHOLDER.findall(translated)) == wanted, (
                f"{path}: placeholders differ in {message!r}"
            )
            continue
        assert isinstance(translated, tuple) and len(translated) == po.num_plurals, (
            f"{path}: {message!r} needs {po.num_plurals} plural forms"
        )
        for form in translated:
            found = set(PLACEHOLDER.findall(form))
            # Arabic writes "one subscriber", "two subscribers" in words: a form may leave out the count
            assert form and found <= wanted and len(wanted - found) <= 1, f"{path}: placeholders differ in {form!r}"
        assert set(PLACEHOLDER.findall(translated[-1])) == wanted, f"{path}: the last form of {message!r}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_unreviewed_translations_say_so_in_the_header(language: str) -> None:
    """A header comment, which `pybabel update` keeps (it drops unknown header fields)."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    assert "not yet reviewed by a native speaker" in catalog.header_comment
    assert "#, fuzzy" not in path.read_text(encoding="utf-8"), "fuzzy entries are dropped when compiled"


def test_every_language_is_available() -> None:
    assert set(available_languages()) == set(LANGUAGES)


def test_a_missing_string_falls_back_to_english_never_a_key() -> None:
    catalog = Catalog(locale="fa")
    catalog.add("Menu", "\u0645\u0646\u0648")
    catalog.add(("{days} day", "{days} days"), ("", ""))
    partial = Translator("fa", compiled(catalog))
    assert partial("Menu") == "\u0645\u0646\u0648"
    assert partial("Who can help with: {need}", need="X") == "Who can help with: X"
    assert partial.plural("{days} day", "{days} days", 3, days=3) == "\u06f3 days"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where can i find free food for my children", "en"),
        ("o\u00f9 trouver un avocat gratuit pour ma demande d'asile", "fr"),
        (
            "\u0623\u064a\u0646 \u064a\u0645\u0643\u0646\u0646\u064a \u0627\u0644\u062d\u0635\u0648\u0644 \u0639\u0644\u0649 \u0637\u0639\u0627\u0645 \u0645\u062c\u0627\u0646\u064a\u061f",
            "ar",
        ),
        (
            "\u06a9\u0644\u0627\u0633 \u0632\u0628\u0627\u0646 \u0627\u0646\u06af\u0644\u06cc\u0633\u06cc \u0631\u0627\u06cc\u06af\u0627\u0646 \u06a9\u062c\u0627\u0633\u062a\u061f",
            "fa",
        ),
        ("\u0632\u0647 \u0689\u0648\u0689\u06cd \u062a\u0647 \u0627\u0693\u062a\u06cc\u0627 \u0644\u0631\u0645", "ps"),
        (
            "\u067e\u06ce\u0648\u06cc\u0633\u062a\u0645 \u0628\u06d5 \u067e\u0627\u0631\u06ce\u0632\u06d5\u0631\u06d5",
            "ku",
        ),
        (
            "\u0414\u0435 \u043c\u043e\u0436\u043d\u0430 \u043e\u0442\u0440\u0438\u043c\u0430\u0442\u0438 \u0431\u0435\u0437\u043a\u043e\u0448\u0442\u043e\u0432\u043d\u0443 \u0457\u0436\u0443?",
            "uk",
        ),
        ("\u121d\u130d\u1262 \u12e8\u12f5\u120d\u12e8\u1292 \u12a3\u120e", "ti"),
    ],
)
def test_the_language_is_detected_from_script_letters_and_words(assistant: Assistant, text: str, language: str) -> None:
    detection = detect(text, assistant.index.stopwords_by_language)
    assert detection.language == language
    assert assistant.respond(text, NOW).language == language


def test_a_short_or_mixed_message_keeps_the_users_last_language(assistant: Assistant) -> None:
    assert assistant.respond("ok", NOW, User(last_language="fa")).language == "fa"
    assert assistant.respond("GYROS", NOW, User(last_language="ar")).language == "ar"


def test_the_users_choice_wins_over_detection(assistant: Assistant) -> None:
    assert assistant.respond("food bank", NOW, User(chosen_language="uk")).language == "uk"


def test_telegram_language_is_used_before_english(assistant: Assistant) -> None:
    assert assistant.respond("ok", NOW, User(telegram_language="ti")).language == "ti"


@pytest.mark.parametrize("language", sorted(RTL))
def test_right_to_left_replies_isolate_numbers_links_and_addresses(assistant: Assistant, language: str) -> None:
    card = assistant.act("entry:bridge-plus", NOW, language)
    assert card.language == language
    service = assistant.kb.entry("bridge-plus")
    assert service is not None
    for value in (service.phone, service.website, service.address):  # type: ignore[attr-defined]
        if value:
            assert f"{LRI}{value}{PDI}" in card.html
    assert assistant.act("entry:bridge-plus", NOW, "fr").html.count(LRI) == 0


def test_an_untranslated_description_is_shown_in_english_with_a_translated_note(mini: Assistant) -> None:
    card = mini.act("entry:food-place", NOW, "uk")  # the small knowledge base has no translations
    note = translator("uk")("in English")
    assert note != "in English"
    assert f"({note})" in card.text


def test_dates_are_written_in_the_users_language(assistant: Assistant) -> None:
    reply = assistant.respond("city of sanctuary celebration", NOW, User(chosen_language="fr"))
    assert "f\u00e9vrier" in reply.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ma 3ad baddi shi, ma 7ada byesma3ni", ("en", False)),  # Arabizi shares "ma" with French: not French
        ("wen fi 2akel majjani, 3ayelti ju3ane", ("en", False)),
        ("my flat is on the 3rd floor, I need help on the 2nd of May at 5pm", ("en", True)),  # ordinals, times
        ("j'habite au 2e étage de la maison, rendez-vous à 3h", ("fr", True)),
    ],
)
def test_arabic_written_with_digits_is_neither_french_nor_english_for_sure(
    text: str, expected: tuple[str, bool]
) -> None:
    words = {"fr": frozenset({"ma", "de", "la", "au", "j", "habite"}), "en": frozenset({"my", "is", "the", "i", "on"})}
    detection = detect(text, words)
    assert (detection.language, detection.confident) == expected
