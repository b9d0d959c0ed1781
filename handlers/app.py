"""Building and running the Telegram Application from the settings: the only place that wires it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, time
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.assistant import Assistant
from bot.chat import ChatService
from bot.config import Settings
from bot.index_cache import cached_index
from bot.knowledge import KnowledgeBase
from bot.matching import local_now
from bot.outbox import OutboxSender
from bot.store import Store
from bot.watch import fingerprint
from handlers import register
from handlers.jobs import flush_counts, queue_reminders, watch_knowledge, weekly_digest
from handlers.ordering import PerChatUpdateProcessor
from handlers.outbox import progress_editor, telegram_send

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
        # 32 at once: an answer is mostly CPU, so more only lengthens httpx's queue (measured in
        # benchmarks/RESULTS.md), while one chat waiting out a 429 still blocks no one.
        .concurrent_updates(PerChatUpdateProcessor(32))
        .post_init(_post_init)
        .post_stop(_post_stop)
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
    store = await Store.open(settings.db_path, check_every=settings.db_check_seconds)
    application.bot_data["service"] = ChatService(
        Assistant(kb, cached_index(kb)),
        store,
        admin_ids=settings.admin_ids,
        flood_limit=settings.flood_limit,
        log_unanswered=settings.log_unanswered,
        clock=application.bot_data["clock"],
    )
    service: ChatService = application.bot_data["service"]
    sender = OutboxSender(
        store,
        telegram_send(application.bot),
        settings.broadcast_rate,
        clock=application.bot_data["clock"],
        progress=progress_editor(application.bot, service),
        on_blocked=store.mark_blocked,
    )
    service.queued = sender.wake.set
    stop = asyncio.Event()
    application.bot_data["outbox"] = (sender, stop, asyncio.create_task(sender.run(stop), name="outbox"))
    application.bot_data["knowledge_fingerprint"] = fingerprint(settings.knowledge_dir)
    jobs = application.job_queue
    assert jobs is not None
    jobs.run_repeating(queue_reminders, interval=60, first=1, name="reminders")
    jobs.run_repeating(watch_knowledge, interval=3, first=3, name="knowledge-watch")
    jobs.run_repeating(flush_counts, interval=5, first=5, name="counts")
    monday_morning = time(9, 0, tzinfo=settings.timezone)
    jobs.run_daily(weekly_digest, time=monday_morning, days=(1,), name="weekly-digest")  # PTB: 0 is Sunday
    await application.bot.set_my_commands([BotCommand(name, text) for name, text in MENU])
    log.info("Sanctuary Bot is running: %s", kb.summary())


async def _post_stop(application: Application) -> None:  # type: ignore[type-arg]
    """Let the outbox finish the message in flight, then stop it; pending rows wait for the restart."""
    service = application.bot_data.get("service")
    if service is not None:
        await service.flush_counts()  # the last few seconds of counts
    outbox = application.bot_data.pop("outbox", None)
    if outbox is None:
        return
    _, stop, task = outbox
    stop.set()
    try:
        await asyncio.wait_for(task, timeout=5)
    except TimeoutError:
        log.warning("the outbox did not stop in time; its pending messages will be sent after the restart")


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
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    service: Any = application.bot_data.get("service")
    if service is not None:
        await service.store.close()
        log.info("database closed")
