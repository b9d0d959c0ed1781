"""Through the real python-telegram-bot stack, against the fake Bot API on loopback.

Throughput: N questions from N different users injected at once, timed from injection to the
reply to the last of them, for Sanctuary Bot's Application and for a bare PTB echo bot.
Broadcast: the outbox sending to every subscriber at the configured rate, under a fake rate limit.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from benchmarks.common import NOW, median
from bot.config import Settings
from bot.knowledge import KnowledgeBase
from bot.outbox import OutboxSender
from bot.store import Store
from handlers.app import build_application, started
from tests.fakebot import SEND_METHODS, FakeBotApi

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")  # httpx must not send loopback to a proxy
TOKEN = "424242:BENCHMARK-token-not-a-real-one-at-all"  # noqa: S105 - only the fake Bot API knows it
ADMIN = 99
WARM_UP = 10
FIRST_CHAT = 100_000
TIMEOUT = 300.0

App = Application[Any, Any, Any, Any, Any, Any]


def settings_for(api: FakeBotApi, folder: Path, **env: str) -> Settings:
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "BOT_DB_PATH": str(folder / "bot.sqlite3"),
        "BOT_ADMIN_IDS": str(ADMIN),
        "BOT_SEND_RATE": "0",
        **env,
    }
    return Settings.from_env(values, dotenv=None)


class Replies:
    """Counts the chats (numbered from `first`) that got a reply, cheaply enough to ask after every request.

    `api.sent()` copies every delivered message, so asking it after each of 2,000 sends would cost the
    event loop, which the bot shares, O(n²). New calls are scanned once instead, and `sent()` is asked
    only when the calls say the count may have been reached (a call refused with 429 is not a reply).
    """

    def __init__(self, api: FakeBotApi, first: int) -> None:
        self.api = api
        self.first = first
        self._scanned = 0
        self._asked: set[int] = set()

    def _ours(self, chat: object) -> bool:
        return isinstance(chat, int) and chat >= self.first

    def delivered(self) -> int:
        return len({p["chat_id"] for p in self.api.sent() if self._ours(p.get("chat_id"))})

    def at_least(self, count: int) -> bool:
        calls = self.api.calls
        for method, params in calls[self._scanned :]:
            if method in SEND_METHODS and self._ours(params.get("chat_id")):
                self._asked.add(params["chat_id"])
        self._scanned = len(calls)
        return len(self._asked) >= count and self.delivered() >= count


@dataclass(frozen=True)
class Timing:
    seconds: float  # wall time from injection to the last reply
    cpu_seconds: float  # CPU time of this process meanwhile: bot, HTTP client, fake server, SQLite thread


async def _flood(api: FakeBotApi, questions: list[str], count: int, first: int) -> Timing:
    """Inject `count` messages from `count` users at once; time until every one has a reply."""
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        api.user_text(first + i, questions[i % len(questions)])
    replies = Replies(api, first)
    await api.wait_until(lambda: replies.at_least(count), TIMEOUT, f"{count} replies")
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


async def _round(api: FakeBotApi, app: App, questions: list[str], count: int) -> Timing:
    async with started(app):
        await _flood(api, questions, min(WARM_UP, count), FIRST_CHAT // 2)  # connections, caches
        timing = await _flood(api, questions, count, FIRST_CHAT)
    if api.server_errors:
        raise RuntimeError(f"the fake Bot API failed: {api.server_errors[0]!r}")
    return timing


async def sanctuary_seconds(kb: KnowledgeBase, questions: list[str], count: int) -> Timing:
    with tempfile.TemporaryDirectory(prefix="sanctuary-bench-") as folder:
        async with FakeBotApi(token=TOKEN) as api:
            app = build_application(settings_for(api, Path(folder)), kb, clock=lambda: NOW)
            return await _round(api, app, questions, count)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


async def echo_seconds(questions: list[str], count: int) -> Timing:
    async with FakeBotApi(token=TOKEN) as api:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .concurrent_updates(True)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
        return await _round(api, app, questions, count)


async def throughput(kb: KnowledgeBase, questions: list[str], count: int, rounds: int) -> dict[str, Any]:
    """Answers per second of both bots; rounds alternate so that a busy moment hits both alike."""
    ours: list[Timing] = []
    echo: list[Timing] = []
    for _ in range(rounds):
        ours.append(await sanctuary_seconds(kb, questions, count))
        echo.append(await echo_seconds(questions, count))
    ours_seconds, echo_seconds_ = median([t.seconds for t in ours]), median([t.seconds for t in echo])

    def cpu_ms(timings: list[Timing]) -> float:
        return round(1000 * median([t.cpu_seconds for t in timings]) / count, 2)

    return {
        "messages": count,
        "rounds": rounds,
        "sanctuary_seconds": round(ours_seconds, 3),
        "echo_seconds": round(echo_seconds_, 3),
        "sanctuary_answers_per_s": round(count / ours_seconds, 1),
        "echo_answers_per_s": round(count / echo_seconds_, 1),
        "ratio": round(echo_seconds_ / ours_seconds, 3),
        "sanctuary_cpu_ms_per_answer": cpu_ms(ours),
        "echo_cpu_ms_per_answer": cpu_ms(echo),
    }


async def broadcast(kb: KnowledgeBase, subscribers: int, rate: float, fake_limit: int) -> dict[str, Any]:
    """A broadcast to `subscribers`, sent by the real app's OutboxSender at `rate` per second."""
    with tempfile.TemporaryDirectory(prefix="sanctuary-bench-") as folder:
        async with FakeBotApi(token=TOKEN) as api:
            settings = settings_for(api, Path(folder), BOT_BROADCAST_RATE=f"{rate:g}")
            app = build_application(settings, kb, clock=lambda: NOW)
            async with started(app):
                store: Store = app.bot_data["service"].store
                sender: OutboxSender = app.bot_data["outbox"][0]
                for i in range(subscribers):
                    await store.subscribe(FIRST_CHAT + i, "en")
                api.rate_limit_per_second = fake_limit
                api.clear_records()
                draft = await store.create_draft("broadcast", "The food hub is closed on Monday.", ADMIN)
                recipients = await store.start_broadcast(draft, None, NOW)
                if recipients != subscribers:
                    raise RuntimeError(f"{recipients} recipients queued, expected {subscribers}")
                replies = Replies(api, FIRST_CHAT)
                app.bot_data["service"].queued()  # what the Send button does: wake the sender
                await api.wait_until(lambda: replies.at_least(1), TIMEOUT, "the first broadcast message")
                first = time.perf_counter()
                await api.wait_until(lambda: replies.at_least(subscribers), TIMEOUT, "the whole broadcast")
                last = time.perf_counter()
                seen_by_sender = sender.rate_limited
    achieved = (subscribers - 1) / (last - first) if subscribers > 1 else rate
    return {
        "subscribers": subscribers,
        "configured_rate": rate,
        "fake_limit_per_s": fake_limit,
        "seconds": round(last - first, 3),
        "achieved_rate": round(achieved, 1),
        "ratio": round(achieved / rate, 3),
        "too_many_requests": api.too_many_requests,
        "rate_limited_seen_by_sender": seen_by_sender,
    }
