"""The outbox sender's link to Telegram: one send, its errors translated, and progress edits."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.chat import ChatService
from bot.outbox import Ambiguous, Blocked, Permanent, ProgressFn, RateLimited, SendFn, Transient

log = logging.getLogger(__name__)
GONE = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


def telegram_send(bot: ExtBot[Any]) -> SendFn:
    """A send that raises what the outbox understands; PTB's own 429 retries are off for it."""

    # With our own rate limiter, ask it not to retry 429s itself: the outbox waits and retries.
    # (AIORateLimiter's rate_limit_args is the number of retries for this one request.)
    extra: dict[str, Any] = {"rate_limit_args": 0} if bot.rate_limiter is not None else {}

    async def send(chat_id: int, text: str) -> None:
        try:
            await bot.send_message(chat_id, text, **extra)
        except RetryAfter as exc:
            wait = exc.retry_after
            raise RateLimited(wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from exc
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except TimedOut as exc:
            if not_sent(exc):
                raise Transient(exc.message) from exc
            raise Ambiguous(exc.message) from exc
        except BadRequest as exc:
            if any(phrase in exc.message.lower() for phrase in GONE):
                raise Blocked(exc.message) from exc
            raise Permanent(exc.message) from exc
        except NetworkError as exc:  # 5xx, or the connection failed or dropped
            raise Transient(exc.message) from exc
        except TelegramError as exc:  # anything else Telegram says: retried until the row's deadline
            raise Transient(exc.message) from exc

    return send


def not_sent(exc: TimedOut) -> bool:
    """A time-out before the request left (pool or connect): safe to retry."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


def progress_editor(bot: Bot, service: ChatService) -> ProgressFn:
    """Edits the organiser's message with "Sending: 120 of 300" and, at the end, the report.

    A refused edit (too long, not modifiable, Telegram down) is skipped; the final report then
    goes out as a new message, through the outbox, so it arrives even after an outage."""

    async def progress(broadcast_id: int, finished: bool) -> None:
        found = await service.broadcast_update(broadcast_id)
        if found is None:
            return
        b, reply = found
        assert b.created_by is not None  # broadcast_update returns only broadcasts with an organiser
        edited = b.progress_message is not None and await edit(bot, b.created_by, b.progress_message, reply.html)
        if finished:
            await service.report_finished(b, reply, edited=edited)

    return progress


async def edit(bot: Bot, chat_id: int, message_id: int, html: str) -> bool:
    """Replace a message's text; False (and no error) when Telegram would not or could not."""
    try:
        await bot.edit_message_text(html, chat_id=chat_id, message_id=message_id)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True  # it already says this
        log.info("progress message %s not edited: %s", message_id, exc.message)
        return False
    except TelegramError as exc:
        log.info("progress message %s not edited: %r", message_id, exc)
        return False
    return True
