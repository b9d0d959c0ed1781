"""Event dates in Europe/London: occurrences, "upcoming", and the date windows people ask about.

The clock is always a parameter (`now`, timezone-aware): nothing here reads the system time,
so tests and `--now` can put the bot on any day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.schema import Event

LONDON = ZoneInfo("Europe/London")
DEFAULT_LENGTH = timedelta(hours=2)  # an event with no end is treated as lasting two hours

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DATE_WORDS = (
    "today", "tomorrow", "this-week", "next-week", "this-weekend", "this-month", "next-month",
    *WEEKDAYS, *MONTHS,
)  # fmt: skip
"""Keys of the `dates` word lists: each names a window of time people ask about."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One time an event happens, in London time."""

    event: Event
    start: datetime
    end: datetime

    @property
    def all_day(self) -> bool:
        return self.event.all_day

    def is_past(self, now: datetime) -> bool:
        return self.end <= now

    def overlaps(self, window: Window) -> bool:
        return self.start < window.end and self.end > window.start


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time a question asks about ("this week", "in February")."""

    key: str
    start: datetime
    end: datetime


def _at(day: date, clock: time = time.min) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON)


def occurrences(event: Event) -> list[Occurrence]:
    """Every occurrence of the event, in London time."""
    if isinstance(event.start, datetime):
        start = event.start.replace(tzinfo=LONDON)
        if isinstance(event.end, datetime):
            end = event.end.replace(tzinfo=LONDON)
        elif isinstance(event.end, date):
            end = _at(event.end + timedelta(days=1))
        else:
            end = start + DEFAULT_LENGTH
    else:
        start = _at(event.start)
        last = event.end if isinstance(event.end, date) and not isinstance(event.end, datetime) else event.start
        end = _at(last + timedelta(days=1))
    return [Occurrence(event, start, end)]


def next_occurrence(event: Event, now: datetime) -> Occurrence:
    """The next occurrence not yet over, or the most recent one if all are past."""
    all_times = occurrences(event)
    return next((o for o in all_times if not o.is_past(now)), all_times[-1])


def upcoming(events: tuple[Event, ...] | list[Event], now: datetime, days: int = 30) -> list[Occurrence]:
    """Occurrences that have not ended and start within `days`, soonest first."""
    horizon = now + timedelta(days=days)
    found = [o for e in events for o in occurrences(e) if not o.is_past(now) and o.start < horizon]
    return sorted(found, key=lambda o: o.start)


def window(key: str, now: datetime) -> Window:
    """The span of time a date word means, seen from `now` (London)."""
    local = now.astimezone(LONDON)
    today = local.date()
    if key == "today":
        return Window(key, now, _at(today + timedelta(days=1)))
    if key == "tomorrow":
        return Window(key, _at(today + timedelta(days=1)), _at(today + timedelta(days=2)))
    if key == "this-week":
        return Window(key, now, _at(today + timedelta(days=8)))
    if key == "next-week":
        monday = today + timedelta(days=7 - today.weekday())
        return Window(key, _at(monday), _at(monday + timedelta(days=7)))
    if key == "this-weekend":
        saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 else today
        monday = saturday + timedelta(days=7 - saturday.weekday())
        return Window(key, max(now, _at(saturday)), _at(monday))
    if key in ("this-month", "next-month"):
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        if key == "this-month":
            return Window(key, now, _at(following))
        return Window(key, _at(following), _at((following + timedelta(days=32)).replace(day=1)))
    if key in WEEKDAYS:
        day = today + timedelta(days=(WEEKDAYS.index(key) - today.weekday()) % 7)
        return Window(key, max(now, _at(day)), _at(day + timedelta(days=1)))
    if key in MONTHS:
        month = MONTHS.index(key) + 1
        year = today.year if month >= today.month else today.year + 1
        first = date(year, month, 1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Window(key, max(now, _at(first)), _at(following))
    raise ValueError(f"unknown date word {key!r}")
