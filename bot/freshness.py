"""How old our facts are, and how to say so truthfully.

An entry is dated by its sources: `information_from` is the newest date they show, only as precise
as they show it; where no source shows a date, `read_on` is the day they were read. Only
`checked_on` records a real check with the organisation (a call, a visit), and only that is ever
called "checked". `validate` warns where an entry's newest information is older than a number of
days (two years unless told otherwise), and the weekly digest lists those entries for volunteers.
Today's date is always a parameter: nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING

from babel.dates import format_date, format_skeleton

from bot.events import LONDON, next_occurrence
from bot.schema import Entry, Event, PartialDate

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase

DEFAULT_STALE_DAYS = 730
"""Information older than this (two years) should be confirmed with the organisation itself."""

Translate = Callable[..., str]
"""A translator of the bot's English sentences: a bot.i18n.Translator, or `in_english`."""


def is_over(event: Event, today: date) -> bool:
    """Whether every occurrence of the event ended before `today`: nobody needs its details checked."""
    start_of_today = datetime.combine(today, time.min, tzinfo=LONDON)
    return next_occurrence(event, start_of_today).is_past(start_of_today)


def newest_day(entry: Entry) -> date:
    """The last day the entry's newest information is known to have been true.

    That is the later of `checked_on` and the end of the period `information_from` names ("2024"
    counts until 31 December 2024), or, for sources that show no date, `read_on`: the page was
    still up then, which is all we know.
    """
    source_end = entry.information_from.last if entry.information_from is not None else None
    known = [day for day in (entry.checked_on, source_end) if day is not None]
    if known:
        return max(known)
    assert entry.read_on is not None  # the schema requires read_on where information_from is missing
    return entry.read_on


def age_if_stale(entry: Entry, today: date, days: int) -> int | None:
    """The age in days of the entry's newest information if it is older than `days`, else None.

    `days` of 0 or less turns the check off. An event that is over is never stale.
    """
    if days <= 0:
        return None
    age = (today - newest_day(entry)).days
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
    """The organisations, helplines and events of `kb` whose newest information is more than `days` days old."""
    return stale((*kb.organisations, *kb.helplines, *kb.events), today, days)


def stale_message(entry: Entry, age: int) -> str:
    """What `validate` says about a stale entry, after its file and line."""
    checked, source = entry.checked_on, entry.information_from
    if checked is not None and (source is None or checked >= source.last):
        newest = f"last checked with them on {checked.isoformat()}"
    elif source is not None:
        newest = f"newest information from {source} ({entry.information_site})"
    else:
        newest = f"source undated, read on {entry.read_on}"
    return (
        f"{newest}, {age:,} days ago: confirm the details with the organisation itself (a call or a visit), "
        "then write the day as checked_on and who checked as checked_by"
    )


# ---- saying it in the reader's language ---------------------------------------------------------


@lru_cache(maxsize=4096)
def day_text(value: date, locale: str, weekday: bool = False) -> str:
    """'12 June 2024' in `locale` (a Babel locale); Babel is slow for the few dates replies repeat."""
    return format_date(value, format="EEEE d MMMM y" if weekday else "d MMMM y", locale=locale)


@lru_cache(maxsize=1024)
def partial_date_text(value: PartialDate, locale: str) -> str:
    """A date as precise as its source gave it: '2024', 'June 2024' or '12 June 2024', in `locale`."""
    if value.day is not None:
        return day_text(value.first, locale)
    return format_skeleton("yMMMM" if value.month is not None else "y", value.first, locale=locale)


def dated(entry: Entry, t: Translate, locale: str, isolate: Callable[[str], str] = str) -> list[str]:
    """The sentences that say how old an entry's information is, for a card or a list.

    "Information from June 2024 (newroutes.org.uk)." or "Source undated, read on 3 July 2025.",
    then "Checked with them on <date>." only where a volunteer really checked. `isolate` wraps the
    site's name, so that a right-to-left reply keeps it in one piece.
    """
    if entry.information_from is not None:
        when = partial_date_text(entry.information_from, locale)
        site = isolate(entry.information_site or "")
        sentences = [t("Information from {date} ({site}).", date=when, site=site)]
    else:
        assert entry.read_on is not None
        sentences = [t("Source undated, read on {date}.", date=day_text(entry.read_on, locale))]
    if entry.checked_on is not None:
        sentences.append(t("Checked with them on {date}.", date=day_text(entry.checked_on, locale)))
    return sentences


def in_english(message: str, /, **values: object) -> str:
    """The identity translator, for what is only ever written in English (calendar files)."""
    return message.format(**values) if values else message
