"""Opening hours: is a service open now, and its timetable in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.events import LONDON
from bot.i18n import Translator
from bot.schema import DAYS, OpeningHours, Service


def is_open(service: Service, now: datetime) -> bool | None:
    """True or False when the timetable says; None when we do not know its hours."""
    if service.open_24_7:
        return True
    if not service.opening_hours:
        return None
    local = now.astimezone(LONDON)
    day = DAYS[local.weekday()]
    clock = local.time().replace(tzinfo=None)
    return any(day in h.days and h.opens <= clock < h.closes for h in service.opening_hours)


def day_ranges(days: Sequence[str]) -> list[tuple[str, str]]:
    """Consecutive days grouped: [mon, tue, wed, fri] -> [(mon, wed), (fri, fri)]."""
    ordered = sorted(set(days), key=DAYS.index)
    ranges: list[tuple[str, str]] = []
    for day in ordered:
        if ranges and DAYS.index(day) == DAYS.index(ranges[-1][1]) + 1:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def timetable(hours: Sequence[OpeningHours], t: Translator) -> str:
    """'Mon–Fri 09:00–17:00; Sat 10:00–12:00' in `t`'s language: CLDR's weekday names, its digits
    and punctuation, each time kept whole inside right-to-left text (so the range still reads
    from its start)."""
    parts = []
    for h in hours:
        days = t.join(t.weekday(a) if a == b else f"{t.weekday(a)}–{t.weekday(b)}" for a, b in day_ranges(h.days))
        parts.append(f"{days} {t.isolate(t.clock(h.opens))}–{t.isolate(t.clock(h.closes))}")
    return t.join_phrases(parts)
