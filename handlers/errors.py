"""What happens when a handler fails: log it without the user's words, apologise, keep serving."""

from __future__ import annotations

import contextlib
import logging
import traceback

from telegram import Update
from telegram.error import Forbidden

from bot.store import NotSaved
from handlers.chat import Context, patience, sender, service
from handlers.sending import send_reply, undeliverable

log = logging.getLogger("sanctuary.errors")


async def on_error(update: object, context: Context) -> None:
    error = context.error
    who = sender(update) if isinstance(update, Update) else None
    chat = who.chat_id if who else None
    kind = _update_kind(update)
    svc = service(context)
    if isinstance(error, Forbidden) and chat is not None:
        log.info("chat %s blocked the bot; marked inactive", chat)
        with contextlib.suppress(NotSaved):  # the store logged it; nobody is left to tell
            await svc.store.mark_blocked(chat)
        return
    if undeliverable(error):
        # Telegram stayed unreachable for BOT_SEND_RETRY_SECONDS, or timed out after it may have
        # delivered: an apology would not get through, or would follow an answer that did.
        log.warning("gave up on a reply to chat %s (%s update): %r", chat, kind, error)
        return
    # The exception's type and where it happened, never its message: that may quote what the user sent.
    where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    log.error("error handling %s update from chat %s: %s\n%s", kind, chat, type(error).__name__, where.rstrip())
    if who is None:
        return
    try:
        await send_reply(context.bot, who.chat_id, svc.sorry(await svc.language(who)), patience(context))
    except Exception as exc:
        log.warning("could not apologise to chat %s: %r", chat, exc)


def _update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in ("message", "callback_query", "my_chat_member", "edited_message"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"
