"""Building and running the Telegram Application from the settings: the only place that wires it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.assistant import Assistant
from bot.chat import ChatService
from bot.config import Settings
from bot.knowledge import KnowledgeBase
from bot.matching import local_now
from bot.store import Store
from handlers import register
from handlers.ordering import PerChatUpdateProcessor

log = logging.getLogger("sanctuary")

MENU = (
    ("start", "Start: what I can do"),
    ("events", "Upcoming events"),
    ("language", "Change language"),
    ("subscribe", "Event reminders"),
    ("privacy", "What I keep about you"),
    ("forget", "Delete everything about me"),
    ("help", "How to use this bot"),
)


def build_application(settings: Settings, kb: KnowledgeBase, clock: Callable[[], datetime] = local_now) -> Application:  # type: ignore[type-arg]
    """The Application, ready to run; the store opens in post_init and closes in post_shutdown.

    `clock` is the bot's idea of now (tests pin it so that the 2024 events are upcoming)."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.timezone,
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(256))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.send_rate > 0:
        limiter = AIORateLimiter(overall_max_rate=settings.send_rate, max_retries=3)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["knowledge"] = kb
    application.bot_data["clock"] = clock
    register(application)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    settings: Settings = application.bot_data["settings"]
    kb: KnowledgeBase = application.bot_data.pop("knowledge")
    store = await Store.open(settings.db_path)
    application.bot_data["service"] = ChatService(
        Assistant(kb),
        store,
        admin_ids=settings.admin_ids,
        flood_limit=settings.flood_limit,
        clock=application.bot_data["clock"],
    )
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in MENU])
    log.info("Sanctuary Bot is running: %s", kb.summary())


@asynccontextmanager
async def started(application: Application, poll_timeout: float = 1.0) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the bot inside an `async with`, in the order `run_polling` uses (tests and benchmarks)."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=int(poll_timeout))
        await application.start()
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    service: Any = application.bot_data.get("service")
    if service is not None:
        await service.store.close()
        log.info("database closed")
