"""The shape of the knowledge base: one pydantic model per kind of YAML entry.

This module is the single source of truth for what a volunteer may write. The loader validates
against it, `validate` reports against it, and the JSON Schema for editors is generated from it.
Every model is frozen: a loaded knowledge base never changes, a reload builds a new one.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from typing_extensions import TypeAliasType

LANGUAGES = ("en", "ar", "fa", "uk", "ps", "ku", "ti", "fr")
"""Languages the bot understands and answers in (ISO 639-1; ku is Kurdish Sorani)."""

ROMANISED = "translit"  # the word lists' key for Arabic, Farsi and Pashto written in Latin letters
WORD_LANGUAGES = (*LANGUAGES, ROMANISED)
"""Keys allowed in word lists: the eight languages plus romanised forms (Arabizi, Finglish ...)."""

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DateWord = Literal[
    "today", "tomorrow", "this-week", "next-week", "this-weekend", "this-month", "next-month",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]  # fmt: skip
CrisisTopic = Literal[
    "suicide", "overdose", "abuse", "violence", "sexual-violence", "medical", "child", "trafficking",
    "mental-health", "fire",
]  # fmt: skip
CRISIS_TOPICS: tuple[str, ...] = get_args(CrisisTopic)

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?(/[^\s]*)?$")
_SHORT_NUMBERS = ("101", "105", "111", "112", "119", "999")


def _spaced(digits: str) -> str:
    """'116' -> '1 *1 *6': the digits, with any spaces between them."""
    return " *".join(digits)


_PHONE = re.compile(
    "^(?:"
    + "|".join(map(_spaced, _SHORT_NUMBERS))
    + f"|{_spaced('116')}(?: *[0-9]){{3}}"  # 116 123 and the other European helplines
    + r"|(?:0|\+ *4 *4)(?: *[0-9]){9,10}"  # 01603 617076, 0808 800 4444, +44 1603 617076
    + ")$"
)
"""A UK phone number of digits and spaces. The regexes here are written in the part of the syntax that
Python and JSON Schema (ECMA 262) read alike, since the editor schema uses them as they are."""

_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")
_LOCAL_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?$")
_DAY_RANGE = re.compile(f"^({'|'.join(DAYS)})(-({'|'.join(DAYS)}))?$")


def _pattern(regex: re.Pattern[str], hint: str) -> WithJsonSchema:
    """What editors accept for a field a validator checks with `regex`: that regex, and `hint` when it fails.

    (`patternErrorMessage` is VS Code's: other JSON Schema tools ignore it.)"""
    return WithJsonSchema({"type": "string", "pattern": regex.pattern, "patternErrorMessage": hint})


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-organisation"
        raise ValueError(f"must be lower-case letters, digits and hyphens like '{suggestion}', got '{value}'")
    return value


def _phone(value: Any) -> str:
    text = str(value).strip()
    if not _PHONE.match(text):
        raise ValueError(
            "must be a UK phone number of digits and spaces like 01603 123456, 0808 800 4444 or "
            f"116 123 (put words such as 'option 2' in phone_note), got '{text}'"
        )
    return text


def _email(value: str) -> str:
    if not _EMAIL.match(value.strip()):
        raise ValueError(
            f"must be just an email address like info@example.org.uk (put any words in email_note), got '{value}'"
        )
    return value.strip()


def _url(value: str) -> str:
    if not _URL.match(value.strip()):
        raise ValueError(f"must be a web address starting with https:// like https://example.org.uk, got '{value}'")
    return value.strip()


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty: write the text, or leave the whole line out")
    return value.strip()


def _flag(value: Any) -> Any:
    """true or false, and nothing else: YAML 1.1's yes, no, on and off are text to editors (YAML 1.2) and to us."""
    if isinstance(value, bool):
        return value
    word = str(value).strip()
    if word.lower() in ("true", "false"):
        raise ValueError(f"must be true or false without quotes: write {word.lower()}")
    meant = {"yes": "true", "y": "true", "on": "true", "1": "true", "no": "false", "n": "false", "off": "false"}
    if word.lower() in meant:
        raise ValueError(f"must be true or false: write {meant[word.lower()]} instead of {word}")
    raise ValueError(f"must be true or false, got '{word}'")


def _as_text_by_language(value: Any) -> Any:
    """A plain string is the English text; a mapping gives a text per language."""
    return {"en": value} if isinstance(value, str) else value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _days(value: Any) -> Any:
    """Accept 'mon-fri' or 'mon' as well as a list of days."""
    if isinstance(value, str):
        text = value.strip().lower()
        found = _DAY_RANGE.match(text)
        if found and found.group(3):
            i, j = DAYS.index(found.group(1)), DAYS.index(found.group(3))
            return list(DAYS[i : j + 1]) if i <= j else list(DAYS[i:] + DAYS[: j + 1])
        return [text]
    return value


def _time(value: Any) -> Any:
    """'09:30' or '16:00', as the editor schema's pattern says: a time of day on the 24-hour clock."""
    if isinstance(value, time):
        return value
    text = str(value).strip()
    if _TIME.match(text):
        return time.fromisoformat(text)
    if _TIME.match("0" + text):
        raise ValueError(f'must have two digits for the hour: write "0{text}"')
    raise ValueError(f'must be a time on the 24-hour clock like "09:30" or "16:00", got \'{text}\'')


def _local_datetime(value: Any) -> Any:
    """'2024-02-05 18:00' is a local time in Europe/London; '2024-06-10' is an all-day date."""
    if isinstance(value, datetime | date):
        return value
    text = str(value).strip()
    if not _LOCAL_TIME.match(text):
        try:
            zoned = datetime.fromisoformat(text).tzinfo is not None
        except ValueError:
            zoned = False
        if zoned:
            raise ValueError(
                f"write the local time in Norfolk without a time zone, like 2024-02-05 18:00, got '{text}'"
            )
        raise ValueError(f"must be a date and time like 2024-02-05 18:00 (or a date like 2024-02-05), got '{text}'")
    try:
        return date.fromisoformat(text) if len(text) == len("2024-02-05") else datetime.fromisoformat(text)
    except ValueError as exc:  # a day that does not exist, like 2024-02-30
        raise ValueError(f"is not a real date ({exc}), got '{text}'") from None


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_PARTIAL_DATE_HELP = "write it as precisely as the source shows it: 2024, 2024-06 or 2024-06-12"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date only as precise as a source gives it: a year, a month of a year, or a day.

    "June 2024" on a page is `2024-06`, never 2024-06-01: a made-up day would claim more than the
    source says, and a card would show it as a fact.
    """

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        """'2024', '2024-06' or '2024-06-12' (or a date, or the number 2024 that YAML may make of a year)."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, datetime):
            raise ValueError(f"must be a date without a time; {_PARTIAL_DATE_HELP}, got '{value}'")
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        found = _PARTIAL_DATE.match(text)
        if found is None:
            raise ValueError(f"must be a year, a month or a day: {_PARTIAL_DATE_HELP}, got '{value}'")
        year, month, day = (int(part) if part else None for part in found.groups())
        assert year is not None
        if not 1900 <= year <= 2100:
            raise ValueError(f"has the year {year}: {_PARTIAL_DATE_HELP}")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"has the month {month:02d}, which is not 01 to 12: {_PARTIAL_DATE_HELP}")
        if month is not None and day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"'{text}' is not a day of the calendar: check the date on the source")
        return cls(year, month, day)

    @property
    def first(self) -> date:
        """The first day it may mean."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> date:
        """The last day it may mean: what it says is true at least until then."""
        if self.month is None:
            return date(self.year, 12, 31)
        return date(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        parts = [f"{self.year:04d}", *(f"{x:02d}" for x in (self.month, self.day) if x is not None)]
        return "-".join(parts)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # A year alone is a number to YAML, so an editor sees `information_from: 2024` as one.
        return {
            "type": ["string", "integer"],
            "pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$",
            "minimum": 1900,
            "maximum": 2100,
            "patternErrorMessage": _PARTIAL_DATE_HELP,
        }


RETIRED_FIELDS: dict[str, str] = {
    "last_verified": (
        "'last_verified' is no longer used, because it did not say whether anyone had checked: if a source "
        "shows the date {value}, write information_from: {value} (only as precise as the source shows it: "
        "2024, 2024-06 or 2024-06-12) and, with several sources, information_source: the page that shows it; "
        "if no source shows a date, write read_on: the day you read them. Only a real check with the "
        "organisation (a call, a visit) goes in checked_on and checked_by"
    ),
}
"""Fields that are gone, with what to write instead: a volunteer's old file gets a sentence, not a crash."""


Slug = Annotated[
    str, AfterValidator(_slug), _pattern(_SLUG, "lower-case letters, digits and hyphens, like bridge-plus")
]
# The bot reads a number as the text it is written as (a name or a word may be 999), editors as a number.
Text = Annotated[str, AfterValidator(_text), WithJsonSchema({"type": ["string", "number"], "minLength": 1})]
Phone = Annotated[
    str, BeforeValidator(_phone), _pattern(_PHONE, 'a UK number of digits and spaces, in quotes, like "01603 617076"')
]
Email = Annotated[str, AfterValidator(_email), _pattern(_EMAIL, "just an email address, like info@example.org.uk")]
Url = Annotated[str, AfterValidator(_url), _pattern(_URL, "a web address starting with https://")]
Flag = Annotated[bool, BeforeValidator(_flag)]
ClockTime = Annotated[time, BeforeValidator(_time), _pattern(_TIME, 'a time on the 24-hour clock like "09:30"')]
LocalTime = Annotated[
    datetime | date,
    BeforeValidator(_local_datetime),
    _pattern(_LOCAL_TIME, "a date and time like 2024-02-05 18:00, or a date like 2024-06-10"),
]
NeedId = TypeAliasType("NeedId", Slug)
"""The id of a need in needs.yaml: the editor schema lists the ids there (`validate` checks them)."""
PlaceId = TypeAliasType("PlaceId", Slug)
"""The id of a place in places.yaml: the editor schema lists the ids there (`validate` checks them)."""


@dataclass(frozen=True)
class _Languages:
    """Keys that must be language codes: a sentence for a volunteer's mistake, the codes for an editor's list."""

    allowed: tuple[str, ...]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), "propertyNames": {"enum": list(self.allowed)}}

    def check(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = [key for key in value if key not in self.allowed]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a language code here: use one of {', '.join(self.allowed)}")
        return value


NameTranslations = Annotated[dict[str, Text], _Languages(LANGUAGES)]
TextByLanguage = TypeAliasType(
    "TextByLanguage",
    Annotated[NameTranslations, BeforeValidator(_as_text_by_language, json_schema_input_type=Text | NameTranslations)],
)
"""A text: plain text is English, or one line per language."""
Words = TypeAliasType(
    "Words",
    Annotated[
        dict[str, Annotated[list[Text], BeforeValidator(_as_list, json_schema_input_type=Text | list[Text])]],
        _Languages(WORD_LANGUAGES),
    ],
)
"""Words and phrases per language (and romanised forms): one, or a list."""
DayRange = Annotated[str, _pattern(_DAY_RANGE, "write days like mon-fri, or a list like [mon, wed]")]
"""How the editor schema shows what `_days` reads besides a list: 'mon-fri' or 'mon'."""


def english(texts: dict[str, str] | None) -> str | None:
    """The English text of a translated field (the first one written if there is no English)."""
    if not texts:
        return None
    return texts.get("en") or next(iter(texts.values()))


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class OpeningHours(Frozen):
    """One line of a weekly timetable: these days, from opens to closes."""

    days: Annotated[
        list[Day],
        BeforeValidator(_days, json_schema_input_type=Annotated[list[Day], Field(min_length=1)] | DayRange),
    ] = Field(min_length=1, examples=[["mon", "tue", "wed", "thu", "fri"], "mon-fri"])
    opens: ClockTime = Field(examples=["10:00"])
    closes: ClockTime = Field(examples=["16:00"])

    @field_validator("closes")
    @classmethod
    def _closes_after_opens(cls, closes: time, info: ValidationInfo) -> time:
        opens = info.data.get("opens")
        if opens is not None and closes <= opens:
            raise ValueError(
                f"({closes:%H:%M}) must be after 'opens' ({opens:%H:%M}); "
                "for a service open all day and night write open_24_7: true instead"
            )
        return closes


class Coordinates(Frozen):
    lat: float = Field(ge=49.0, le=61.0, examples=[52.6309])
    lon: float = Field(ge=-9.0, le=2.0, examples=[1.2974])


class Entry(Frozen):
    """What every organisation, helpline and event has: who it is, what it helps with, the proof."""

    kind: ClassVar[str] = "entry"

    id: Slug = Field(examples=["bridge-plus"])
    name: Text = Field(examples=["The Bridge Plus+"])
    aliases: list[Text] = Field(default_factory=list, examples=[["Bridge Plus", "Bridgeplus"]])
    description: TextByLanguage = Field(examples=["Advice centre in Norwich for refugees and migrants."])
    needs: list[NeedId] = Field(default_factory=list, examples=[["legal-advice", "money"]])
    areas: list[PlaceId] = Field(default_factory=list, examples=[["norwich"]])
    name_translations: NameTranslations = Field(default_factory=dict, examples=[{"ar": "السامريون"}])
    caution: TextByLanguage | None = Field(
        default=None, examples=["These details are from 2017: call before you travel."]
    )
    caution_short: TextByLanguage | None = Field(
        default=None,
        description=(
            "The caution in a few words, shown beside the phone number in lists and the 'To talk to a "
            "person' lines; without it those show the whole caution."
        ),
        examples=["Number from 2017: check first."],
    )
    sources: Annotated[
        list[Url], BeforeValidator(_as_list, json_schema_input_type=Url | Annotated[list[Url], Field(min_length=1)])
    ] = Field(min_length=1, examples=[["https://bridgeplus.org.uk/what-we-do"]])
    information_from: PartialDate | None = Field(
        default=None,
        description=(
            "The newest date the sources show, exactly as precise as they show it: 2024, 2024-06 or "
            "2024-06-12. Leave it out if no source shows a date, and write read_on instead."
        ),
        examples=["2024-06"],
    )
    information_source: Url | None = Field(
        default=None,
        description="Which of the sources shows the date in information_from (not needed with one source).",
        examples=["https://www.newroutes.org.uk/news"],
    )
    read_on: date | None = Field(
        default=None,
        description="The day you read the sources, year-month-day. Needed when no source shows a date.",
        examples=["2026-11-30"],
    )
    checked_on: date | None = Field(
        default=None,
        description=(
            "The day a volunteer confirmed the details with the organisation itself (a phone call, a "
            "visit). Only this is ever called 'checked'."
        ),
        examples=["2026-12-03"],
    )
    checked_by: Text | None = Field(
        default=None,
        description="Who made that check, for the other volunteers (never shown to people asking for help).",
        examples=["Amira, by phone"],
    )

    @model_validator(mode="after")
    def _dated(self) -> Entry:
        """Every entry says how old its information is, and where that date comes from."""
        if self.information_from is None and self.read_on is None:
            raise ValueError(
                "say how old the information is: write the newest date the sources show as information_from, "
                "only as precise as they show it (2024, 2024-06 or 2024-06-12), or, if no source shows a date, "
                "the day you read them as read_on: YYYY-MM-DD"
            )
        if self.information_source is not None:
            if self.information_from is None:
                raise ValueError("'information_source' goes with information_from: write the date that source shows")
            if self.information_source not in self.sources:
                raise ValueError(
                    f"'information_source' ({self.information_source}) must be one of the sources: "
                    "copy its address from the sources list, or add it there"
                )
        elif self.information_from is not None and len(self.sources) > 1:
            raise ValueError(
                f"'information_source' is missing: write which of the sources shows {self.information_from}, "
                f"like information_source: {self.sources[0]}"
            )
        if self.checked_by is not None and self.checked_on is None:
            raise ValueError("'checked_by' needs checked_on: the day they confirmed the details")
        if self.caution_short is not None and self.caution is None:
            raise ValueError("'caution_short' is the short form of caution: write the whole caution too")
        return self

    @property
    def information_site(self) -> str | None:
        """The web site that shows the information's date, as people know it: 'newroutes.org.uk'."""
        if self.information_from is None:
            return None
        host = urlsplit(self.information_source or self.sources[0]).hostname or ""
        return host.removeprefix("www.")


class Service(Entry):
    """An organisation or a helpline: someone a person can contact."""

    need_notes: dict[NeedId, TextByLanguage] = Field(default_factory=dict)
    for_sanctuary_seekers: Flag = False
    phone: Phone | None = Field(default=None, examples=["01603 617076"])
    phone_note: TextByLanguage | None = None
    email: Email | None = Field(default=None, examples=["office@bridgeplus.org.uk"])
    email_note: TextByLanguage | None = None
    website: Url | None = Field(default=None, examples=["https://bridgeplus.org.uk"])
    address: Text | None = Field(default=None, examples=["44-48 Magdalen Street, Norwich NR3 1JU"])
    address_note: TextByLanguage | None = None
    coordinates: Coordinates | None = None
    opening_hours: list[OpeningHours] = Field(default_factory=list)
    open_24_7: Flag = False
    hours_note: TextByLanguage | None = None
    languages_note: TextByLanguage | None = None
    crisis_topics: list[CrisisTopic] = Field(default_factory=list)
    human_contact: Flag = Field(default=False, description="Offered as a person to talk to when the bot cannot help.")

    @model_validator(mode="after")
    def _consistent(self) -> Service:
        if self.open_24_7 and self.opening_hours:
            raise ValueError("write either open_24_7: true or opening_hours, not both")
        if not self.needs:
            raise ValueError("'needs' is missing: list what this service helps with, e.g. needs: [food]")
        if not self.areas:
            raise ValueError("'areas' is missing: list the places it serves, e.g. areas: [norwich]")
        return self

    @property
    def contact_count(self) -> int:
        return sum(x is not None for x in (self.phone, self.email, self.website, self.address))


class Organisation(Service):
    kind: ClassVar[str] = "organisation"


class Helpline(Service):
    kind: ClassVar[str] = "helpline"


_FREQUENCY_WORDS = {"daily": "day", "weekly": "week", "monthly": "month", "days": "day", "weeks": "week"}
_DAY_NAMES = dict(
    zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)
_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def _every(value: Any) -> Any:
    """'weekly' is what many people write for 'week'."""
    if isinstance(value, str):
        value = value.strip().lower()
        return _FREQUENCY_WORDS.get(value, value)
    return value


def _weekdays(value: Any) -> Any:
    """Like _days, but says which words are allowed, since 'on' is easy to get wrong ('tues', 'Tuesday')."""
    days = _days(value)
    if not isinstance(days, list):
        return days
    cleaned = [str(day).strip().lower() for day in days]
    for day in cleaned:
        if day not in DAYS:
            raise ValueError(f"'{day}' is not a day here: write mon, tue, wed, thu, fri, sat or sun")
    return cleaned


class Repeat(Frozen):
    """How an event repeats: RFC 5545's RRULE in words volunteers can read, so it exports to calendars as is."""

    model_config = ConfigDict(serialize_by_alias=True)

    every: Annotated[
        Literal["day", "week", "month"],
        BeforeValidator(
            _every,
            json_schema_input_type=Literal["day", "week", "month"]
            | Annotated[str, WithJsonSchema({"enum": sorted(_FREQUENCY_WORDS)})],
        ),
    ] = Field(examples=["week"])
    interval: int = Field(default=1, ge=1, description="2 means every other week (or day, or month)", examples=[2])
    on: Annotated[list[Day], BeforeValidator(_weekdays, json_schema_input_type=list[Day] | DayRange)] = Field(
        default_factory=list, examples=[["tue"]]
    )
    nth: int | None = Field(default=None, description="Month only: 1 to 4, or -1 for the last", examples=[1])
    until: date | None = Field(default=None, description="The last date it may happen", examples=["2024-12-31"])
    count: int | None = Field(default=None, ge=1, description="How many times it happens in all", examples=[10])
    except_: Annotated[list[date], BeforeValidator(_as_list, json_schema_input_type=date | list[date])] = Field(
        default_factory=list, alias="except", description="Dates when it does not happen", examples=[["2024-12-24"]]
    )

    @field_validator("nth")
    @classmethod
    def _nth_in_month(cls, nth: int | None, info: ValidationInfo) -> int | None:
        if nth is None:
            return nth
        if nth not in _NTH:
            raise ValueError(f"must be 1, 2, 3 or 4 (the first to the fourth) or -1 (the last), got {nth}")
        if info.data.get("every", "month") != "month":
            raise ValueError(
                "only goes with every: month ('the first Monday of the month' is every: month, on: [mon], nth: 1)"
            )
        return nth

    @field_validator("count")
    @classmethod
    def _not_both(cls, count: int | None, info: ValidationInfo) -> int | None:
        if count is not None and info.data.get("until") is not None:
            raise ValueError("cannot go with 'until': write either the last date (until) or how many times (count)")
        return count

    @model_validator(mode="after")
    def _month_days(self) -> Repeat:
        if self.every == "month" and self.on and self.nth is None:
            raise ValueError(
                f"with every: month and on: [{self.on[0]}] also needs nth: 1 for the first "
                f"{_DAY_NAMES[self.on[0]]} of the month, 2 for the second ... or -1 for the last"
            )
        if self.nth is not None and not self.on:
            raise ValueError(
                f"has nth: {self.nth} but no day: add e.g. on: [mon] for the {_NTH[self.nth]} Monday of the month"
            )
        return self


class Event(Entry):
    """Something happening on a date: a celebration, a meeting, a drop-in."""

    kind: ClassVar[str] = "event"

    organiser: Slug | None = Field(
        default=None,
        description="The id of the organisation that runs it; leave it out when no source says who does.",
        examples=["norwich-city-of-sanctuary"],
    )
    start: LocalTime = Field(examples=["2024-02-05 18:00"])
    end: LocalTime | None = Field(
        default=None,
        description=(
            "When it ends, like 2024-02-05 20:30, or the last day 2024-06-30 for an event of several days. "
            "It must not be before start: `python run_bot.py validate` checks that, the editor cannot."
        ),
        examples=["2024-02-05 20:30"],
    )
    venue: Text | None = Field(default=None, examples=["Norwich Arts Centre"])
    address: Text | None = None
    online: Flag = False
    booking: TextByLanguage | None = None
    repeat: Repeat | None = Field(default=None, description="For an event that happens again; start is the first time")

    @field_validator("repeat")
    @classmethod
    def _start_is_first(cls, repeat: Repeat | None, info: ValidationInfo) -> Repeat | None:
        """The start must itself fit the rule: calendars always count it, dateutil would skip it."""
        start = info.data.get("start")
        if repeat is None or start is None:
            return repeat
        first = start.date() if isinstance(start, datetime) else start
        weekday = DAYS[first.weekday()]
        if repeat.until is not None and repeat.until < first:
            raise ValueError(f"'until' ({repeat.until}) is before 'start' ({first}): check the dates")
        if repeat.on and weekday not in repeat.on:
            raise ValueError(
                f"'start' ({first}) is a {_DAY_NAMES[weekday]}, but 'on' is {', '.join(repeat.on)}: "
                "make start the first date it happens"
            )
        if repeat.nth is not None:
            is_last = (first + timedelta(days=7)).month != first.month
            if not (is_last if repeat.nth == -1 else (first.day + 6) // 7 == repeat.nth):
                raise ValueError(
                    f"'start' ({first}) is not the {_NTH[repeat.nth]} {_DAY_NAMES[weekday]} of its month: "
                    "make start the first date it happens"
                )
        return repeat

    @model_validator(mode="after")
    def _end_after_start(self) -> Event:
        if self.end is not None:
            start, end = _comparable(self.start), _comparable(self.end)
            if end < start:
                raise ValueError(f"'end' ({self.end}) is before 'start' ({self.start}): check the dates and times")
        return self

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


class RegularSession(Entry):
    """A regular session whose source names no day or date ("three times a week", "through the
    year: ask them for dates"). It has no occurrences, so no calendar entry and no reminder: the bot
    lists it beside the upcoming events as one to ask about. A session with a day is an event with
    `repeat` instead."""

    kind: ClassVar[str] = "session"

    organiser: Slug = Field(examples=["new-routes"])
    usually: TextByLanguage = Field(
        description="When it happens, in the source's words, without inventing a day or a time",
        examples=["Three times a week (the days were not given)"],
    )
    venue: Text | None = Field(default=None, examples=["Gateway Church offices, King's Lynn"])
    address: Text | None = None


def _comparable(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time.max)


class Need(Frozen):
    """A kind of help people ask for, with the words they use for it in every language."""

    id: Slug = Field(examples=["food"])
    label: TextByLanguage = Field(examples=[{"en": "Food and clothes"}])
    words: Words = Field(examples=[{"en": ["food bank", "hungry", "free meal*"]}])
    exclude: Words = Field(default_factory=dict, examples=[{"en": ["fast food"]}])
    secondary: Flag = Field(
        default=False,
        description=(
            "Its words often say who is asking rather than what they need ('my son'): "
            "when another need is asked about too, that one comes first."
        ),
    )
    events: Flag = Field(
        default=False,
        description=(
            "Those who serve it run activities: a question about events or dates ('what is on this "
            "week') that names no need is also a question for them, so it is answered when no event is."
        ),
    )


def combination_groups(value: str) -> tuple[tuple[str, ...], bool]:
    """'kill + myself' -> (('kill', 'myself'), False): in any order; 'negation > hit': in this order."""
    ordered = ">" in value
    return tuple(part.strip() for part in value.split(">" if ordered else "+")), ordered


def _combination(value: str) -> str:
    """'kill + myself': the ids of one to four crisis word groups joined by '+' (any order) or '>' (this order)."""
    text = str(value)
    parts, ordered = combination_groups(text)
    if ("+" in text and ordered) or not 1 <= len(parts) <= 4 or not all(_SLUG.match(part) for part in parts):
        raise ValueError(
            "must be ids of crisis_groups joined by ' + ' (in any order) or ' > ' (in this order), "
            f"like 'kill + myself', got '{value}'"
        )
    return (" > " if ordered else " + ").join(parts)


Combination = Annotated[str, AfterValidator(_combination)]


class CrisisGroup(Frozen):
    """Words of one meaning ('kill', 'myself'), in every language, that crisis combinations are made of."""

    id: Slug = Field(examples=["myself"])
    meaning: Text | None = Field(default=None, examples=["the writer's own self or life, as what they would harm"])
    words: Words = Field(examples=[{"en": ["myself", "my life"]}])


class CrisisWords(Frozen):
    """How to recognise one kind of danger: phrases, and combinations of word groups close together."""

    topic: CrisisTopic
    words: Words = Field(default_factory=dict, examples=[{"en": ["suicidal"]}])
    together: list[Combination] = Field(default_factory=list, examples=[["kill + myself", "want + die"]])
    uncertain: list[Combination] = Field(default_factory=list, examples=[["hopeless"]])
    uncertain_words: Words = Field(default_factory=dict, examples=[{"en": ["i feel so alone"]}])


class NotCrisis(Frozen):
    """Harmless words that contain crisis words ("kitchen knife", "my phone died"): they cancel those words."""

    about: Text = Field(examples=["Everyday things and idioms"])
    words: Words = Field(default_factory=dict, examples=[{"en": ["kitchen knife", "my phone died"]}])
    together: list[Combination] = Field(default_factory=list, examples=[["long-ago + hit"]])


class Place(Frozen):
    id: Slug = Field(examples=["norwich"])
    name: Text = Field(examples=["Norwich"])
    aliases: list[Text] = Field(default_factory=list)
    within: list[PlaceId] = Field(default_factory=list, examples=[["norfolk"]])
    centre: Coordinates | None = Field(default=None, description="The town centre, to sort by distance")
    centre_source: Url | None = None

    @model_validator(mode="after")
    def _centre_has_source(self) -> Place:
        if self.centre is not None and self.centre_source is None:
            raise ValueError("'centre' needs a 'centre_source': the web page the coordinates come from")
        return self


class ConversationWords(Frozen):
    """Words for the conversation itself rather than for a need."""

    greetings: Words = Field(default_factory=dict)
    thanks: Words = Field(default_factory=dict)
    events: Words = Field(default_factory=dict)
    event_questions: Words = Field(
        default_factory=dict,
        description="Asking what is on ('what's on', 'coming up', 'what is there this week'): with no need "
        "but activities and no name, the question is answered with the upcoming events and regular sessions",
    )
    when: Words = Field(
        default_factory=dict,
        description="Asking when something is ('what time'): about events only beside an event word or a date",
    )
    general_help: Words = Field(default_factory=dict)
    requests: Words = Field(
        default_factory=dict,
        description="How people ask for something (I need, where can I, بدي, میخوام): a need's words "
        "next to these are what the person asks for, and count more than words that set the scene",
    )
    first: Words = Field(
        default_factory=dict,
        description="What people say comes first ('first thing', 'right now', 'головне'): the need named "
        "right after one of these outweighs the others the message names",
    )
    later: Words = Field(
        default_factory=dict,
        description="What people say comes later ('later', 'plus tard', 'بعدين'): a need named in the few "
        "words after one of these counts less than the others the message names",
    )
    also: Words = Field(
        default_factory=dict,
        description="Words that add a request to what was said before ('and also', 'а ще', 'وكمان'): "
        "what is asked for after one of these does not outrank a need the message named first",
    )
    scene: Words = Field(
        default_factory=dict,
        description="Need words that usually only set the scene (Home Office, hotel): they count less "
        "than what the person asks for",
    )
    elsewhere: Words = Field(
        default_factory=dict,
        description="Questions the bot is not for (who won the match, a recipe, the weather, a joke): "
        "with one of these, a need named by a single word is offered as 'Is this what you need?', "
        "never answered as if it were the question",
    )
    stopwords: Words = Field(default_factory=dict)
    dates: dict[DateWord, Words] = Field(default_factory=dict)


TranslatedLanguage = Literal["ar", "fa", "uk", "ps", "ku", "ti", "fr"]


class EntryTexts(Frozen):
    """An entry's texts in one other language; each replaces nothing, it is shown in replies in that language."""

    name: Text | None = None
    aliases: list[Text] = Field(
        default_factory=list,
        description="How people write the name in this language or script, so that a question finds it",
        examples=[["بريدج بلس", "البريدج بلس"]],
    )
    description: Text | None = None
    caution: Text | None = None
    caution_short: Text | None = Field(
        default=None, description="The entry's caution_short in this language: the caution in a few words."
    )
    phone_note: Text | None = None
    email_note: Text | None = None
    usually: Text | None = Field(
        default=None, description="A regular session's `usually` in this language: how often, in the source's words."
    )
    address_note: Text | None = None
    hours_note: Text | None = None
    languages_note: Text | None = None
    booking: Text | None = None
    need_notes: dict[NeedId, Text] = Field(default_factory=dict)


class Translations(Frozen):
    """The texts of organisations, helplines and events in one language, by entry id."""

    language: TranslatedLanguage
    reviewed_by: Text | None = Field(
        default=None, description="Who checked these translations as a native speaker; empty while they are a draft."
    )
    entries: dict[Slug, EntryTexts]


SECTIONS: dict[str, type[Frozen]] = {
    "organisations": Organisation,
    "helplines": Helpline,
    "events": Event,
    "sessions": RegularSession,
    "needs": Need,
    "crisis": CrisisWords,
    "crisis_groups": CrisisGroup,
    "not_crisis": NotCrisis,
    "translations": Translations,
    "places": Place,
}
"""Top-level keys of the YAML files whose value is a list of entries of that model."""

WORDS_SECTION = "words"
"""The one top-level key whose value is a single mapping (ConversationWords)."""
