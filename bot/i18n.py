"""The bot's own words in the user's language, from gettext catalogs under `locales/`.

Catalogs are the `.po` files translators edit (with Poedit or Weblate); they are read directly
with Babel, so there is no compile step to forget. A string missing from a catalog falls back to
English, never to a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.schema import LANGUAGES

LOCALES = Path(__file__).resolve().parent.parent / "locales"
RTL = frozenset({"ar", "fa", "ps", "ku"})
NATIVE_NAMES = {
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی",
    "uk": "Українська",
    "ps": "پښتو",
    "ku": "کوردی",
    "ti": "ትግርኛ",
    "fr": "Français",
}


def N_(message: str) -> str:
    """Marks an English sentence for the catalogs where it is written; translated where it is shown."""
    return message


@dataclass(frozen=True)
class Translator:
    """Translates the bot's English sentences into one language, with {named} placeholders."""

    language: str
    messages: dict[str, str] = field(default_factory=dict, repr=False)

    def __call__(self, message: str, /, **values: object) -> str:
        text = self.messages.get(message) or message
        return text.format(**values) if values else text

    def has(self, message: str) -> bool:
        return bool(self.messages.get(message))


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LANGUAGES))
def translator(language: str) -> Translator:
    """The translator for `language`; English (the identity) when there is no catalog."""
    path = catalog_path(language)
    if language == "en" or not path.exists():
        return Translator("en" if not path.exists() else language)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    messages = {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }
    return Translator(language, messages)


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """Languages the bot can answer in: English and every language with a catalog."""
    return tuple(lang for lang in LANGUAGES if lang == "en" or catalog_path(lang).exists())


def answer_language(wanted: str) -> str:
    """The language a reply will be written in when `wanted` is asked for."""
    return wanted if wanted in available_languages() else "en"
