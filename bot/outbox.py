"""Drains the durable outbox: broadcasts and reminders reach each recipient once, within a rate.

One row is sent at a time and its outcome written before the next is sent, so after a crash only
the one message in flight can arrive twice. A send that failed (Telegram down, the network gone)
is tried again later, with growing delays, until the row's deadline: the event's start for a
reminder, a day after the first failure for anything else. While sends fail, the whole sender
holds back rather than trying every recipient in turn. The sender knows nothing of Telegram: the
front end gives it a `send` function that raises the errors below.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.store import OutboxItem, Store

log = logging.getLogger(__name__)


class SendError(Exception):
    """Base of what a send may report."""


class Blocked(SendError):
    """The user blocked the bot or deleted their account: permanent."""


class RateLimited(SendError):
    """Telegram asks us to wait this many seconds."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited for {seconds} s")
        self.seconds = seconds


class Ambiguous(SendError):
    """A time-out after the request left: it may have been delivered, so it is never resent."""


class Transient(SendError):
    """Telegram failed (5xx) or could not be reached (connection refused or dropped): safe to retry."""


class Permanent(SendError):
    """Telegram refused this message (bad request): retrying will not help."""


SendFn = Callable[[int, str], Awaitable[None]]
ProgressFn = Callable[[int, bool], Awaitable[None]]  # (broadcast id, finished)

RETRY_FOR = timedelta(hours=24)  # how long a message without a deadline of its own is retried


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Backoff:
    """The wait before try number n + 1: `first` seconds, doubling, at most `cap`.

    Jittered (each wait drawn between `1 - jitter` and 1 of the schedule) so that messages that
    failed together during an outage do not all come back in the same second."""

    first: float = 2.0
    cap: float = 3600.0
    factor: float = 2.0
    jitter: float = 0.5

    def delay(self, failures: int, draw: Callable[[], float] = random.random) -> float:
        """Seconds to wait after `failures` failures in a row (1 for the first)."""
        exponent = min(max(failures - 1, 0), 64)  # 2 ** 64 seconds is past any cap: no overflow
        return min(self.cap, self.first * self.factor**exponent) * (1 - self.jitter * draw())


class OutboxSender:
    """Sends due rows at `rate` messages a second, sequentially; resumable after any stop.

    `backoff`: how long a row that failed waits before its next try, in `clock` time (seconds,
    doubling, up to an hour). `pause`: how long nobody is sent anything after sends failed in a
    row, in real time (the same schedule), so an outage costs one probe at a time rather than one
    failed request per recipient. `retry_for`: how long a row without a deadline of its own (a
    broadcast's, a notice's) is retried after its first failure. Tests shrink all three."""

    def __init__(
        self,
        store: Store,
        send: SendFn,
        rate: float,
        *,
        clock: Callable[[], datetime] = utc_now,
        progress: ProgressFn | None = None,
        progress_every: float = 3.0,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
        backoff: Backoff | None = None,
        pause: Backoff | None = None,
        retry_for: timedelta = RETRY_FOR,
    ) -> None:
        self.store = store
        self.send = send
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.progress = progress
        self.progress_every = progress_every
        self.on_blocked = on_blocked
        self.backoff = backoff or Backoff()  # a failed row's wait before its next try, in `clock` time
        self.pause = pause or Backoff()  # the whole sender's pause after sends failed in a row
        self.retry_for = retry_for
        self.rate_limited = 0  # 429s seen, for the report and benchmarks
        self._next_slot = 0.0
        self._hold_until = 0.0  # monotonic time before which nothing is sent (a 429, an outage)
        self._failing = 0  # sends failed in a row, whoever they were for: how long to hold back
        self._check_reports = True  # look for finished broadcasts not yet reported (after a crash)
        self._stop: asyncio.Event | None = None
        self._last_progress: dict[int, float] = {}
        self.wake = asyncio.Event()  # set when something new is queued

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Send everything due now (including what becomes due meanwhile); the number delivered.

        Waits out a hold (a 429, or sends failing) before fetching the next rows, so a row deleted
        meanwhile (/forget) is never sent from a stale list."""
        self._stop = stop
        if self._check_reports:
            await self._finish()
        delivered = 0
        while not self._stopped():
            await self._sleep(self._hold_until - time.monotonic())
            if self._stopped():
                break
            batch = await self.store.due(self.clock())
            if not batch:
                break
            for item in batch:
                if self._stopped() or self._held():
                    break
                delivered += await self._deliver(item)
            await self._finish()
        return delivered

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain until `stop` is set, waking when something is queued or every `idle` seconds."""
        while not stop.is_set():
            self.wake.clear()  # before draining: a wake during the drain is not lost
            try:
                await self.drain(stop)
            except Exception:  # a database hiccup must not end the sender for good
                log.exception("outbox drain failed; retrying shortly")
            stop_wait = asyncio.ensure_future(stop.wait())
            wake_wait = asyncio.ensure_future(self.wake.wait())
            await asyncio.wait({stop_wait, wake_wait}, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for task in (stop_wait, wake_wait):
                task.cancel()

    def _stopped(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def _held(self) -> bool:
        return self._hold_until > time.monotonic()

    def _hold(self, seconds: float) -> None:
        self._hold_until = max(self._hold_until, time.monotonic() + seconds)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the sender is stopped (a hold may last an hour)."""
        if seconds <= 0:
            return
        if self._stop is None:
            await asyncio.sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _pace(self) -> None:
        now = time.monotonic()
        await self._sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + self.interval

    async def _deliver(self, item: OutboxItem) -> int:
        """Send one row and write its outcome; 1 if it was delivered."""
        if item.expires is not None and self.clock() >= item.expires:
            await self._give_up(item, "expired")
            return 0
        await self._pace()
        if self._stopped():
            return 0  # stopped while pacing: the row waits for the restart
        try:
            await self.send(item.chat_id, item.text)
        except RateLimited as exc:
            # Not the recipient's fault: nobody is sent anything until the wait is over, then
            # this same row (still the first due) goes again. Not counted as an attempt.
            self.rate_limited += 1
            self._hold(exc.seconds)
            return 0
        except Blocked as exc:
            self._failing = 0
            await self.store.mark(item.id, "blocked", str(exc)[:200])
            if self.on_blocked is not None:
                await self.on_blocked(item.chat_id)
        except Ambiguous as exc:
            self._failed()  # Telegram too slow to answer: hold back, as for an outage
            await self.store.mark(item.id, "ambiguous", str(exc)[:200])
        except Transient as exc:
            self._failed()
            await self._retry_later(item, str(exc)[:200])
            return 0
        except Permanent as exc:
            self._failing = 0
            await self._give_up(item, "failed", str(exc)[:200])
        except Exception as exc:  # a bug in the send must not stop the queue behind this row
            log.exception("outbox row %s: unexpected error from send", item.id)
            self._failed()
            await self._retry_later(item, repr(exc)[:200])
            return 0
        else:
            self._failing = 0
            await self.store.mark(item.id, "sent")
            await self._after(item)
            return 1
        await self._after(item)
        return 0

    def _failed(self) -> None:
        """Another send failed: Telegram is probably down, so everyone waits, longer each time."""
        self._failing += 1
        self._hold(self.pause.delay(self._failing))

    async def _retry_later(self, item: OutboxItem, error: str) -> None:
        """This row again after its own growing delay, never after its deadline (when it is
        dequeued at the deadline, it is given up)."""
        now = self.clock()
        deadline = item.expires or now + self.retry_for
        retry = min(now + timedelta(seconds=self.backoff.delay(item.attempts + 1)), deadline)
        await self.store.retry_later(item.id, retry, error, expires=deadline)
        log.info("outbox row %s failed (%s); retrying at %s", item.id, error, retry.isoformat(timespec="seconds"))

    async def _give_up(self, item: OutboxItem, state: str, error: str | None = None) -> None:
        """A final failure. A broadcast's shows in its report; a reminder's or a notice's is
        flagged for the organisers (ChatService.queue_failure_notices tells them)."""
        await self.store.mark(item.id, state, error, tell=item.broadcast_id is None)
        log.info("outbox row %s given up: %s", item.id, state)
        await self._after(item)

    async def _after(self, item: OutboxItem) -> None:
        """Progress for the organiser every few seconds."""
        if item.broadcast_id is None:
            return
        now = time.monotonic()
        if now - self._last_progress.get(item.broadcast_id, 0.0) >= self.progress_every:
            self._last_progress[item.broadcast_id] = now
            await self._report(item.broadcast_id, finished=False)

    async def _finish(self) -> None:
        """After each batch: a broadcast with nothing left pending is done, and its report goes out;
        one whose report failed, or was interrupted by a crash, is reported at the next drain.
        (Checked per batch, not per message: one query less for every message sent.)"""
        self._check_reports = False
        for broadcast_id in await self.store.finished_broadcasts():
            if await self._report(broadcast_id, finished=True):
                await self.store.mark_reported(broadcast_id)
            else:
                self._check_reports = True  # again at the next drain, even if nothing else is sent

    async def _report(self, broadcast_id: int, finished: bool) -> bool:
        """True when the organiser has been given the progress (or has it on its way)."""
        if self.progress is None:
            return True
        try:
            await self.progress(broadcast_id, finished)
        except Exception:  # progress is a courtesy; the final report is tried again after the next batch
            log.warning("could not report progress of broadcast %s", broadcast_id, exc_info=True)
            return False
        return True
