"""Events as iCalendar (RFC 5545) files, for "Add to calendar" and a feed of upcoming events.

Phones import these files as they are, so they must be standard: a VTIMEZONE for Europe/London
(times stay right across the clock changes), stable UIDs (importing again updates rather than
duplicates), and a repeating event as one VEVENT with its RRULE, not hundreds of copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from bot.events import LONDON, Occurrence, first_times, next_occurrence
from bot.freshness import dated, in_english, newest_day
from bot.schema import Event, english

PRODID = "-//Sanctuary Bot//Norfolk events//EN"
DOMAIN = "sanctuary-bot.norfolk"
_FREQUENCIES = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}


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
    return _calendar([_vevent(e) for _, e in upcoming], name="Sanctuary Bot: events in Norfolk")


def _calendar(vevents: list[VEvent], name: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    for vevent in vevents:
        calendar.add_component(vevent)
    calendar.add_missing_timezones()
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
