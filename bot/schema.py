"""The shape of the knowledge base: one pydantic model per kind of YAML entry.

This module is the single source of truth for what a volunteer may write. The loader validates
against it, `validate` reports against it, and the JSON Schema for editors is generated from it.
Every model is frozen: a loaded knowledge base never changes, a reload builds a new one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

LANGUAGES = ("en", "ar", "fa", "uk", "ps", "ku", "ti", "fr")
"""Languages the bot understands and answers in (ISO 639-1; ku is Kurdish Sorani)."""

WORD_LANGUAGES = (*LANGUAGES, "translit")
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
_URL = re.compile(r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/[^\s]*)?$")
_SHORT_NUMBERS = {"999", "112", "111", "101", "105", "119"}


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-organisation"
        raise ValueError(f"must be lower-case letters, digits and hyphens like '{suggestion}', got '{value}'")
    return value


def _phone(value: Any) -> str:
    text = str(value).strip()
    digits = re.sub(r"\s+", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    valid = digits.isdigit() and (
        digits in _SHORT_NUMBERS
        or (digits.startswith("116") and len(digits) == 6)
        or (digits.startswith("0") and len(digits) in (10, 11))
    )
    if not valid or not re.fullmatch(r"\+?[0-9 ]+", text):
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


def _as_text_by_language(value: Any) -> Any:
    """A plain string is the English text; a mapping gives a text per language."""
    return {"en": value} if isinstance(value, str) else value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _days(value: Any) -> Any:
    """Accept 'mon-fri' or 'mon' as well as a list of days."""
    if isinstance(value, str):
        text = value.strip().lower()
        if "-" in text:
            first, _, last = text.partition("-")
            if first in DAYS and last in DAYS:
                i, j = DAYS.index(first), DAYS.index(last)
                return list(DAYS[i : j + 1]) if i <= j else list(DAYS[i:] + DAYS[: j + 1])
        return [text]
    return value


def _time(value: Any) -> Any:
    """YAML 1.1 reads an unquoted 10:00 as the number 600 (minutes); read it back as a time."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


def _local_datetime(value: Any) -> Any:
    """'2024-02-05 18:00' is a local time in Europe/London; '2024-06-10' is an all-day date."""
    if isinstance(value, datetime | date):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"must be a date and time like 2024-02-05 18:00 (or a date like 2024-02-05), got '{text}'"
        ) from None
    if parsed.tzinfo is not None:
        raise ValueError(f"write the local time in Norfolk without a time zone, like 2024-02-05 18:00, got '{text}'")
    return parsed


Slug = Annotated[str, AfterValidator(_slug)]
Text = Annotated[str, AfterValidator(_text)]
Phone = Annotated[str, BeforeValidator(_phone)]
Email = Annotated[str, AfterValidator(_email)]
Url = Annotated[str, AfterValidator(_url)]


def _languages(allowed: tuple[str, ...]) -> AfterValidator:
    def check(value: dict[str, Any]) -> dict[str, Any]:
        unknown = [key for key in value if key not in allowed]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a language code here: use one of {', '.join(allowed)}")
        return value

    return AfterValidator(check)


TextByLanguage = Annotated[dict[str, Text], BeforeValidator(_as_text_by_language), _languages(LANGUAGES)]
NameTranslations = Annotated[dict[str, Text], _languages(LANGUAGES)]
Words = Annotated[dict[str, Annotated[list[Text], BeforeValidator(_as_list)]], _languages(WORD_LANGUAGES)]
LocalTime = Annotated[datetime | date, BeforeValidator(_local_datetime)]


def english(texts: dict[str, str] | None) -> str | None:
    """The English text of a translated field (the first one written if there is no English)."""
    if not texts:
        return None
    return texts.get("en") or next(iter(texts.values()))


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class OpeningHours(Frozen):
    """One line of a weekly timetable: these days, from opens to closes."""

    days: Annotated[list[Day], BeforeValidator(_days)] = Field(
        min_length=1, examples=[["mon", "tue", "wed", "thu", "fri"], "mon-fri"]
    )
    opens: Annotated[time, BeforeValidator(_time)] = Field(examples=["10:00"])
    closes: Annotated[time, BeforeValidator(_time)] = Field(examples=["16:00"])

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
    needs: list[Slug] = Field(default_factory=list, examples=[["legal-advice", "money"]])
    areas: list[Slug] = Field(default_factory=list, examples=[["norwich"]])
    name_translations: NameTranslations = Field(default_factory=dict, examples=[{"ar": "السامريون"}])
    caution: TextByLanguage | None = Field(
        default=None, examples=["These details are from 2017: call before you travel."]
    )
    sources: Annotated[list[Url], BeforeValidator(_as_list)] = Field(
        min_length=1, examples=[["https://bridgeplus.org.uk/what-we-do"]]
    )
    last_verified: date = Field(examples=["2024-01-31"])


class Service(Entry):
    """An organisation or a helpline: someone a person can contact."""

    need_notes: dict[Slug, TextByLanguage] = Field(default_factory=dict)
    for_sanctuary_seekers: bool = False
    phone: Phone | None = Field(default=None, examples=["01603 617076"])
    phone_note: TextByLanguage | None = None
    email: Email | None = Field(default=None, examples=["office@bridgeplus.org.uk"])
    email_note: TextByLanguage | None = None
    website: Url | None = Field(default=None, examples=["https://bridgeplus.org.uk"])
    address: Text | None = Field(default=None, examples=["44-48 Magdalen Street, Norwich NR3 1JU"])
    address_note: TextByLanguage | None = None
    coordinates: Coordinates | None = None
    opening_hours: list[OpeningHours] = Field(default_factory=list)
    open_24_7: bool = False
    hours_note: TextByLanguage | None = None
    languages_note: TextByLanguage | None = None
    crisis_topics: list[CrisisTopic] = Field(default_factory=list)
    human_contact: bool = Field(default=False, description="Offered as a person to talk to when the bot cannot help.")

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

    every: Annotated[Literal["day", "week", "month"], BeforeValidator(_every)] = Field(examples=["week"])
    interval: int = Field(default=1, ge=1, description="2 means every other week (or day, or month)", examples=[2])
    on: Annotated[list[Day], BeforeValidator(_weekdays)] = Field(default_factory=list, examples=[["tue"]])
    nth: int | None = Field(default=None, description="Month only: 1 to 4, or -1 for the last", examples=[1])
    until: date | None = Field(default=None, description="The last date it may happen", examples=["2024-12-31"])
    count: int | None = Field(default=None, ge=1, description="How many times it happens in all", examples=[10])
    except_: Annotated[list[date], BeforeValidator(_as_list)] = Field(
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

    organiser: Slug = Field(examples=["norwich-city-of-sanctuary"])
    start: LocalTime = Field(examples=["2024-02-05 18:00"])
    end: LocalTime | None = Field(default=None, examples=["2024-02-05 20:30"])
    venue: Text | None = Field(default=None, examples=["Norwich Arts Centre"])
    address: Text | None = None
    online: bool = False
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
    secondary: bool = Field(
        default=False,
        description=(
            "Its words often say who is asking rather than what they need ('my son'): "
            "when another need is asked about too, that one comes first."
        ),
    )
    events: bool = Field(
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
    within: list[Slug] = Field(default_factory=list, examples=[["norfolk"]])
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
    scene: Words = Field(
        default_factory=dict,
        description="Need words that usually only set the scene (Home Office, hotel): they count less "
        "than what the person asks for",
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
    phone_note: Text | None = None
    email_note: Text | None = None
    address_note: Text | None = None
    hours_note: Text | None = None
    languages_note: Text | None = None
    booking: Text | None = None
    need_notes: dict[Slug, Text] = Field(default_factory=dict)


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
