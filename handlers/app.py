"""Building and running the Telegram Application from the settings: the only place that wires it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, time
from functools import partial
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults, Updater

from bot.assistant import Assistant
from bot.chat import ChatService
from bot.config import Settings
from bot.i18n import N_, available_languages, translator
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
from handlers.polling import Poller, poller
from handlers.sending import Patience, persist

log = logging.getLogger("sanctuary")

MENU = (
    ("start", N_("Start: what I can do")),
    ("events", N_("Upcoming events")),
    ("language", N_("Change language")),
    ("subscribe", N_("Event reminders")),
    ("privacy", N_("What I keep about you")),
    ("forget", N_("Delete everything about me")),
    ("help", N_("How to use this bot")),
)


def command_menus() -> list[tuple[str | None, list[BotCommand]]]:
    """The command menu in every language the bot answers in: English for everyone (no language
    code), then one per language, which Telegram shows to users whose app is set to it."""
    menus: list[tuple[str | None, list[BotCommand]]] = [(None, [BotCommand(name, text) for name, text in MENU])]
    for language in available_languages():
        if language != "en":
            t = translator(language)
            menus.append((language, [BotCommand(name, t(text)) for name, text in MENU]))
    return menus


def build_application(settings: Settings, kb: KnowledgeBase, clock: Callable[[], datetime] = local_now) -> Application:  # type: ignore[type-arg]
    """The Application, ready to run; the store opens in post_init and closes in post_shutdown.

    `clock` is the bot's idea of now (tests pin it so that the 2024 events are upcoming)."""
    fetcher = Poller()  # instead of PTB's Updater, which acknowledges updates before they are handled
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_api_url)
        .updater(None)
        .read_timeout(settings.read_timeout)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.timezone,
            )
        )
        # 32 at once: an answer is mostly CPU, so more only lengthens httpx's queue (measured in
        # benchmarks/RESULTS.md), while one chat waiting out a 429 still blocks no one.
        .concurrent_updates(PerChatUpdateProcessor(32, finished=fetcher.finished))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if settings.send_rate > 0:
        # It paces and never retries: replies retry in handlers/sending.py, the outbox in bot/outbox.py.
        limiter = AIORateLimiter(overall_max_rate=settings.send_rate, max_retries=0)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
        # With no retries of its own it logs every 429 with a traceback ("after maximum of 0 retries")
        # although the layer that retries it waits it out: that layer's log is the one to read.
        logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    application = builder.build()
    application.bot_data["poller"] = fetcher
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
    patience = Patience(settings.send_retry_seconds)
    # All at once, so that Telegram's bad minute delays the start by one patience, not eight.
    await asyncio.gather(*(_set_menu(application, language, menu, patience) for language, menu in command_menus()))
    log.info("Sanctuary Bot is running: %s", kb.summary())


async def _set_menu(application: Application, language: str | None, menu: list[BotCommand], patience: Patience) -> None:  # type: ignore[type-arg]
    set_menu = partial(application.bot.set_my_commands, menu, language_code=language)
    try:  # the menu is a convenience: Telegram's bad minute at start-up must not stop the bot
        await persist(set_menu, patience)
    except TelegramError as exc:
        log.warning("could not set the command menu (%s): %r", language or "default", exc)


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
    """Run the bot inside an `async with`, in the order `run_polling` uses (`run`, tests, benchmarks).

    On the way out: stop fetching, let the Application finish every update it has, then confirm
    them to Telegram."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        fetcher = await _start_fetching(application, poll_timeout)
        await application.start()
        try:
            yield application
        finally:
            await fetcher.stop()
            await application.stop()
            if isinstance(fetcher, Poller):
                await fetcher.acknowledge()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _start_fetching(application: Application, poll_timeout: float) -> Poller | Updater:  # type: ignore[type-arg]
    """Our poller; PTB's own Updater for a plain PTB Application (the benchmarks' echo bot)."""
    fetcher = application.bot_data.get("poller")
    if isinstance(fetcher, Poller):
        await fetcher.start(application, application.bot_data["service"].store, poll_timeout)
        return fetcher
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=int(poll_timeout))
    return application.updater


class TokenRejected(Exception):
    """Telegram answered 401: the token is wrong or was revoked. The message is for the operator."""

    def __init__(self) -> None:
        super().__init__("Telegram rejected the token: check TELEGRAM_BOT_TOKEN")


def run(application: Application, poll_timeout: float = 10.0) -> None:  # type: ignore[type-arg]
    """Serve until SIGTERM or Ctrl-C (what `run_polling` does, with the poller that loses nothing)."""
    asyncio.run(_serve(application, poll_timeout))


async def _serve(application: Application, poll_timeout: float) -> None:  # type: ignore[type-arg]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    fetcher = poller(application)
    try:
        if not await _reach_telegram(application, stop):
            return
        async with started(application, poll_timeout):
            stopping = asyncio.create_task(stop.wait())
            ended = asyncio.create_task(fetcher.ended.wait())
            await asyncio.wait({stopping, ended}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            ended.cancel()
    except InvalidToken:
        raise TokenRejected from None
    if fetcher.rejected is not None:
        raise TokenRejected


async def _reach_telegram(application: Application, stop: asyncio.Event) -> bool:  # type: ignore[type-arg]
    """Wait, trying again with growing pauses (up to a minute), until Telegram answers getMe.

    A network outage at start-up is Telegram's bad minute, not a reason to exit with a traceback
    and be restarted in a loop. False when told to stop first. A rejected token is raised."""
    pause = 1.0
    while not stop.is_set():
        try:
            await application.bot.initialize()  # getMe; `started` then finds the bot initialised
            return True
        except InvalidToken:
            raise
        except NetworkError as exc:
            log.warning("Telegram cannot be reached (%s); trying again in %.0f s", exc.message, pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        pause = min(pause * 2, 60.0)
    return False


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    service: Any = application.bot_data.get("service")
    if service is not None:
        await service.store.close()
        log.info("database closed")
