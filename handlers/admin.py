"""Organisers' commands. Who is an organiser is decided here, in one place: BOT_ADMIN_IDS."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from handlers.chat import Context, sender, service
from handlers.sending import send_reply

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def admins_only(handler: Handler) -> Handler:
    """Run the handler for organisers; anyone else gets a polite refusal and nothing happens."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        who = sender(update)
        if who is None:
            return
        svc = service(context)
        if not svc.is_admin(who):
            await send_reply(context.bot, who.chat_id, svc.refuse(await svc.language(who)))
            return
        await handler(update, context)

    return guarded


@admins_only
async def on_broadcast(update: Update, context: Context) -> None:
    who = sender(update)
    assert who is not None
    svc = service(context)
    await send_reply(context.bot, who.chat_id, await svc.audience(who))
