"""The .ics files: parsed back with icalendar, they say what the knowledge base says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Calendar
from icalendar import Event as VEvent

from bot.calendar import PRODID, calendar_ics, event_ics
from bot.events import LONDON, next_occurrence, occurrences
from bot.knowledge import KnowledgeBase
from bot.schema import Event
from tests.conftest import NOW, make_event


def event(**fields: Any) -> Event:
    return make_event(
        **{
            "venue": "Test Hall",
            "address": "1 Test Street, Norwich NR1 1AA",
            "booking": "Just turn up.",
            "sources": ["https://example.org.uk/cafe", "https://example.org.uk/news"],
            "last_verified": "2024-01-02",
            **fields,
        }
    )


WEEKLY = {"every": "week", "on": ["tue"], "until": "2024-12-31", "except": ["2024-12-24"]}


def parse(data: bytes) -> tuple[Calendar, list[VEvent]]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_one_event_has_the_fields_a_calendar_needs() -> None:
    calendar, [vevent] = parse(event_ics(event()))
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    assert str(vevent["UID"]) == "tuesday-cafe@sanctuary-bot.norfolk"
    assert str(vevent["SUMMARY"]) == "Tuesday café"
    assert str(vevent["LOCATION"]) == "Test Hall, 1 Test Street, Norwich NR1 1AA"
    assert str(vevent["URL"]) == "https://example.org.uk/cafe"
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"
    assert vevent["DTEND"].params["TZID"] == "Europe/London"
    assert vevent.start == datetime(2024, 1, 9, 14, tzinfo=LONDON)
    assert vevent.end == datetime(2024, 1, 9, 16, tzinfo=LONDON)
    assert vevent.stamp == datetime(2024, 1, 2, tzinfo=UTC)
    description = str(vevent["DESCRIPTION"])
    for part in ("Tea and conversation.", "Booking: Just turn up.", "https://example.org.uk/news", "2 January 2024"):
        assert part in description
    assert "RRULE" not in vevent


def test_summer_time_is_kept_as_london_wall_clock() -> None:
    raw = event_ics(event(start="2024-07-02 14:00", end="2024-07-02 16:00"))
    assert b"DTSTART;TZID=Europe/London:20240702T140000" in raw
    _, [vevent] = parse(raw)
    assert vevent.start.utcoffset() == timedelta(hours=1)
    assert vevent.start.astimezone(UTC).hour == 13


def test_repeating_event_round_trips_through_its_rrule() -> None:
    weekly = event(repeat=WEEKLY)
    _, [vevent] = parse(event_ics(weekly))
    rule = vevent["RRULE"]
    assert (rule["FREQ"], rule["BYDAY"]) == (["WEEKLY"], ["TU"])
    assert vevent.exdates == [datetime(2024, 12, 24, 14, tzinfo=LONDON)]
    # Expanding the exported rule gives exactly our own occurrences, across both clock changes.
    expanded = rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=vevent.start)
    exported = [start for start in expanded if start not in vevent.exdates]
    ours = [o.start for o in occurrences(weekly)]
    assert exported == ours
    assert len(ours) == 51
    assert {s.astimezone(LONDON).hour for s in exported} == {14}
    assert {s.utcoffset() for s in exported} == {timedelta(0), timedelta(hours=1)}


def test_monthly_rule_with_nth_and_count() -> None:
    repeat = {"every": "month", "on": "mon", "nth": 1, "count": 6}
    first_monday = event(start="2024-01-01 18:00", end=None, repeat=repeat)
    _, [vevent] = parse(event_ics(first_monday))
    assert vevent["RRULE"].to_ical() == b"FREQ=MONTHLY;COUNT=6;BYDAY=1MO"
    assert "DTEND" not in vevent  # the end time was not given: none is made up


def test_one_occurrence_of_a_series_is_exported_alone() -> None:
    weekly = event(repeat=WEEKLY)
    occurrence = next_occurrence(weekly, NOW)
    _, [vevent] = parse(event_ics(weekly, occurrence))
    assert "RRULE" not in vevent
    assert str(vevent["UID"]) == "tuesday-cafe-20240206@sanctuary-bot.norfolk"
    assert vevent.start == datetime(2024, 2, 6, 14, tzinfo=LONDON)


def test_all_day_event_uses_dates() -> None:
    week = event(start="2024-06-10", end="2024-06-30", venue=None, address=None)
    raw = event_ics(week)
    assert b"DTSTART;VALUE=DATE:20240610" in raw
    assert b"DTEND;VALUE=DATE:20240701" in raw  # the end is exclusive: the day after the last
    calendar, [vevent] = parse(raw)
    assert (vevent.start, vevent.end) == (date(2024, 6, 10), date(2024, 7, 1))
    assert "LOCATION" not in vevent
    assert calendar.timezones == []
    fair = event(start="2024-06-22", end=None, repeat={"every": "month", "until": "2024-08-22", "except": "2024-07-22"})
    _, [vevent] = parse(event_ics(fair))
    assert vevent["RRULE"].to_ical() == b"FREQ=MONTHLY;UNTIL=20240822"
    assert vevent.exdates == [date(2024, 7, 22)]


def test_calendar_lists_only_upcoming_events_soonest_first(kb: KnowledgeBase) -> None:
    before_june = datetime(2024, 6, 1, tzinfo=LONDON)
    one_offs = [e for e in kb.events if e.repeat is None]  # the regular sessions never end
    calendar, vevents = parse(calendar_ics([*one_offs, event(repeat=WEEKLY)], before_june))
    uids = [str(v["UID"]) for v in vevents]
    assert uids[0] == "tuesday-cafe@sanctuary-bot.norfolk"  # repeats until December, so still upcoming
    assert "refugee-week-norwich-2024@sanctuary-bot.norfolk" in uids
    assert "cos-annual-celebration-2024@sanctuary-bot.norfolk" not in uids  # February: over
    assert len(uids) == len(set(uids))
    assert calendar.get_missing_tzids() == set()
    _, none = parse(calendar_ics(one_offs, datetime(2030, 1, 1, tzinfo=LONDON)))
    assert none == []
