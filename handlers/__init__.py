"""Thin python-telegram-bot adapters. `register(application)` adds every handler, in one list."""

from __future__ import annotations

import os

# Opt in to PTB 23's behaviour now: RetryAfter.retry_after is a timedelta (no deprecation warning).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from handlers.admin import on_broadcast, on_broadcasts, on_reload, on_remind, on_stats
from handlers.chat import (
    on_events,
    on_forget,
    on_help,
    on_language,
    on_location,
    on_membership,
    on_privacy,
    on_start,
    on_subscribe,
    on_tap,
    on_text,
    on_unreadable,
    on_unsubscribe,
)
from handlers.errors import on_error

COMMANDS = {
    "start": on_start,
    "help": on_help,
    "events": on_events,
    "language": on_language,
    "subscribe": on_subscribe,
    "unsubscribe": on_unsubscribe,
    "privacy": on_privacy,
    "forget": on_forget,
    "broadcast": on_broadcast,
    "broadcasts": on_broadcasts,
    "remind": on_remind,
    "reload": on_reload,
    "stats": on_stats,
}


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    for name, callback in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(on_tap))
    application.add_handler(MessageHandler(private & filters.LOCATION, on_location))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(private & filters.CAPTION, on_text))  # a photo with words: its words
    application.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, on_unreadable))  # never silence
    application.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(on_error)
