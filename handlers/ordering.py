"""Updates from different chats are handled at the same time; one chat's updates stay in order.

PTB handles one update at a time by default, so one slow reply would hold up every other user;
its `concurrent_updates(True)` runs all at once, so a user's two quick messages could be answered
out of order. This processor does both right, and reports each update handled (to the poller,
which acknowledges an update to Telegram only then).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Finished = Callable[[object], Awaitable[None]]


async def _nothing(update: object) -> None:
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256, finished: Finished = _nothing) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.finished = finished

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self._in_order(update, coroutine)
        except asyncio.CancelledError:
            raise  # stopped half-way: not handled, so Telegram sends it again after the restart
        except Exception:
            await self.finished(update)  # an update that breaks the bot must not hold the others back
            raise
        await self.finished(update)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        key = chat.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats, so memory does not grow with users
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
