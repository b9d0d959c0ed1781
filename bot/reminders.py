"""Which reminders are due: the day before for subscribers, two hours before for "Remind me".

Subscribers hear of dated events, not of every week of a regular session.

A pure function of the knowledge base, the subscribers, the requests and `now`: it may run every
minute, after a restart or a knowledge reload, because every message carries an idempotency key
(kind, chat, event, occurrence) and the outbox queues a key only once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.events import LONDON, Occurrence, upcoming
from bot.knowledge import KnowledgeBase
from bot.schema import Event
from bot.store import Queued

TWO_HOURS = timedelta(hours=2)
QUEUE_AHEAD = timedelta(hours=1)  # queue a reminder this long before it is due, not earlier
HORIZON_DAYS = 400  # how far ahead a requested occurrence is looked for
REMINDER_KINDS = ("day-before", "two-hours", "changed")  # the first part of their outbox keys


@dataclass(frozen=True, slots=True)
class Request:
    chat_id: int
    event_id: str
    occurrence: str  # ISO start time as stored


@dataclass(frozen=True, slots=True)
class Moved:
    """A requested occurrence that no longer exists: the request moves to `new` (or is dropped)."""

    request: Request
    new: Occurrence | None


ReminderText = Callable[[Occurrence, str], str]  # (occurrence, language) -> HTML
ChangedText = Callable[[str, datetime, Occurrence | None, str], str]  # (name, old start, new, language)


def day_before_at(occurrence: Occurrence, clock: time) -> datetime:
    """The local time, the day before the event, when subscribers hear of it."""
    day = occurrence.start.astimezone(LONDON).date() - timedelta(days=1)
    return datetime.combine(day, clock, tzinfo=LONDON)


def goes_on(event: Event) -> bool:
    """A regular session with no end (every Wednesday): subscribers are not told of it every week,
    only those who tapped "Remind me" on one of its dates."""
    return event.repeat is not None and event.repeat.until is None and event.repeat.count is None


def due_reminders(
    kb: KnowledgeBase,
    subscribers: Iterable[tuple[int, str | None]],
    requests: Iterable[Request],
    now: datetime,
    *,
    day_before: time,
    reminder_text: ReminderText,
    changed_text: ChangedText,
) -> tuple[list[Queued], list[Moved]]:
    """Messages to queue now, and the requests whose event was cancelled or moved."""
    queued: list[Queued] = []
    subscribers = list(subscribers)
    languages = dict(subscribers)
    for occurrence in upcoming([e for e in kb.events if not goes_on(e)], now, days=3):
        send_at = day_before_at(occurrence, day_before)
        if now < send_at - QUEUE_AHEAD or now >= occurrence.start:
            continue
        for chat_id, language in subscribers:
            queued.append(
                Queued(
                    chat_id,
                    reminder_text(occurrence, language or "en"),
                    send_at,
                    key=_key("day-before", chat_id, occurrence.event.id, occurrence.start.isoformat()),
                    expires=occurrence.start,
                )
            )
    moved: list[Moved] = []
    for request in requests:
        event = kb.entry(request.event_id)
        old = datetime.fromisoformat(request.occurrence)
        if old <= now:
            continue
        language = languages.get(request.chat_id) or "en"
        current = _occurrence_at(event, old, now) if isinstance(event, Event) else None
        if current is None:
            new = _next(event, now) if isinstance(event, Event) else None
            name = event.name if event is not None else request.event_id
            queued.append(
                Queued(
                    request.chat_id,
                    changed_text(name, old, new, language),
                    now,
                    key=_key("changed", request.chat_id, request.event_id, request.occurrence),
                )
            )
            moved.append(Moved(request, new))
            continue
        send_at = current.start - TWO_HOURS
        if now >= send_at - QUEUE_AHEAD:
            queued.append(
                Queued(
                    request.chat_id,
                    reminder_text(current, language),
                    send_at,
                    key=_key("two-hours", request.chat_id, request.event_id, request.occurrence),
                    expires=current.start,
                )
            )
    return queued, moved


def _key(kind: str, chat_id: int, event_id: str, occurrence: str) -> str:
    return f"{kind}:{chat_id}:{event_id}:{occurrence}"


def reminder_of(key: str | None) -> tuple[str, str] | None:
    """(event id, occurrence) of a reminder's or a changed-event notice's outbox key, as `_key`
    wrote it; None for any other message (a broadcast, a report, a notice to organisers)."""
    kind, _, rest = (key or "").partition(":")
    parts = rest.split(":", 2)  # the chat id and the event id have no colon; the ISO time has
    if kind not in REMINDER_KINDS or len(parts) != 3:
        return None
    return parts[1], parts[2]


def _occurrence_at(event: Event, start: datetime, now: datetime) -> Occurrence | None:
    return next((o for o in upcoming([event], now, days=HORIZON_DAYS) if o.start == start), None)


def _next(event: Event, now: datetime) -> Occurrence | None:
    found = upcoming([event], now, days=HORIZON_DAYS)
    return found[0] if found else None
