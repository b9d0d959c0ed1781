"""Handlers for what people seeking sanctuary send: commands, text, taps and locations.

Each one only translates: Telegram update -> Sender and payload -> ChatService -> Reply -> send.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.chat import ChatService, Sender
from bot.replies import Reply
from handlers.sending import Patience, deliver, send_reply

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Producer = Callable[[ChatService, Sender], Awaitable[Reply]]


def service(context: Context) -> ChatService:
    svc = context.bot_data["service"]
    assert isinstance(svc, ChatService)
    return svc


def patience(context: Context) -> Patience:
    """How long replies keep trying through an outage: BOT_SEND_RETRY_SECONDS."""
    return Patience(context.bot_data["settings"].send_retry_seconds)


def sender(update: Update) -> Sender | None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    return Sender(chat.id, user.id if user else chat.id, user.language_code if user else None)


async def answer(
    update: Update,
    context: Context,
    produce: Producer,
    edit: int | None = None,
    text: str = "",
) -> None:
    """The one path every handler takes: flood limit (never for a message that may be about danger,
    `text`), produce the reply, send it (or replace the tapped message `edit` when the reply asks to)."""
    who = sender(update)
    if who is None:
        return
    svc = service(context)
    admitted = await svc.admit(who, text)
    if admitted is None:
        return
    reply = admitted if isinstance(admitted, Reply) else await produce(svc, who)
    if reply.replace and edit is not None:
        change = partial(context.bot.edit_message_text, reply.html, chat_id=who.chat_id, message_id=edit)
        try:
            await deliver(change, patience(context), who.chat_id)
            return
        except BadRequest as exc:  # deleted, or too old to edit: the reply comes as a new message
            if "not modified" in exc.message:  # a second tap: the message already says it
                return
            log.info("an edit in chat %s was refused (%s): sent as a new message", who.chat_id, exc.message)
    await send_reply(context.bot, who.chat_id, reply, patience(context))


def replying(produce: Producer) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A handler for a command that needs nothing but who sent it."""

    async def handle(update: Update, context: Context) -> None:
        await answer(update, context, produce)

    return handle


on_start = replying(ChatService.start)
on_help = replying(ChatService.help)
on_privacy = replying(ChatService.privacy)
on_events = replying(ChatService.events)
on_language = replying(ChatService.choose_language)
on_subscribe = replying(ChatService.subscribe)
on_unsubscribe = replying(ChatService.unsubscribe)
on_forget = replying(ChatService.forget)


async def on_text(update: Update, context: Context) -> None:
    """Text, edited text, and the caption of a photo, document or video: all answered from their words."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    await answer(update, context, lambda svc, who: svc.text(who, text), text=text)


async def on_unreadable(update: Update, context: Context) -> None:
    """A voice or video note, sticker, photo without words...: never silence."""
    message = update.effective_message
    kind = message_kind(message) if message else "other"
    await answer(update, context, lambda svc, who: svc.unreadable(who, kind))


def message_kind(message: Message) -> str:
    """What was sent, in the core's words."""
    if message.voice or message.audio:
        return "voice"
    if message.video_note or message.video or message.animation:
        return "video"
    if message.photo:
        return "photo"
    if message.document:
        return "document"
    if message.sticker or message.dice:
        return "sticker"
    if message.contact or message.venue:
        return "contact"
    if message.text and message.text.startswith("/"):
        return "command"
    return "other"


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
    try:
        await query.answer()  # first, always: it stops the spinner on the user's phone
    except TelegramError as exc:  # the spinner stops by itself; the answer below matters more
        log.info("could not answer a button tap: %r", exc)
    message_id = query.message.message_id if query.message else None
    await answer(update, context, lambda svc, who: svc.tap(who, query.data or "", message_id), edit=message_id)


async def on_membership(update: Update, context: Context) -> None:
    """The user blocked the bot (or left): stop writing to them until they come back."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    if change.new_chat_member.status in ("kicked", "left"):
        await service(context).store.mark_blocked(change.chat.id)
