"""Events as iCalendar (RFC 5545) files, for "Add to calendar" and a feed of upcoming events.

Phones import these files as they are, so they must be standard: a VTIMEZONE for Europe/London
in every file (times stay right across the clock changes, and a file with no event still holds a
component, as RFC 5545 requires), stable UIDs (importing again updates rather than duplicates),
and a repeating event as one VEVENT with its RRULE, not hundreds of copies.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar import Event as VEvent

from bot.events import LONDON, Occurrence, first_times, next_occurrence
from bot.freshness import dated, in_english, newest_day
from bot.schema import Event, english

PRODID = "-//Sanctuary Bot//Norfolk events//EN"
DOMAIN = "sanctuary-bot.norfolk"
_FREQUENCIES = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}
FIRST_YEAR, LAST_YEAR = 1970, 2100
"""The years a VTIMEZONE is checked against tzdata; the rule in force in LAST_YEAR is written without end."""


def uid(event: Event, occurrence: Occurrence | None = None) -> str:
    """Derived from the id, so a re-import replaces the entry; one date of a series gets its own."""
    if occurrence is None or event.repeat is None:
        return f"{event.id}@{DOMAIN}"
    return f"{event.id}-{occurrence.start.astimezone(LONDON):%Y%m%d}@{DOMAIN}"


def event_ics(event: Event, occurrence: Occurrence | None = None) -> bytes:
    """One VEVENT: the given occurrence alone, or else the whole event with any RRULE and EXDATE."""
    return _calendar([_vevent(event, occurrence)])


def calendar_ics(events: Iterable[Event], now: datetime) -> bytes:
    """Every event with an occurrence not yet over, soonest first; repeating ones as a series."""
    upcoming = [(o, e) for e in events if not (o := next_occurrence(e, now)).is_past(now)]
    upcoming.sort(key=lambda pair: pair[0].start)
    vevents = [_vevent(e) for _, e in upcoming]
    return _calendar(vevents, "Sanctuary Bot: events in Norfolk", now.astimezone(LONDON).year)


def _calendar(vevents: list[VEvent], name: str | None = None, year: int = LAST_YEAR) -> bytes:
    """The VTIMEZONE comes first and always: the TZIDs need it, and an empty calendar is then valid.

    It holds from `year` on, or from the first event's year if that is earlier.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    calendar.add_component(vtimezone(LONDON, min([year, *(v.DTSTART.year for v in vevents)])))
    for vevent in vevents:
        calendar.add_component(vevent)
    data: bytes = calendar.to_ical()
    return data


def _when(moment: datetime, all_day: bool) -> datetime | date:
    """All-day events are dates (VALUE=DATE); others keep Europe/London, which becomes TZID."""
    local = moment.astimezone(LONDON)
    return local.date() if all_day else local


def _vevent(event: Event, occurrence: Occurrence | None = None) -> VEvent:
    if occurrence is None:
        start, end = (t.replace(tzinfo=LONDON) for t in first_times(event))
    else:
        start, end = occurrence.start, occurrence.end
    vevent = VEvent()
    vevent.add("uid", uid(event, occurrence))
    # Without METHOD, DTSTAMP means "last revised": the day of the newest information we have.
    vevent.add("dtstamp", datetime.combine(newest_day(event), time.min, tzinfo=UTC))
    vevent.add("dtstart", _when(start, event.all_day))
    if event.all_day or event.end is not None:  # a missing end time is not invented
        vevent.add("dtend", _when(end, event.all_day))
    vevent.add("summary", event.name)
    location = ", ".join(dict.fromkeys(x for x in (event.venue, event.address) if x))
    if location:
        vevent.add("location", location)
    vevent.add("description", _description(event))
    vevent.add("url", event.sources[0])
    if occurrence is None and event.repeat is not None:
        _add_repeat(vevent, event, start)
    return vevent


def _add_repeat(vevent: VEvent, event: Event, start: datetime) -> None:
    repeat = event.repeat
    assert repeat is not None
    rule: dict[str, object] = {"FREQ": _FREQUENCIES[repeat.every]}
    if repeat.interval != 1:
        rule["INTERVAL"] = repeat.interval
    if repeat.on:
        rule["BYDAY"] = [f"{repeat.nth or ''}{day[:2].upper()}" for day in repeat.on]
    if repeat.until is not None:
        # RFC 5545: UNTIL is a date for all-day events, else UTC; it includes the whole last day.
        last = datetime.combine(repeat.until + timedelta(days=1), time.min, tzinfo=LONDON) - timedelta(seconds=1)
        rule["UNTIL"] = repeat.until if event.all_day else last.astimezone(UTC)
    if repeat.count is not None:
        rule["COUNT"] = repeat.count
    vevent.add("rrule", rule)
    if repeat.except_:
        clock = start.astimezone(LONDON).timetz()
        vevent.add("exdate", [day if event.all_day else datetime.combine(day, clock) for day in repeat.except_])


@dataclass(frozen=True, slots=True)
class _Change:
    """One change of a zone's clocks: the UTC instant, and the offset and name either side."""

    at: datetime
    before: timedelta
    after: timedelta
    dst: bool
    name: str

    @property
    def onset(self) -> datetime:
        """The wall-clock time of the change as read before it, which is what DTSTART says."""
        return (self.at + self.before).replace(tzinfo=None)

    def shape(self) -> tuple[int, int, time, timedelta, timedelta, bool, str]:
        """All a yearly rule keeps the same: the month, weekday, clock time and offsets."""
        onset = self.onset
        return onset.month, onset.weekday(), onset.time(), self.before, self.after, self.dst, self.name

    def weeks(self) -> set[int]:
        """The BYDAY numbers that name this day: its week of the month, and -1 if it is the last."""
        onset = self.onset
        last = onset.day + 7 > monthrange(onset.year, onset.month)[1]
        return {(onset.day - 1) // 7 + 1, *([-1] if last else [])}


@dataclass(slots=True)
class _Rule:
    """Consecutive years whose clocks change alike: one RRULE per change of the year."""

    first: int
    years: list[tuple[_Change, ...]]
    weeks: list[set[int]]

    def takes(self, year: int, changes: tuple[_Change, ...]) -> bool:
        """Whether the year before follows the same rule; if so it is added."""
        ours = self.years[0]
        if len(changes) != len(ours) or any(a.shape() != b.shape() for a, b in zip(changes, ours, strict=True)):
            return False
        weeks = [known & change.weeks() for known, change in zip(self.weeks, changes, strict=True)]
        if not all(weeks):
            return False
        self.first, self.weeks = year, weeks
        self.years.insert(0, changes)
        return True


def _changes(zone: ZoneInfo, year: int) -> tuple[_Change, ...]:
    """The year's clock changes, found day by day and then to the second (tzdata's are days apart)."""

    def offset(second: int) -> timedelta | None:
        return datetime.fromtimestamp(second, zone).utcoffset()

    found = []
    day, last = (int(datetime(y, 1, 1, tzinfo=UTC).timestamp()) for y in (year, year + 1))
    old = offset(day)
    while day < last:
        following = day + 86400
        if (new := offset(following)) != old:
            low, high = day, following  # the old offset at low, the new one at high
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == old else (low, middle)
            found.append(_change(zone, datetime.fromtimestamp(high, UTC)))
        day, old = following, new
    return tuple(found)


def _change(zone: ZoneInfo, at: datetime) -> _Change:
    """The change at this instant (or, where the clocks do not change, the time as it stands)."""
    before, after = (at - timedelta(seconds=1)).astimezone(zone), at.astimezone(zone)
    offset_before, offset_after = before.utcoffset(), after.utcoffset()
    assert offset_before is not None  # a ZoneInfo always has one
    assert offset_after is not None
    return _Change(at, offset_before, offset_after, bool(after.dst()), after.tzname() or "")


@cache
def _rules(zone: ZoneInfo, since: int) -> tuple[_Rule, ...]:
    """The zone's rules, oldest first, back to the one in force in `since` (from its own first year)."""
    since = min(max(since, FIRST_YEAR), LAST_YEAR)
    rules: list[_Rule] = []
    for year in range(LAST_YEAR, FIRST_YEAR - 1, -1):
        changes = _changes(zone, year)
        if not (rules and rules[-1].takes(year, changes)):
            if year < since:
                break
            rules.append(_Rule(year, [changes], [change.weeks() for change in changes]))
    return tuple(reversed(rules))


def vtimezone(zone: ZoneInfo, since: int) -> Timezone:
    """The zone as a VTIMEZONE right from `since` on, each rule a yearly RRULE with its BYDAY.

    icalendar's own Timezone.from_tzinfo lists every change as one long RDATE, which ical.js and
    vobject read as its first date alone, and dates the spring change an hour late. Here each
    rule is found in tzdata and checked against it to LAST_YEAR: London's are the familiar last
    Sundays of March and October at 01:00 UTC, in force since 1996.
    """
    timezone = Timezone()
    timezone.add("tzid", zone.key)
    rules = _rules(zone, since)
    for number, rule in enumerate(rules):
        for index, change in enumerate(rule.years[0]):
            repeat: dict[str, object] | None = None
            if len(rule.years) > 1:
                week = -1 if -1 in rule.weeks[index] else min(rule.weeks[index])
                weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[change.onset.weekday()]
                repeat = {"FREQ": "YEARLY", "BYMONTH": change.onset.month, "BYDAY": f"{week}{weekday}"}
                if number < len(rules) - 1:
                    # RFC 5545 has it in UTC; dateutil (vobject, icalendar) compares it with local
                    # times. A day after the last change is right read either way.
                    repeat["UNTIL"] = rule.years[-1][index].at + timedelta(days=1)
            timezone.add_component(_observance(change, repeat))
    if not timezone.subcomponents:  # the clocks never change: one observance from the first year on
        timezone.add_component(
            _observance(_change(zone, datetime(rules[0].first, 1, 1, tzinfo=zone).astimezone(UTC)), None)
        )
    return timezone


def _observance(change: _Change, repeat: dict[str, object] | None) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if change.dst else TimezoneStandard()
    part.DTSTART = change.onset
    part.TZOFFSETFROM = change.before
    part.TZOFFSETTO = change.after
    part.add("tzname", change.name)
    if repeat is not None:
        part.add("rrule", repeat)
    return part


def _description(event: Event) -> str:
    text = event.description.get("en") or next(iter(event.description.values()))
    lines = [text]
    if event.caution:
        lines.append(f"Please note: {english(event.caution)}")
    if event.booking:
        lines.append(f"Booking: {english(event.booking)}")
    lines.append("Sources: " + " ".join(event.sources))
    lines.append(" ".join(dated(event, in_english, "en")))
    return "\n\n".join(lines)
