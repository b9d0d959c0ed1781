"""How old our facts are: entries whose last_verified is older than a number of days.

`validate` shows them as warnings, and a weekly digest can list them for volunteers to check.
Today's date is always a parameter: nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from bot.events import LONDON, next_occurrence
from bot.schema import Entry, Event

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase

DEFAULT_STALE_DAYS = 180
"""Facts older than this (about six months) should be checked with their source again."""


def is_over(event: Event, today: date) -> bool:
    """Whether every occurrence of the event ended before `today`: nobody needs its details checked."""
    start_of_today = datetime.combine(today, time.min, tzinfo=LONDON)
    return next_occurrence(event, start_of_today).is_past(start_of_today)


def age_if_stale(entry: Entry, today: date, days: int) -> int | None:
    """The age in days of the entry's last_verified if it is older than `days`, else None.

    `days` of 0 or less turns the check off. An event that is over is never stale.
    """
    if days <= 0:
        return None
    age = (today - entry.last_verified).days
    if age <= days:
        return None
    if isinstance(entry, Event) and is_over(entry, today):
        return None
    return age


def stale(entries: Iterable[Entry], today: date, days: int = DEFAULT_STALE_DAYS) -> list[tuple[Entry, int]]:
    """(entry, age in days) for each stale entry, oldest first (in file order where ages are equal)."""
    found = [(entry, age) for entry in entries if (age := age_if_stale(entry, today, days)) is not None]
    return sorted(found, key=lambda pair: -pair[1])


def stale_entries(kb: KnowledgeBase, today: date, days: int = DEFAULT_STALE_DAYS) -> list[tuple[Entry, int]]:
    """The organisations, helplines and events of `kb` last checked more than `days` days before `today`."""
    return stale((*kb.organisations, *kb.helplines, *kb.events), today, days)


def stale_message(entry: Entry, age: int) -> str:
    """What `validate` says about a stale entry, after its file and line."""
    return (
        f"last checked {entry.last_verified.isoformat()} ({age:,} days ago): "
        "check the details with the source and update last_verified"
    )
