"""Repeating events: the `repeat` rule, its validation messages, and expansion in London time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.assistant import Assistant
from bot.events import (
    LONDON,
    MAX_OCCURRENCES,
    next_occurrence,
    occurrence_in,
    occurrences,
    upcoming,
    window,
)
from bot.knowledge import check, load
from bot.schema import Event
from tests.conftest import NOW, Editable, make_event


def event(repeat: dict[str, Any] | None = None, **fields: Any) -> Event:
    return make_event(repeat=repeat, **fields)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def starts(found: list[Any]) -> list[str]:
    return [f"{o.start:%Y-%m-%d %H:%M}" for o in found]


WEEKLY = {"every": "week", "on": ["tue"]}


def test_one_off_event_is_unchanged() -> None:
    one = event(None)
    assert starts(occurrences(one)) == ["2024-01-09 14:00"]
    assert occurrences(one, after=datetime(2024, 2, 1, tzinfo=LONDON)) == []
    assert next_occurrence(one, NOW).start == datetime(2024, 1, 9, 14, tzinfo=LONDON)


def test_weekly_keeps_wall_clock_time_across_both_clock_changes() -> None:
    weekly = event(WEEKLY)
    found = occurrences(weekly, after=at(2024, 3, 20), before=at(2024, 4, 3))
    assert starts(found) == ["2024-03-26 14:00", "2024-04-02 14:00"]  # clocks go forward on 31 March
    before, after = found
    assert before.start.utcoffset() == timedelta(0)
    assert after.start.utcoffset() == timedelta(hours=1)
    assert (before.start.hour, after.start.hour) == (14, 14)
    assert after.end - after.start == timedelta(hours=2)
    found = occurrences(weekly, after=at(2024, 10, 20), before=at(2024, 11, 2))
    assert starts(found) == ["2024-10-22 14:00", "2024-10-29 14:00"]  # clocks go back on 27 October
    assert [o.start.utcoffset() for o in found] == [timedelta(hours=1), timedelta(0)]
    assert [o.start.astimezone(LONDON).hour for o in found] == [14, 14]


def test_interval_until_count_and_except() -> None:
    fortnightly = event({**WEEKLY, "interval": 2, "until": "2024-02-20", "except": ["2024-01-23"]})
    assert starts(occurrences(fortnightly)) == ["2024-01-09 14:00", "2024-02-06 14:00", "2024-02-20 14:00"]
    counted = event({"every": "day", "count": 3})
    assert starts(occurrences(counted)) == ["2024-01-09 14:00", "2024-01-10 14:00", "2024-01-11 14:00"]
    weekdays = event({"every": "week", "on": "mon-fri", "count": 5}, start="2024-01-08 09:00", end=None)
    assert [o.start.day for o in occurrences(weekdays)] == [8, 9, 10, 11, 12]


def test_nth_weekday_of_the_month() -> None:
    first_monday = event({"every": "month", "on": ["mon"], "nth": 1}, start="2024-01-01 18:00", end=None)
    found = occurrences(first_monday, before=datetime(2024, 5, 1, tzinfo=LONDON))
    assert starts(found) == ["2024-01-01 18:00", "2024-02-05 18:00", "2024-03-04 18:00", "2024-04-01 18:00"]
    last_friday = event({"every": "month", "on": "fri", "nth": -1}, start="2024-01-26 10:00", end=None)
    assert [o.start.day for o in occurrences(last_friday, before=datetime(2024, 4, 1, tzinfo=LONDON))] == [26, 23, 29]


def test_all_day_repeat() -> None:
    market = event({"every": "month"}, start="2024-01-15", end="2024-01-16")
    first, second = occurrences(market)[:2]
    assert first.all_day
    assert (second.start, second.end) == (
        datetime(2024, 2, 15, tzinfo=LONDON),
        datetime(2024, 2, 17, tzinfo=LONDON),
    )


def test_endless_repeat_is_capped() -> None:
    daily = event({"every": "day"})
    assert len(occurrences(daily)) == MAX_OCCURRENCES
    later = occurrences(event(WEEKLY), after=datetime(2030, 1, 1, tzinfo=LONDON))
    assert later[0].start == datetime(2030, 1, 1, 14, tzinfo=LONDON)  # a Tuesday
    assert later[-1].start - later[0].start < timedelta(days=2 * 366)


def test_next_occurrence_upcoming_and_windows() -> None:
    weekly = event(WEEKLY)
    assert next_occurrence(weekly, NOW).start == datetime(2024, 2, 6, 14, tzinfo=LONDON)  # NOW is Thursday 1 Feb
    during = datetime(2024, 2, 6, 15, tzinfo=LONDON)
    assert next_occurrence(weekly, during).start == datetime(2024, 2, 6, 14, tzinfo=LONDON)  # still on
    assert starts(upcoming([weekly], NOW, days=14)) == ["2024-02-06 14:00", "2024-02-13 14:00"]
    assert next_occurrence(weekly, NOW).overlaps(window("tuesday", NOW))
    in_march = occurrence_in(weekly, [window("march", NOW)])
    assert in_march is not None
    assert in_march.start == datetime(2024, 3, 5, 14, tzinfo=LONDON)
    assert occurrence_in(weekly, [window("today", NOW)]) is None
    ended = event({**WEEKLY, "count": 2})
    assert next_occurrence(ended, NOW).start == datetime(2024, 1, 16, 14, tzinfo=LONDON)  # the last one
    assert upcoming([ended], NOW) == []


@pytest.mark.parametrize(
    ("repeat", "fields", "expected"),
    [
        ({"every": "week", "on": ["tues"]}, {}, "'tues' is not a day here: write mon, tue, wed, thu, fri, sat or sun"),
        ({"every": "fortnight"}, {}, "'day', 'week' or 'month'"),
        ({"every": "week", "on": ["tue"], "nth": 1}, {}, "only goes with every: month"),
        ({"every": "month", "on": ["tue"], "nth": 5}, {}, "must be 1, 2, 3 or 4"),
        ({"every": "month", "nth": 2}, {}, "has nth: 2 but no day"),
        ({"every": "month", "on": ["tue"]}, {}, "also needs nth: 1 for the first Tuesday"),
        ({"every": "week", "until": "2024-12-31", "count": 3}, {}, "cannot go with 'until'"),
        ({"every": "week", "until": "2023-12-31"}, {}, "'until' (2023-12-31) is before 'start' (2024-01-09)"),
        ({"every": "week", "on": ["wed"]}, {}, "'start' (2024-01-09) is a Tuesday, but 'on' is wed"),
        ({"every": "month", "on": ["tue"], "nth": 1}, {}, "is not the first Tuesday of its month"),
        ({"every": "month", "on": ["tue"], "nth": -1}, {}, "is not the last Tuesday of its month"),
        ({"every": "week", "interval": 0}, {}, "greater than or equal to 1"),
        ({"every": "week", "daily": True}, {}, "Extra inputs"),
    ],
)
def test_invalid_repeat_is_explained(repeat: dict[str, Any], fields: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        event(repeat, **fields)
    assert expected in str(caught.value)


def test_friendly_spellings_are_accepted() -> None:
    repeat = event({"every": "Weekly", "on": "Tue", "interval": "2", "except": "2024-01-23"}).repeat
    assert repeat is not None
    assert (repeat.every, repeat.on, repeat.interval, repeat.except_) == ("week", ["tue"], 2, [date(2024, 1, 23)])
    assert repeat.model_dump()["except"] == [date(2024, 1, 23)]


YAML_EVENT = """
  - id: tuesday-cafe
    name: Tuesday café
    organiser: food-place
    description: Tea and conversation.
    start: "2024-01-09 14:00"
    end: "2024-01-09 16:00"
    repeat:
      every: week
      on: [tue]
      until: "2024-12-31"
    needs: [food]
    areas: [norwich]
    sources: [https://example.org.uk/cafe]
    information_from: 2024-01-10
"""


def test_volunteers_see_file_and_line(editable: Editable) -> None:
    editable.replace("events.yaml", "events:\n", "events:\n" + YAML_EVENT.replace("on: [tue]", "on: [tues]"))
    _, problems = check(editable.path)
    line = editable.line_of("events.yaml", "on: [tues]")
    assert f"events.yaml:{line}: 'tues' is not a day here" in "\n".join(map(str, problems))


def test_a_volunteer_can_ask_whats_on_this_tuesday(editable: Editable) -> None:
    editable.replace("events.yaml", "events:\n", "events:\n" + YAML_EVENT)
    editable.replace("words.yaml", "    february:", "    tuesday: {en: [tuesday]}\n    february:")
    kb = load(editable.path)
    reply = Assistant(kb).respond("any event on tuesday?", NOW)
    assert reply.matches[0].entry.id == "tuesday-cafe"
    assert reply.matches[0].occurrence is not None
    assert reply.matches[0].occurrence.start == datetime(2024, 2, 6, 14, tzinfo=LONDON)
