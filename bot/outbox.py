"""Drains the durable outbox: broadcasts and reminders reach each recipient once, within a rate.

One row is sent at a time and its outcome written before the next is sent, so after a crash only
the one message in flight can arrive twice. The sender knows nothing of Telegram: the front end
gives it a `send` function that raises the errors below.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
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
    """The request did not reach Telegram (connection refused, DNS): safe to retry."""


class Permanent(SendError):
    """Telegram refused this message (bad request): retrying will not help."""


SendFn = Callable[[int, str], Awaitable[None]]
ProgressFn = Callable[[int, bool], Awaitable[None]]  # (broadcast id, finished)


def utc_now() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    """Sends due rows at `rate` messages a second, sequentially; resumable after any stop."""

    MAX_ATTEMPTS = 5

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
    ) -> None:
        self.store = store
        self.send = send
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.progress = progress
        self.progress_every = progress_every
        self.on_blocked = on_blocked
        self.rate_limited = 0  # 429s seen, for the report and benchmarks
        self._next_slot = 0.0
        self._last_progress: dict[int, float] = {}
        self._touched: set[int] = set()  # broadcasts with a message sent in the current batch
        self.wake = asyncio.Event()  # set when something new is queued

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Send everything due now (including what becomes due meanwhile); the number delivered."""
        delivered = 0
        while not (stop and stop.is_set()):
            batch = await self.store.due(self.clock())
            if not batch:
                break
            for item in batch:
                if stop and stop.is_set():
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

    async def _pace(self) -> None:
        now = time.monotonic()
        if self._next_slot > now:
            await asyncio.sleep(self._next_slot - now)
        self._next_slot = max(now, self._next_slot) + self.interval

    async def _deliver(self, item: OutboxItem) -> int:
        if item.expires is not None and self.clock() >= item.expires:
            await self.store.mark(item.id, "expired")
            await self._after(item)
            return 0
        while True:
            await self._pace()
            try:
                await self.send(item.chat_id, item.text)
            except RateLimited as exc:
                # Not the recipient's fault: wait as asked, then try the same row again.
                self.rate_limited += 1
                self._next_slot = time.monotonic() + exc.seconds
                continue
            except Blocked as exc:
                await self.store.mark(item.id, "blocked", str(exc)[:200])
                if self.on_blocked is not None:
                    await self.on_blocked(item.chat_id)
            except Ambiguous as exc:
                await self.store.mark(item.id, "ambiguous", str(exc)[:200])
            except Transient as exc:
                if item.attempts + 1 >= self.MAX_ATTEMPTS:
                    await self.store.mark(item.id, "failed", str(exc)[:200])
                else:
                    backoff = timedelta(seconds=2 ** (item.attempts + 1))
                    await self.store.retry_later(item.id, self.clock() + backoff, str(exc)[:200])
                    return 0
            except Permanent as exc:
                await self.store.mark(item.id, "failed", str(exc)[:200])
            else:
                await self.store.mark(item.id, "sent")
                await self._after(item)
                return 1
            await self._after(item)
            return 0

    async def _after(self, item: OutboxItem) -> None:
        """Progress for the organiser every few seconds, and the report when a broadcast is done."""
        if item.broadcast_id is None:
            return
        self._touched.add(item.broadcast_id)
        now = time.monotonic()
        if now - self._last_progress.get(item.broadcast_id, 0.0) >= self.progress_every:
            await self._report(item.broadcast_id, finished=False)

    async def _finish(self) -> None:
        """After each batch: a broadcast with nothing left pending is done, and its report goes out.
        (Checked per batch, not per message: one query less for every message sent.)"""
        for broadcast_id in sorted(self._touched):
            if await self.store.finish_if_done(broadcast_id):
                await self._report(broadcast_id, finished=True)
        self._touched.clear()

    async def _report(self, broadcast_id: int, finished: bool) -> None:
        self._last_progress[broadcast_id] = time.monotonic()
        if self.progress is None:
            return
        try:
            await self.progress(broadcast_id, finished)
        except Exception:  # progress is a courtesy; the broadcast goes on
            log.warning("could not report progress of broadcast %s", broadcast_id, exc_info=True)
