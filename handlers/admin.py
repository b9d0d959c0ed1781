"""Organisers' commands. Who is an organiser is decided in one place: ChatService.is_admin."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from handlers.chat import Context, answer, patience, sender, service
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
            await send_reply(context.bot, who.chat_id, svc.refuse(await svc.language(who)), patience(context))
            return
        await handler(update, context)

    return guarded


def _args(context: Context) -> str:
    message = context.args or []
    return " ".join(message)


def _text_after_command(update: Update) -> str:
    """The organiser's message as written (line breaks kept), without the /command."""
    text = update.effective_message.text if update.effective_message else ""
    _, _, rest = (text or "").partition(" ")
    return rest if " " in (text or "") else (text or "").partition("\n")[2]


@admins_only
async def on_broadcast(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.broadcast_preview(who, _text_after_command(update)))


@admins_only
async def on_broadcasts(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.broadcasts(who))


@admins_only
async def on_remind(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.remind_now(who, _args(context)))


@admins_only
async def on_reload(update: Update, context: Context) -> None:
    directory = context.bot_data["settings"].knowledge_dir
    await answer(update, context, lambda svc, who: svc.reload(directory))


@admins_only
async def on_stats(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.stats(who))
