"""Handlers for what people seeking sanctuary send: commands, text, taps and locations.

Each one only translates: Telegram update -> Sender and payload -> ChatService -> Reply -> send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat import ChatService, Sender
from bot.replies import Reply
from handlers.sending import send_reply

Context = ContextTypes.DEFAULT_TYPE


def service(context: Context) -> ChatService:
    svc = context.bot_data["service"]
    assert isinstance(svc, ChatService)
    return svc


def sender(update: Update) -> Sender | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    return Sender(chat.id, user.id if user else chat.id, user.language_code if user else None)


async def answer(
    update: Update,
    context: Context,
    produce: Callable[[ChatService, Sender], Awaitable[Reply]],
    edit: int | None = None,
) -> None:
    """The one path every handler takes: flood limit, produce the reply, send it (or replace the
    tapped message `edit` when the reply asks to)."""
    who = sender(update)
    if who is None:
        return
    svc = service(context)
    admitted = await svc.admit(who)
    if admitted is None:
        return
    reply = admitted if isinstance(admitted, Reply) else await produce(svc, who)
    if reply.replace and edit is not None:
        await context.bot.edit_message_text(reply.html, chat_id=who.chat_id, message_id=edit)
        return
    await send_reply(context.bot, who.chat_id, reply)


async def on_start(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.start(who))


async def on_help(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.help(who))


async def on_privacy(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.privacy(who))


async def on_events(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.events(who))


async def on_language(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.choose_language(who))


async def on_subscribe(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.subscribe(who))


async def on_unsubscribe(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.unsubscribe(who))


async def on_forget(update: Update, context: Context) -> None:
    await answer(update, context, lambda svc, who: svc.forget(who))


async def on_text(update: Update, context: Context) -> None:
    text = update.effective_message.text if update.effective_message else None
    await answer(update, context, lambda svc, who: svc.text(who, text or ""))


async def on_location(update: Update, context: Context) -> None:
    message = update.effective_message
    location = message.location if message else None
    if location is None:
        return
    await answer(update, context, lambda svc, who: svc.location(who, location.latitude, location.longitude))


async def on_tap(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()  # first, always: it stops the spinner on the user's phone
    message_id = query.message.message_id if query.message else None
    await answer(update, context, lambda svc, who: svc.tap(who, query.data or "", message_id), edit=message_id)


async def on_membership(update: Update, context: Context) -> None:
    """The user blocked the bot (or left): stop writing to them until they come back."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status in ("kicked", "left"):
        await service(context).store.mark_blocked(change.chat.id)
