"""The bot's own words in the user's language: gettext catalogs, plurals, digits, dates and lists.

Catalogs are the `.po` files translators edit (with Poedit or Weblate) under `locales/`; they are
read with Babel and compiled in memory for gettext, so there is no compile step to forget. A
string missing from a catalog falls back to English, never to a key.

Numbers are written one way per language, here and nowhere else: in the digits CLDR names as the
language's own (Persian and Pashto ۰۱۲, Sorani ٠١٢, the others 0-9), except phone numbers, which
stay as on a keypad (0-9, isolated left-to-right in right-to-left text) so that they can be
tapped, copied and dialled.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.schema import DAYS, LANGUAGES

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
BABEL_LOCALES = {"ku": "ckb"}  # Babel's "ku" is Kurmanji; our Kurdish is Sorani
LRI, PDI, FSI, RLI = "\u2066", "\u2069", "\u2068", "\u2067"

# Numbers everyone dials whatever the knowledge base lists: they appear in the bot's own sentences.
EMERGENCY_NUMBERS = frozenset({"999", "112"})
_DIGITS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}
_ANY_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
_NUMBER = re.compile(rf"[{_ANY_DIGIT}]+(?:[ \u00a0][{_ANY_DIGIT}]+)*")
_ISOLATED = re.compile(rf"([{LRI}{RLI}{FSI}][^{PDI}]*{PDI})")
_TO_LATIN = str.maketrans(_DIGITS["arab"] + _DIGITS["arabext"], _DIGITS["latn"] * 2)
# Separators of a list of items and of a list of phrases: the Arabic-script comma and semicolon,
# Ge'ez's ፣ and ፤ in Tigrinya.
_COMMAS = {"ar": "، ", "fa": "، ", "ps": "، ", "ku": "، ", "ti": "፣ "}
_SEMICOLONS = {"ar": "؛ ", "fa": "؛ ", "ps": "؛ ", "ku": "؛ ", "ti": "፤ "}


def N_(message: str) -> str:
    """Marks an English sentence for the catalogs where it is written; translated where it is shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks an English sentence with a count, in its two English forms, for the catalogs: each
    language has as many forms as it needs (Arabic six, Ukrainian three); `Translator.plural` picks one."""
    return singular, plural


def babel_locale(language: str) -> str:
    return BABEL_LOCALES.get(language, language)


def numerals(language: str) -> str:
    """The ten digits a language writes its numbers with: CLDR's default numbering system for it."""
    try:
        system = Locale.parse(babel_locale(language)).default_numbering_system
    except (UnknownLocaleError, ValueError):
        system = "latn"
    return _DIGITS.get(system, _DIGITS["latn"])


@dataclass(frozen=True)
class Translator:
    """Writes the bot's words in one language: sentences with {named} values, plurals, numbers,
    dates, times, weekdays and lists."""

    language: str
    catalog: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, repr=False)
    # Numbers written as on a keypad, spaces removed: the knowledge base's phone numbers and 999.
    dialled: frozenset[str] = EMERGENCY_NUMBERS

    def __call__(self, message: str, /, **values: object) -> str:
        return self._fill(self.catalog.gettext(message), values)

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The form for `n` in this language (gettext's ngettext), with `values` filled in."""
        return self._fill(self.catalog.ngettext(singular, plural, n), values)

    def dialling(self, numbers: Iterable[str]) -> Translator:
        """This translator, knowing these phone numbers too (so that it keeps them as dialled)."""
        extra = frozenset(re.sub(r"\s", "", n.translate(_TO_LATIN)) for n in numbers)
        return self if extra <= self.dialled else replace(self, dialled=self.dialled | extra)

    def _fill(self, text: str, values: dict[str, object]) -> str:
        """The sentence's own numbers and the numbers given are written in this language's digits;
        other values (names, dates already written) are put in as they are."""
        text = self.digits(text)
        if not values:
            return text
        return text.format(**{k: self.number(v) if isinstance(v, int) else v for k, v in values.items()})

    # ---- numbers ------------------------------------------------------------------------

    @property
    def rtl(self) -> bool:
        return self.language in RTL

    def isolate(self, text: str) -> str:
        """Text kept left-to-right inside a right-to-left sentence, so its order is not scrambled."""
        return f"{LRI}{text}{PDI}" if self.rtl and text else text

    def number(self, n: int) -> str:
        return str(n).translate(self._native)

    def digits(self, text: str) -> str:
        """Every number in `text` in this language's digits, except phone numbers (kept as on a
        keypad and isolated) and whatever is already isolated (phones, links, addresses as written)."""
        if self.language == "en" or not any(c.isdigit() for c in text):
            return text
        return "".join(
            piece if i % 2 else _NUMBER.sub(self._number_in_text, piece)
            for i, piece in enumerate(_ISOLATED.split(text))
        )

    @property
    def _native(self) -> dict[int, int]:
        return _native_table(self.language)

    def _number_in_text(self, match: re.Match[str]) -> str:
        """A run of digit groups ("0808 800 4444", "2017"): the phone numbers in it as dialled, the
        rest in this language's digits."""
        groups = match.group().translate(_TO_LATIN).split()
        out: list[str] = []
        i = 0
        while i < len(groups):
            end = next((j for j in range(len(groups), i, -1) if "".join(groups[i:j]) in self.dialled), None)
            if end is None:
                out.append(groups[i].translate(self._native))
                i += 1
            else:
                out.append(self.isolate(" ".join(groups[i:end])))
                i = end
        return " ".join(out)

    # ---- dates, times, lists ------------------------------------------------------------

    def day(self, value: date, weekday: bool = True) -> str:
        """'Tuesday 3 February 2026' in this language, in its digits."""
        return self.number_text(_format_day(value, weekday, babel_locale(self.language)))

    def clock(self, value: datetime | time) -> str:
        """'09:00' (the 24-hour clock, as in the UK) in this language's digits."""
        return self.number_text(format_time(value, format="HH:mm", locale=babel_locale(self.language)))

    def weekday(self, day: str) -> str:
        """The short name of a weekday ('mon' ... 'sun') in this language, from CLDR."""
        return _weekdays(babel_locale(self.language))[DAYS.index(day)]

    def join(self, items: Iterable[str]) -> str:
        """Items of a list, with this language's comma."""
        return _COMMAS.get(self.language, ", ").join(items)

    def join_phrases(self, items: Iterable[str]) -> str:
        """Phrases that themselves hold commas, with this language's semicolon."""
        return _SEMICOLONS.get(self.language, "; ").join(items)

    def number_text(self, text: str) -> str:
        """Digits of a time or date, none of them a phone number."""
        return text.translate(_TO_LATIN).translate(self._native)


@lru_cache(maxsize=len(LANGUAGES))
def _native_table(language: str) -> dict[int, int]:
    return str.maketrans(_DIGITS["latn"], numerals(language))


@lru_cache(maxsize=4096)
def _format_day(value: date, weekday: bool, locale: str) -> str:
    """Babel's date formatting is slow for the few dates every card shows: remember them."""
    return format_date(value, format="EEEE d MMMM y" if weekday else "d MMMM y", locale=locale)


@lru_cache(maxsize=len(LANGUAGES))
def _weekdays(locale: str) -> tuple[str, ...]:
    names = get_day_names("abbreviated", context="stand-alone", locale=locale)
    return tuple(names[i] for i in range(7))


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def compiled(catalog: Catalog) -> gettext.GNUTranslations:
    """A Babel catalog as gettext reads it (fuzzy entries left out, as `msgfmt` does)."""
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=len(LANGUAGES))
def translator(language: str) -> Translator:
    """The translator for `language`; English (the identity) when there is no catalog."""
    path = catalog_path(language)
    if language == "en" or not path.exists():
        return Translator("en" if not path.exists() else language)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(language))
    return Translator(language, compiled(catalog))


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """Languages the bot can answer in: English and every language with a catalog."""
    return tuple(lang for lang in LANGUAGES if lang == "en" or catalog_path(lang).exists())


def answer_language(wanted: str) -> str:
    """The language a reply will be written in when `wanted` is asked for."""
    return wanted if wanted in available_languages() else "en"
