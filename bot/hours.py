"""Opening hours: is a service open now, and its timetable in a few short lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.events import LONDON
from bot.schema import DAYS, Service


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
