"""Event dates in Europe/London: occurrences, "upcoming", and the date windows people ask about.

The clock is always a parameter (`now`, timezone-aware): nothing here reads the system time,
so tests and `--now` can put the bot on any day. A repeating event is expanded with dateutil's
rrule in London wall-clock time, so a weekly 14:00 stays at 14:00 when the clocks change.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice, takewhile
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rruleset, weekdays

from bot.schema import DAYS, Event

LONDON = ZoneInfo("Europe/London")
DEFAULT_LENGTH = timedelta(hours=2)  # an event with no end is treated as lasting two hours
HORIZON = timedelta(days=731)  # a repeating event may never end: it is expanded at most two years ahead
MAX_OCCURRENCES = 500  # ... and to at most this many occurrences at once
FREQUENCIES: dict[str, Literal[1, 2, 3]] = {"day": DAILY, "week": WEEKLY, "month": MONTHLY}

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


def _local(moment: datetime) -> datetime:
    """London wall-clock time without a zone: what the YAML and the repeat rule are written in."""
    return moment.astimezone(LONDON).replace(tzinfo=None)


def first_times(event: Event) -> tuple[datetime, datetime]:
    """Start and end of the first occurrence as London wall-clock times (no zone).

    Wall-clock arithmetic keeps a weekly 14:00 at 14:00 after the clocks change.
    """
    if isinstance(event.start, datetime):
        start = event.start
        if isinstance(event.end, datetime):
            end = event.end
        elif isinstance(event.end, date):
            end = datetime.combine(event.end + timedelta(days=1), time.min)
        else:
            end = start + DEFAULT_LENGTH
    else:
        start = datetime.combine(event.start, time.min)
        last = event.end if isinstance(event.end, date) and not isinstance(event.end, datetime) else event.start
        end = datetime.combine(last + timedelta(days=1), time.min)
    return start, end


def _rule(event: Event) -> rruleset | None:
    """The start times of a repeating event in London wall-clock time; None for a one-off event."""
    repeat = event.repeat
    if repeat is None:
        return None
    start, _ = first_times(event)
    days = [weekdays[DAYS.index(day)] for day in repeat.on]
    rules = rruleset()
    rules.rrule(
        rrule(
            FREQUENCIES[repeat.every],
            dtstart=start,
            interval=repeat.interval,
            byweekday=[day(repeat.nth) for day in days] if repeat.nth else days or None,
            until=datetime.combine(repeat.until, time.max) if repeat.until else None,
            count=repeat.count,
        )
    )
    for day in repeat.except_:
        rules.exdate(datetime.combine(day, start.time()))
    return rules


class _Starts:
    """The start times of one repeating event, generated in order once and kept.

    dateutil's `xafter` and `before` walk the rule from its first date at every call: hundreds of
    weeks for a class that has run since 2020, for each event at each question about dates."""

    __slots__ = ("_lock", "_more", "_starts")

    def __init__(self, rules: rruleset) -> None:
        self._more: Iterator[datetime] | None = iter(rules)
        self._starts: list[datetime] = []
        self._lock = threading.Lock()

    def _has(self, index: int) -> bool:
        """Whether the rule has a start at `index` (counting from the first), generating up to it."""
        if index < len(self._starts):
            return True
        with self._lock:
            while index >= len(self._starts) and self._more is not None:
                following = next(self._more, None)
                if following is None:
                    self._more = None
                else:
                    self._starts.append(following)
            return index < len(self._starts)

    def after(self, moment: datetime) -> Iterator[datetime]:
        """The starts at or after `moment`, as `rules.xafter(moment, inc=True)`."""
        index = bisect_left(self._starts, moment)
        while self._has(index):
            start = self._starts[index]
            if start >= moment:
                yield start
            index += 1

    def before(self, moment: datetime) -> datetime | None:
        """The last start before `moment`, as `rules.before(moment)`."""
        index = bisect_left(self._starts, moment)
        while self._has(index) and self._starts[index] < moment:
            index += 1
        return self._starts[index - 1] if index else None


_STARTS: dict[int, tuple[Event, _Starts | None]] = {}
"""Each event's starts, by the event itself (a reload's new events get their own)."""


def _starts(event: Event) -> _Starts | None:
    """The kept start times of a repeating event; None for a one-off event."""
    held = _STARTS.get(id(event))
    if held is None or held[0] is not event:
        if len(_STARTS) >= 4096:  # events of knowledge bases long replaced
            _STARTS.clear()
        rules = _rule(event)
        held = _STARTS[id(event)] = (event, _Starts(rules) if rules is not None else None)
    return held[1]


def _occurrence(event: Event, local_start: datetime, length: timedelta) -> Occurrence:
    return Occurrence(event, local_start.replace(tzinfo=LONDON), (local_start + length).replace(tzinfo=LONDON))


def _expand(event: Event, after: datetime | None, before: datetime | None) -> Iterator[Occurrence]:
    """Occurrences that end after `after` and start before `before`, soonest first, lazily."""
    start, end = first_times(event)
    length = end - start
    rules = _starts(event)
    starts: Iterable[datetime] = [start]
    if rules is not None:
        # An hour either way of a clock change cannot hide an occurrence: a day's margin, filtered below.
        since = start if after is None else _local(after) - length - timedelta(days=1)
        limit = (start if after is None else _local(after)) + HORIZON
        starts = islice(takewhile(lambda s: s <= limit, rules.after(since)), MAX_OCCURRENCES)
    for local_start in starts:
        occurrence = _occurrence(event, local_start, length)
        if before is not None and occurrence.start >= before:
            return
        if after is None or occurrence.end > after:
            yield occurrence


def occurrences(event: Event, after: datetime | None = None, before: datetime | None = None) -> list[Occurrence]:
    """The occurrences of the event that end after `after` and start before `before`, soonest first.

    A one-off event has one; a repeating event is expanded at most HORIZON past `after` (or past
    its first date) and to at most MAX_OCCURRENCES, since it may repeat for ever.
    """
    return list(_expand(event, after, before))


def next_occurrence(event: Event, now: datetime) -> Occurrence:
    """The next occurrence not yet over, or the most recent one if all are past."""
    found = next(_expand(event, now, None), None)
    if found is not None:
        return found
    start, end = first_times(event)
    rules = _starts(event)
    last = (rules.before(_local(now)) if rules is not None else None) or start
    return _occurrence(event, last, end - start)


def next_start(event: Event, now: datetime) -> Occurrence | None:
    """The next occurrence that has not started: what a reminder is for (today's may be under way)."""
    return next((o for o in _expand(event, now, None) if o.start > now), None)


def occurrence_in(event: Event, windows: Iterable[Window]) -> Occurrence | None:
    """The soonest occurrence inside one of the windows asked about, if any.

    For a weekly event the next occurrence may not be the one asked about ("next week").
    """
    found = [o for w in windows for o in islice(_expand(event, w.start, w.end), 1)]
    return min(found, key=lambda o: o.start, default=None)


def upcoming(events: tuple[Event, ...] | list[Event], now: datetime, days: int = 30) -> list[Occurrence]:
    """Occurrences that have not ended and start within `days`, soonest first (each repeat listed)."""
    horizon = now + timedelta(days=days)
    found = [o for e in events for o in _expand(e, now, horizon)]
    return sorted(found, key=lambda o: o.start)


def next_each(events: Iterable[Event], now: datetime) -> list[Occurrence]:
    """The next occurrence of each event not yet over, soonest first: a weekly class is listed once."""
    found = [o for e in events if (o := next(_expand(e, now, None), None)) is not None]
    return sorted(found, key=lambda o: o.start)


def last_each(events: Iterable[Event], now: datetime) -> list[Occurrence]:
    """The last occurrence of each event that is over, the one that ended last first."""
    found = [o for e in events if (o := next_occurrence(e, now)).is_past(now)]
    return sorted(found, key=lambda o: o.end, reverse=True)


@dataclass(frozen=True, slots=True)
class WhatsOn:
    """The answer to "what is on?", before it is put in words."""

    shown: list[Occurrence]  # upcoming occurrences to list, soonest first (each event once)
    outside_window: bool  # days were asked about and nothing falls in them: `shown` are the next ones
    last: list[Occurrence]  # when nothing is upcoming: the last known ones, one per organiser

    @property
    def organisers(self) -> list[str]:
        """Who to ask what is on next: the organisers of the last known events (where a source names one)."""
        return list(dict.fromkeys(o.event.organiser for o in self.last if o.event.organiser))


def whats_on(
    events: Iterable[Event],
    now: datetime,
    windows: Iterable[Window] = (),
    needs: Iterable[str] = (),
    prefer: Iterable[str] = (),
    limit: int = 5,
    last: int = 3,
) -> WhatsOn:
    """Upcoming occurrences for an events question: in the days asked about, else the next ones.

    `needs` asked for ("activities" is the need 'community') keeps only the events that serve one of
    them, when any is upcoming. Events serving `prefer` (the needs of those who run activities)
    come first, the others after: "what is on?" asks for activities before advice sessions. With
    nothing upcoming, the last known events (those serving `needs` or `prefer` first) say what there
    used to be, and whose organisers to ask.
    """
    events = list(events)
    wanted = set(needs)
    serving = [e for e in events if wanted & set(e.needs)]
    pool = serving if next_each(serving, now) else events
    first = set(prefer)

    def ordered(found: Iterable[Occurrence]) -> list[Occurrence]:
        return sorted(found, key=lambda o: (not first & set(o.event.needs), o.start))[:limit]

    windows = list(windows)
    shown: list[Occurrence] = []
    if windows:
        shown = ordered(o for e in pool if (o := occurrence_in(e, windows)) is not None)
    outside = bool(windows) and not shown
    if not shown:
        shown = ordered(next_each(pool, now))
    known: list[Occurrence] = []
    if not shown:
        past = last_each(events, now)
        liked = wanted or first
        for occurrence in [o for o in past if liked & set(o.event.needs)] or past:
            if all(o.event.organiser != occurrence.event.organiser for o in known):
                known.append(occurrence)
        known = known[:last]
    return WhatsOn(shown, outside, known)


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
