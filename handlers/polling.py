"""Fetching updates so that a crash loses none: an update is acknowledged only once it is handled.

PTB's Updater confirms an update to Telegram (the getUpdates offset) as soon as it is fetched, so
a crash or a SIGKILL loses every update fetched but not yet answered. Here the offset moves only
past updates that are handled, and the ids of handled ones above it (numbers only, never anyone's
words) are kept in SQLite until Telegram confirms them, so an update delivered again after a
restart is skipped. Updates still go through `application.update_queue`, so the Application's
concurrent processing (handlers/ordering.py) is unchanged; that processor reports each one done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any, Protocol

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)

LONGEST_PAUSE = 30.0  # seconds between tries of getUpdates while Telegram is unreachable


class HandledUpdates(Protocol):
    """Where the handled ids live (bot.store.Store)."""

    async def handled_updates(self) -> set[int]: ...

    async def remember_handled(self, update_id: int, confirmed_below: int) -> None: ...


class Ledger:
    """Which updates are in flight and which are handled, and so how far Telegram may forget."""

    def __init__(self, handled: Iterable[int] = ()) -> None:
        self.in_flight: set[int] = set()
        self.handled: set[int] = set(handled)  # handled, and maybe not confirmed yet
        self.highest = 0  # the highest update id seen
        self.confirmed = 0  # Telegram confirmed (will never send again) every update below this
        self.moved = asyncio.Event()  # set when the offset moves on

    def offset(self) -> int:
        """The getUpdates offset: the first update not handled yet (0 before any was seen)."""
        if self.in_flight:
            return min(self.in_flight)
        return self.highest + 1 if self.highest else 0

    def take(self, update_id: int) -> bool:
        """True for an update to handle now; False for one in flight or handled already."""
        self.highest = max(self.highest, update_id)
        if update_id < self.confirmed or update_id in self.in_flight or update_id in self.handled:
            return False
        self.in_flight.add(update_id)
        return True

    def finish(self, update_id: int) -> None:
        before = self.offset()
        self.in_flight.discard(update_id)
        self.handled.add(update_id)
        if self.offset() != before:
            self.moved.set()

    def confirm(self, offset: int) -> None:
        """Telegram was asked for updates from `offset`: it has forgotten every one below."""
        self.confirmed = max(self.confirmed, offset)
        self.handled = {i for i in self.handled if i >= self.confirmed}


class Poller:
    """Long polling with acknowledgement after handling; one per Application (bot_data["poller"])."""

    def __init__(self, recheck: float = 1.0) -> None:
        self.recheck = recheck  # while updates are in flight and none is new: ask again this often
        self.long_poll = 10.0  # seconds a getUpdates waits for something new
        self.ledger = Ledger()
        self.store: HandledUpdates | None = None
        self.rejected: InvalidToken | None = None  # Telegram refused the token while running
        self.ended = asyncio.Event()
        self._application: Application | None = None  # type: ignore[type-arg]
        self._task: asyncio.Task[None] | None = None

    async def start(self, application: Application, store: HandledUpdates, long_poll: float = 10.0) -> None:  # type: ignore[type-arg]
        """Start fetching for `application` (initialised, its store open); handled ids come from `store`."""
        self._application, self.store, self.long_poll = application, store, long_poll
        self.ledger = Ledger(await store.handled_updates())
        await application.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        self._task = asyncio.create_task(self._poll(application), name="poller")

    async def stop(self) -> None:
        """Stop fetching; what was fetched is still handled by the Application."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def acknowledge(self) -> None:
        """Once the Application has stopped (every fetched update handled): confirm them to Telegram."""
        offset = self.ledger.offset()
        if not offset or self._application is None:
            return
        try:
            await self._application.bot.get_updates(offset=offset, timeout=0, limit=1)
        except TelegramError as exc:  # they are skipped by id when they come again
            log.info("could not confirm the last updates to Telegram: %r", exc)

    async def finished(self, update: object) -> None:
        """The update processor's report that an update was handled (answered, or its error handled)."""
        if not isinstance(update, Update):
            return
        if self.store is not None:
            try:
                await self.store.remember_handled(update.update_id, self.ledger.confirmed)
            except Exception as exc:  # a restart may then answer it twice; never stall the offset
                log.error("could not record update %s as handled: %r", update.update_id, exc)
        self.ledger.finish(update.update_id)

    async def _poll(self, application: Application) -> None:  # type: ignore[type-arg]
        failures = 0
        while True:
            offset = self.ledger.offset()
            self.ledger.moved.clear()  # from here on, an update handled means: ask again at once
            try:
                updates = await application.bot.get_updates(offset=offset or None, timeout=self.long_poll)
            except InvalidToken as exc:
                log.error("Telegram refused the token while running (401): stopping")
                self.rejected = exc
                self.ended.set()
                return
            except Exception as exc:  # unreachable, 5xx, another instance polling (409), or a surprise
                failures += 1
                pause = min(LONGEST_PAUSE, 0.5 * 2**failures)
                log.warning("fetching updates failed (%r); trying again in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                continue
            failures = 0
            self.ledger.confirm(offset)
            fresh = [update for update in updates if self.ledger.take(update.update_id)]
            for update in fresh:
                await application.update_queue.put(update)
            if updates and not fresh:
                await self._until_moved()

    async def _until_moved(self) -> None:
        """Telegram sent again only updates still in flight: wait until one is handled (the offset
        moves) or `recheck` passes (something new may have come behind a slow one)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.recheck):
                await self.ledger.moved.wait()


def poller(application: Application) -> Poller:  # type: ignore[type-arg]
    found: Any = application.bot_data["poller"]
    assert isinstance(found, Poller)
    return found
