"""The .ics files: parsed back with icalendar, they say what the knowledge base says."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo
from icalendar import Calendar
from icalendar import Event as VEvent

from bot.assistant import Assistant
from bot.calendar import PRODID, calendar_ics, event_ics, vtimezone
from bot.events import LONDON, first_times, next_occurrence, occurrences
from bot.knowledge import KnowledgeBase, load
from bot.schema import Event
from tests.conftest import NOW, Editable, make_event


def event(**fields: Any) -> Event:
    return make_event(
        **{
            "venue": "Test Hall",
            "address": "1 Test Street, Norwich NR1 1AA",
            "booking": "Just turn up.",
            "sources": ["https://example.org.uk/cafe", "https://example.org.uk/news"],
            "information_from": "2024-01-02",
            "information_source": "https://example.org.uk/news",
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
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]  # in every file, used or not
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


# ---- read back by parsers that are not ours -----------------------------------------------------
# vobject and recurring-ical-events (on icalendar) read the VTIMEZONE with dateutil; ical has its
# own reader, and is strict about RFC 5545. Each parse gets a TZID no parser knows, so that each
# must use the file's VTIMEZONE rather than its own tz database, or one it cached from an earlier
# file (vobject and icalendar keep the first definition they see of a name).

_names = count()


def renamed(data: bytes) -> bytes:
    """The file with Europe/London renamed to a name seen once (unfolded first: a fold may split it)."""
    name = f"Test/Zone{next(_names):04d}"
    return data.replace(b"\r\n ", b"").replace(b"Europe/London", name.encode())


def instant(start: date | datetime) -> datetime:
    """A parser's start as a UTC instant; an all-day one at London midnight, as the core has it."""
    if not isinstance(start, datetime):
        start = datetime.combine(start, time.min)
    return (start if start.tzinfo else start.replace(tzinfo=LONDON)).astimezone(UTC)


def core_starts(event: Event, first: datetime, last: datetime) -> list[datetime]:
    """The core's starts in [first, last), a year at a time (it expands two years at most per call)."""
    found: set[datetime] = set()
    while first < last:
        following = min(last, first + timedelta(days=365))
        found.update(o.start.astimezone(UTC) for o in occurrences(event, first, following) if o.start >= first)
        first = following
    return sorted(found)


def parsed_starts(data: bytes, first: datetime, last: datetime) -> dict[str, dict[str, list[datetime]]]:
    """Each parser's starts in [first, last), by UID, as UTC instants."""
    found: dict[str, dict[str, list[datetime]]] = {"vobject": {}, "recurring-ical-events": {}, "ical": {}}

    def keep(parser: str, uid: str, starts: Iterable[date | datetime]) -> None:
        if inside := [s for s in map(instant, starts) if first <= s < last]:
            found[parser].setdefault(uid, []).extend(inside)

    for vevent in vobject.readOne(renamed(data).decode()).contents.get("vevent", []):
        rules, start = vevent.getrruleset(addRDate=True), vevent.dtstart.value
        if rules is None:
            keep("vobject", vevent.uid.value, [start])
        elif isinstance(start, datetime):
            keep("vobject", vevent.uid.value, rules.between(first, last, inc=True))
        else:  # an all-day rule runs in naive London dates
            bounds = (moment.astimezone(LONDON).replace(tzinfo=None) for moment in (first, last))
            keep("vobject", vevent.uid.value, rules.between(*bounds, inc=True))
    for component in recurring_ical_events.of(Calendar.from_ical(renamed(data))).between(first, last):
        keep("recurring-ical-events", str(component["UID"]), [component.start])
    ical_calendar = IcsCalendarStream.calendar_from_ics(renamed(data).decode())
    for found_event in ical_calendar.timeline_tz(UTC).overlapping(first, last):
        assert found_event.uid is not None
        keep("ical", found_event.uid, [found_event.dtstart])
    return {parser: {uid: sorted(starts) for uid, starts in by_uid.items()} for parser, by_uid in found.items()}


def zone_readings(data: bytes) -> dict[str, tzinfo]:
    """The file's VTIMEZONE as each parser understands it."""
    text = renamed(data)
    return {
        "vobject": vobject.readOne(text.decode()).vtimezone.gettzinfo(),
        "icalendar": Calendar.from_ical(text).timezones[0].to_tz(lookup_tzid=False),
        "ical": IcsTimezoneInfo.from_timezone(IcsCalendarStream.calendar_from_ics(text.decode()).timezones[0]),
    }


def samples(zone: ZoneInfo, first_year: int, last_year: int) -> list[datetime]:
    """Every 6 hours, and every 15 minutes around each change of the zone's offset."""
    found: list[datetime] = []
    moment, last = datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=6)
    while moment < last:
        found.append(moment)
        if moment.astimezone(zone).utcoffset() != (moment + step).astimezone(zone).utcoffset():
            found += [moment + timedelta(minutes=m) for m in range(-60, 6 * 60 + 60, 15)]
        moment += step
    return found


def wrong_wall_clocks(reading: tzinfo, zone: ZoneInfo, moments: list[datetime], folds: bool) -> list[datetime]:
    """Instants the parser puts at another wall-clock time than tzdata does.

    A reader without PEP 495 folds cannot tell the repeated autumn hour apart: with folds=False
    times in it are skipped (their offsets are checked either side of it).
    """
    wrong = []
    for moment in moments:
        wall = moment.astimezone(zone)
        if not folds and wall.replace(fold=0).utcoffset() != wall.replace(fold=1).utcoffset():
            continue
        if moment.astimezone(reading).replace(tzinfo=None) != wall.replace(tzinfo=None):
            wrong.append(moment)
    return wrong


def test_the_london_vtimezone_is_two_yearly_rules_changing_at_one_utc() -> None:
    raw = calendar_ics([], NOW)
    calendar, _ = parse(raw)
    [zone] = calendar.timezones
    assert b"RDATE" not in raw
    parts = {part.name: part for part in zone.subcomponents}
    assert set(parts) == {"STANDARD", "DAYLIGHT"}
    summer, winter = parts["DAYLIGHT"], parts["STANDARD"]
    assert summer["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert winter["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert (summer.TZOFFSETFROM, summer.TZOFFSETTO, str(summer["TZNAME"])) == (timedelta(0), timedelta(hours=1), "BST")
    assert (winter.TZOFFSETFROM, winter.TZOFFSETTO, str(winter["TZNAME"])) == (timedelta(hours=1), timedelta(0), "GMT")
    # DTSTART is the wall-clock time before the change (RFC 5545 3.8.3.3): both are 01:00 UTC.
    for part, day in ((summer, datetime(1996, 3, 31)), (winter, datetime(1996, 10, 27))):
        assert day.replace(hour=1) == part.DTSTART - part.TZOFFSETFROM


def test_the_zone_reads_back_right_in_winter_summer_and_at_each_change_in_three_parsers() -> None:
    readings = zone_readings(calendar_ics([], NOW))
    moments = samples(LONDON, 2024, 2031)
    assert len(moments) > 8 * 4 * 365
    for parser in ("vobject", "icalendar", "ical"):
        reading = readings[parser]
        assert datetime(2026, 1, 15, 14, tzinfo=UTC).astimezone(reading).hour == 14, parser
        assert datetime(2026, 7, 15, 13, tzinfo=UTC).astimezone(reading).hour == 14, parser
        assert datetime(2026, 3, 29, 0, 59, tzinfo=UTC).astimezone(reading).hour == 0, parser
        assert datetime(2026, 3, 29, 1, 0, tzinfo=UTC).astimezone(reading).hour == 2, parser
        assert wrong_wall_clocks(reading, LONDON, moments, folds=parser != "ical") == [], parser


@pytest.mark.parametrize(
    ("name", "since"),
    [("Europe/London", 1975), ("America/New_York", 2000), ("Australia/Sydney", 2024), ("Asia/Tokyo", 2024)],
)
def test_any_zone_is_written_as_rules_that_tzdata_agrees_with(name: str, since: int) -> None:
    zone = ZoneInfo(name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add_component(vtimezone(zone, since))
    text = calendar.to_ical().decode()
    assert "RDATE" not in text
    reading = vobject.readOne(text).vtimezone.gettzinfo()
    assert wrong_wall_clocks(reading, zone, samples(zone, since, since + 8), folds=True) == []


def test_weekly_event_over_eight_years_is_at_the_same_instants_in_three_parsers() -> None:
    weekly = event(start="2024-01-02 14:00", end="2024-01-02 16:00", repeat={**WEEKLY, "until": "2031-12-31"})
    first, last = datetime(2024, 1, 1, tzinfo=UTC), datetime(2032, 1, 1, tzinfo=UTC)
    ours = core_starts(weekly, first, last)
    winter = [s for s in ours if s.hour == 14]
    summer = [s for s in ours if s.hour == 13]
    assert (len(winter), len(summer), len(ours)) == (174, 243, 417)  # 8 years of Tuesdays, less 24 December
    # An all-day series beside it: its days are London dates, in summer too.
    fair = event(id="monthly-fair", start="2024-01-22", end=None, repeat={"every": "month", "until": "2031-12-22"})
    days = core_starts(fair, first, last)
    assert len(days) == 96
    assert {d.astimezone(LONDON).time() for d in days} == {time.min}
    for parser, by_uid in parsed_starts(calendar_ics([weekly, fair], NOW), first, last).items():
        assert by_uid == {"tuesday-cafe@sanctuary-bot.norfolk": ours, "monthly-fair@sanctuary-bot.norfolk": days}, (
            parser
        )


def test_shipped_knowledge_base_reads_back_as_the_core_has_it(kb: KnowledgeBase) -> None:
    first = min(datetime.combine(first_times(e)[0].date(), time.min, tzinfo=LONDON) for e in kb.events)
    last = first + timedelta(days=3 * 365)
    raw = calendar_ics(kb.events, first)
    ours = {f"{e.id}@sanctuary-bot.norfolk": core_starts(e, first.astimezone(UTC), last) for e in kb.events}
    ours = {uid: starts for uid, starts in ours.items() if starts}
    assert ours
    for parser, by_uid in parsed_starts(raw, first.astimezone(UTC), last).items():
        assert by_uid == ours, parser


def test_an_empty_calendar_is_valid_and_reads_back_in_every_parser(kb: KnowledgeBase) -> None:
    for raw in (
        calendar_ics([], NOW),
        calendar_ics([e for e in kb.events if e.repeat is None], datetime(2040, 1, 1, tzinfo=LONDON)),
    ):
        calendar, vevents = parse(raw)
        assert vevents == []
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]  # RFC 5545: at least one component
        assert calendar.to_ical() == raw  # icalendar's own round trip changes nothing
        assert vobject.readOne(raw.decode()).vtimezone.tzid.value == "Europe/London"
        assert recurring_ical_events.of(calendar).between(datetime(2000, 1, 1), datetime(2100, 1, 1)) == []
        assert IcsCalendarStream.calendar_from_ics(raw.decode()).events == []


def test_what_ask_says_is_where_calendar_apps_put_it(editable: Editable) -> None:
    repeat = "    repeat: {every: week, on: [mon], until: 2027-12-31}"
    editable.replace("events.yaml", "    information_from: 2024-01-10", f"    information_from: 2024-01-10\n{repeat}")
    party = load(editable.path)
    [weekly] = party.events
    by_parser = parsed_starts(
        calendar_ics(party.events, NOW), datetime(2024, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )
    # Asked a few days before: the Monday either side of each clock change, and far ahead.
    asked = {
        date(2024, 3, 20): (datetime(2024, 3, 25, 18, tzinfo=UTC), "Monday 25 March 2024, 18:00–20:30"),
        date(2024, 3, 27): (datetime(2024, 4, 1, 17, tzinfo=UTC), "Monday 1 April 2024, 18:00–20:30"),
        date(2024, 10, 16): (datetime(2024, 10, 21, 17, tzinfo=UTC), "Monday 21 October 2024, 18:00–20:30"),
        date(2024, 10, 23): (datetime(2024, 10, 28, 18, tzinfo=UTC), "Monday 28 October 2024, 18:00–20:30"),
        date(2026, 1, 7): (datetime(2026, 1, 12, 18, tzinfo=UTC), "Monday 12 January 2026, 18:00–20:30"),
        date(2027, 7, 7): (datetime(2027, 7, 12, 17, tzinfo=UTC), "Monday 12 July 2027, 18:00–20:30"),
    }
    assistant = Assistant(party)
    for day, (utc, shown) in asked.items():
        reply = assistant.respond("when is the welcome party", datetime.combine(day, time(12), tzinfo=LONDON))
        occurrence = reply.matches[0].occurrence
        assert occurrence is not None
        assert occurrence.start == utc
        assert shown in reply.text
        for parser, by_uid in by_parser.items():
            assert utc in by_uid[f"{weekly.id}@sanctuary-bot.norfolk"], parser
