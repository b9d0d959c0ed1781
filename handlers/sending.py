"""Sending a core Reply to Telegram: HTML split at 4,096 characters, buttons under the last piece.

This is also the one place that retries what the handlers send. AIORateLimiter only paces requests
(`max_retries=0`, handlers/app.py), and the broadcast outbox keeps its own durable retries per row.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.replies import Reply
from handlers.outbox import not_sent

log = logging.getLogger(__name__)

MAX_CALLBACK_DATA = 64  # bytes Telegram keeps of a button's data
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Patience:
    """How long a reply keeps trying through Telegram's bad minutes (BOT_SEND_RETRY_SECONDS).

    The pauses grow from `first` to `longest`, both in proportion to `seconds` (capped at 0.5 s and
    15 s), so a test's patience of a few seconds behaves like the real two minutes, compressed."""

    seconds: float = 120.0

    @property
    def first(self) -> float:
        return min(0.5, self.seconds / 40)

    @property
    def longest(self) -> float:
        return min(15.0, self.seconds / 8)

    def pause(self, attempt: int, jitter: Callable[[], float] = random.random) -> float:
        """Exponential backoff with jitter: half the step for sure, the other half at random, so the
        twenty chats an outage cut off do not all come back at the same instant."""
        step = min(self.longest, self.first * 2.0**attempt)
        return step / 2 + step / 2 * jitter()


def pause_before_retry(exc: TelegramError, attempt: int, patience: Patience) -> float | None:
    """How long to wait before trying again, or None when trying again is wrong.

    Retried: a 429 (as long as Telegram asks), a 5xx, and a connection refused, reset or dropped
    before Telegram answered, or a time-out before the request left (PTB's NetworkError). Not
    retried: a read time-out (Telegram got the request and may have carried it out) and a 400/403,
    which never heal by themselves."""
    if isinstance(exc, RetryAfter):
        return _seconds(exc.retry_after)
    if isinstance(exc, BadRequest) or (isinstance(exc, TimedOut) and not not_sent(exc)):
        return None
    if isinstance(exc, NetworkError):
        return patience.pause(attempt)
    return None


async def persist(call: Callable[[], Awaitable[T]], patience: Patience) -> T:
    """`call()`, tried again after the failures `pause_before_retry` allows, for up to
    `patience.seconds`; then its last error is raised."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience.seconds
    attempt = 0
    while True:
        try:
            return await call()
        except TelegramError as exc:
            wait = pause_before_retry(exc, attempt, patience)
            if wait is None or loop.time() + wait > deadline:
                raise
            log.debug("Telegram failed (%r); trying again in %.2f s", exc, wait)
        await asyncio.sleep(wait)
        attempt += 1


async def deliver(call: Callable[[], Awaitable[T]], patience: Patience, chat_id: int) -> T | None:
    """`persist(call)`, except that a read time-out gives None: the message may be in the chat
    already, so sending it again, or apologising after it, would both be wrong."""
    try:
        return await persist(call, patience)
    except TimedOut as exc:
        if not_sent(exc):
            raise
        log.warning("a message to chat %s timed out and may have arrived: not sent again", chat_id)
        return None


def undeliverable(exc: BaseException | None) -> bool:
    """Telegram could not be reached (even after `persist`), or refuses the token: an apology would
    not get through either."""
    return isinstance(exc, RetryAfter | NetworkError | InvalidToken) and not isinstance(exc, BadRequest)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b.label[:64], callback_data=b.action) for b in row if _fits(b.action)]
        for row in reply.buttons
    ]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _fits(action: str) -> bool:
    if len(action.encode()) <= MAX_CALLBACK_DATA:
        return True
    log.warning("button action too long for Telegram, left out: %s...", action[:20])
    return False


async def send_reply(bot: Bot, chat_id: int, reply: Reply, patience: Patience | None = None) -> list[Message]:
    """Send every piece in order, each through `deliver`; returns the messages Telegram confirmed
    (a piece that timed out is not among them, and the pieces after it are still sent)."""
    patience = patience or Patience()
    if reply.document is not None:
        name, content = reply.document
        document_file = InputFile(content, filename=name)
        call = partial(bot.send_document, chat_id, document_file, caption=reply.html, reply_markup=keyboard(reply))
        document = await deliver(call, patience, chat_id)
        return [] if document is None else [document]
    pieces = reply.chunks()
    markup = keyboard(reply)
    sent: list[Message] = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        message = await deliver(
            partial(bot.send_message, chat_id, piece, reply_markup=markup if last else None), patience, chat_id
        )
        if message is not None:
            sent.append(message)
    return sent


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]
