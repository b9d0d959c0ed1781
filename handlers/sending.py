"""Sending a core Reply to Telegram: HTML split at 4,096 characters, buttons under the last piece."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.replies import Reply

log = logging.getLogger(__name__)

MAX_CALLBACK_DATA = 64  # bytes Telegram keeps of a button's data


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


async def send_reply(bot: Bot, chat_id: int, reply: Reply, attempts: int = 3) -> list[Message]:
    """Send every piece in order. A 429 waits as long as Telegram asks; a connection that failed
    before the request left is retried; a time-out is not (the message may have arrived)."""
    if reply.document is not None:
        name, content = reply.document
        document = InputFile(content, filename=name)
        return [await bot.send_document(chat_id, document, caption=reply.html, reply_markup=keyboard(reply))]
    pieces = reply.chunks()
    markup = keyboard(reply)
    sent: list[Message] = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        for attempt in range(1, attempts + 1):
            try:
                sent.append(await bot.send_message(chat_id, piece, reply_markup=markup if last else None))
                break
            except RetryAfter as exc:
                if attempt == attempts:
                    raise
                await asyncio.sleep(_seconds(exc.retry_after))
            except TimedOut:
                raise
            except NetworkError as exc:  # BadRequest is one too, and never heals by itself
                if isinstance(exc, BadRequest) or attempt == attempts:
                    raise
                await asyncio.sleep(0.5 * attempt)
    return sent


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]
