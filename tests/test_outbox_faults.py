"""Reminders and broadcasts outlive Telegram's bad minutes: the real PTB stack against the fake Bot API.

Outages are scaled down (seconds, not minutes) with the sender's backoff and pause shrunk to
match; the clock moves with real time from a pinned date, so the retry schedule and the
deadlines behave as in production.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.events import LONDON
from bot.knowledge import load
from bot.outbox import Ambiguous, Backoff, OutboxSender, Transient
from bot.store import Store
from handlers.app import build_application, started
from handlers.outbox import telegram_send
from tests.conftest import KNOWLEDGE, MINI
from tests.fakebot import FakeBotApi
from tests.telegram_support import ADMIN, TOKEN, buttons, settings_for

CELEBRATION = datetime(2024, 2, 5, 18, 0, tzinfo=LONDON)  # an event in the shipped knowledge
EVENT_ID = "cos-annual-celebration-2024"
FAST = Backoff(first=0.1, cap=0.4)  # production: 2 s doubling to an hour


class MovingClock:
    """A pinned date that moves with real time once the bot is up, so retries fall due and events
    start however long the start-up took."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began: float | None = None

    def __call__(self) -> datetime:
        elapsed = 0.0 if self.began is None else time.monotonic() - self.began
        return self.start + timedelta(seconds=elapsed)


def shrink(app: Any, retry_for: timedelta = timedelta(hours=24)) -> OutboxSender:
    """The running sender, with the backoff scaled down from seconds-to-an-hour to this test's
    outage; and the clock set moving."""
    app.bot_data["clock"].began = time.monotonic()
    sender: OutboxSender = app.bot_data["outbox"][0]
    sender.backoff = FAST
    sender.pause = FAST
    sender.retry_for = retry_for
    return sender


def store_of(app: Any) -> Store:
    return app.bot_data["service"].store  # type: ignore[no-any-return]


async def subscribe(app: Any, chats: list[int]) -> None:
    """Subscribers in one commit (one fsync each would take seconds)."""
    rows = [(chat,) for chat in chats]
    await store_of(app).write(
        lambda db: db.executemany(
            "INSERT INTO users (chat_id, language, subscribed, created) VALUES (?, 'en', 1, '2024-01-01')", rows
        )
    )


async def outbox_states(store: Store, settled: bool = False) -> dict[str, int]:
    """Rows per state; `settled`: once nothing is pending (a delivery is seen by the fake a moment
    before the bot writes it down)."""
    deadline = time.monotonic() + 5
    while True:
        rows = await store._all("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        states = {str(state): int(str(count)) for state, count in rows}
        if not settled or "pending" not in states or time.monotonic() > deadline:
            return states
        await asyncio.sleep(0.05)


def reports(api: FakeBotApi, word: str = "finished") -> list[str]:
    """Every final report the organiser was shown: edited into the progress message or sent anew."""
    texts = [str(e.get("text", "")) for e in api.edits] + api.sent_texts(ADMIN)
    return [text for text in texts if word in text]


async def test_every_reminder_due_during_an_outage_is_delivered_once_after_it(tmp_path: Path) -> None:
    subscribers = list(range(3000, 3020))
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path)
        app = build_application(
            settings, load(KNOWLEDGE), clock=MovingClock(datetime(2024, 2, 4, 18, 0, 5, tzinfo=LONDON))
        )
        async with started(app):
            shrink(app)
            await subscribe(app, subscribers)
            api.outage(2.0, "500")
            ends = time.monotonic() + 2.0
            assert await app.bot_data["service"].queue_reminders(settings.reminder_time) == 20
            await api.wait_until(
                lambda: all(api.sent(c) for c in subscribers), timeout=20, what="every reminder after the outage"
            )
            delivered_at = time.monotonic()
            states = await outbox_states(store_of(app), settled=True)
    assert 2 <= api.outage_errors <= 15, "tried during the outage, one probe at a time rather than all 20 in turn"
    assert delivered_at >= ends
    for chat in subscribers:
        [reminder] = api.sent_texts(chat)
        assert "Reminder" in reminder and "celebration" in reminder
    assert states == {"sent": 20}


async def test_a_broadcast_to_50_during_an_outage_reaches_all_50_once_with_the_report(tmp_path: Path) -> None:
    subscribers = list(range(4000, 4050))
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_BROADCAST_RATE="40")
        app = build_application(settings, load(KNOWLEDGE), clock=MovingClock(datetime(2024, 2, 1, 12, tzinfo=LONDON)))
        async with started(app):
            shrink(app)
            await subscribe(app, subscribers)
            api.user_command(ADMIN, "/broadcast", "The drop-in moves to Thursday this week.")
            [preview] = await api.wait_for_sent(1, chat_id=ADMIN)
            api.user_callback(ADMIN, next(b for b in buttons(preview) if b.startswith("bc:send:")))
            await api.wait_until(lambda: len(api.sent()) >= 6, what="the broadcast under way")
            api.outage(2.0, "500")
            await api.wait_until(lambda: all(api.sent(c) for c in subscribers), timeout=20, what="all 50")
            await api.wait_until(lambda: reports(api), timeout=10, what="the final report")
            states = await outbox_states(store_of(app), settled=True)
    assert 2 <= api.outage_errors <= 20, "the outage came mid-broadcast; one probe at a time, not 44 failed sends"
    assert all(len(api.sent(c)) == 1 for c in subscribers), "each of the 50 exactly once"
    assert states == {"sent": 50}
    [report] = reports(api)
    assert "50 delivered" in report and "0 failed" in report


async def test_a_broadcast_whose_every_edit_is_refused_still_ends_with_a_report_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subscribers = list(range(5000, 5005))
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_BROADCAST_RATE="20")
        app = build_application(settings, load(KNOWLEDGE), clock=MovingClock(datetime(2024, 2, 1, 12, tzinfo=LONDON)))
        async with started(app):
            await subscribe(app, subscribers)
            api.user_command(ADMIN, "/broadcast", "The drop-in moves to Thursday this week.")
            [preview] = await api.wait_for_sent(1, chat_id=ADMIN)
            api.fail_next("editMessageText", 400, "Bad Request: message can't be edited", times=1000)
            api.user_callback(ADMIN, next(b for b in buttons(preview) if b.startswith("bc:send:")))
            await api.wait_until(lambda: reports(api), timeout=10, what="the report as a new message")
    assert api.edits == [], "every edit was refused"
    assert len(api.calls_to("editMessageText")) >= 2, "the progress edits were tried, and skipped"
    [report] = reports(api)
    assert "5 delivered" in report and "The drop-in moves" in report
    assert not [
        r for r in caplog.records if r.name.startswith(("bot.outbox", "handlers.outbox")) and r.levelname != "INFO"
    ]


def _count(text: str) -> int:
    found = re.search(r"\d+", text)
    assert found is not None, text
    return int(found.group())


async def test_a_broadcast_too_long_for_one_message_is_refused_at_the_preview_with_the_count(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_BROADCAST_RATE="50")
        app = build_application(settings, load(KNOWLEDGE), clock=MovingClock(datetime(2024, 2, 1, 12, tzinfo=LONDON)))
        async with started(app):
            for chat in (6000, 6001):
                await store_of(app).subscribe(chat, "en")
            api.user_command(ADMIN, "/broadcast", "x" * 4080)
            [refusal] = await api.wait_for_sent(1, chat_id=ADMIN)
            over = _count(refusal["text"])
            assert "shorten it by" in refusal["text"] and buttons(refusal) == []
            api.user_command(ADMIN, "/broadcast", "😀" * 4080)  # astral: one character each, as Telegram counts
            await api.wait_for_sent(2, chat_id=ADMIN)
            assert _count(api.sent_texts(ADMIN)[-1]) == over
            api.user_callback(ADMIN, "lang:fr")  # the preview, progress and report are in the organiser's language
            await api.wait_for_sent(3, chat_id=ADMIN)
            api.user_command(ADMIN, "/broadcast", "x" * 4080)
            await api.wait_for_sent(4, chat_id=ADMIN)
            over = _count(api.sent_texts(ADMIN)[-1])
            api.user_command(ADMIN, "/broadcast", "x" * (4081 - over))
            await api.wait_for_sent(5, chat_id=ADMIN)
            assert "raccourcissez-le de 1 caractère" in api.sent_texts(ADMIN)[-1], "one over: cut 1, in French"

            longest = "😀" * (4080 - over)  # exactly at the limit: previewed, sent, reported without a refusal
            api.user_command(ADMIN, "/broadcast", longest)
            sent = await api.wait_for_sent(6, chat_id=ADMIN)
            api.user_callback(ADMIN, next(b for b in buttons(sent[-1]) if b.startswith("bc:send:")))
            await api.wait_until(lambda: reports(api, "terminé"), timeout=10, what="the report, in French")
            drafts = await store_of(app).recent_broadcasts()
    assert api.sent_texts(6000) == [longest]
    assert not [c for c in api.calls if "too long" in str(c)], "Telegram never refused a message as too long"
    assert len(drafts) == 1, "refused texts leave no draft behind"


async def test_a_reminder_that_cannot_be_delivered_before_its_event_is_given_up_and_organisers_told(
    tmp_path: Path,
) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path)
        app = build_application(settings, load(KNOWLEDGE), clock=MovingClock(CELEBRATION - timedelta(seconds=2)))
        async with started(app):
            shrink(app)
            api.user_callback(810, f"remind:{EVENT_ID}")
            [confirmation] = await api.wait_for_sent(1, chat_id=810)
            api.outage(3.0, "500")
            ends = time.monotonic() + 3.0
            await app.bot_data["service"].queue_reminders(settings.reminder_time)
            await api.wait_until(lambda: api.outage_errors >= 1, what="the reminder tried during the outage")
            store = store_of(app)
            while (await outbox_states(store)).get("expired", 0) == 0:
                assert time.monotonic() < ends, "given up when the event started, during the outage"
                await asyncio.sleep(0.1)
            [job] = app.job_queue.get_jobs_by_name("reminders")
            await job.run(app)  # the minute's job: tells the organisers
            [notice] = await api.wait_for_sent(1, chat_id=ADMIN, timeout=15)
            delivered_at = time.monotonic()
    assert api.sent(810) == [confirmation], "no reminder once the event had started"
    assert delivered_at >= ends, "the notice itself waited out the outage"
    assert "1 reminder of" in notice["text"] and "annual celebration" in notice["text"]
    assert "could not be delivered in time" in notice["text"]


async def test_a_failed_send_is_retryable_but_one_that_timed_out_may_have_arrived_and_is_not_resent(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        for chat in (7000, 7001):
            await store.subscribe(chat, "en")
        service = ChatService(Assistant(load(MINI)), store)
        draft = await store.create_draft("broadcast", "Closed on Monday", created_by=ADMIN)
        await store.start_broadcast(draft, progress_message=None, now=datetime(2024, 2, 1, 12, tzinfo=LONDON))
        async with FakeBotApi(token=TOKEN) as api:
            api.delay_seconds = 0.4  # Telegram answers after the client gave up: the message still arrives
            bot = ExtBot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=0.1))
            async with bot:
                send = telegram_send(bot)
                api.outage(0.5, "drop")  # the connection closed before the request was read: nothing done
                with pytest.raises(Transient):
                    await send(7002, "dropped")
                api.outage(0.5, "500")
                with pytest.raises(Transient):
                    await send(7002, "refused")
                api.outage(0, "500")
                with pytest.raises(Ambiguous):
                    await send(7002, "probe")
                sender = OutboxSender(store, send, rate=100, pause=Backoff(first=0.01, cap=0.01))
                await sender.drain()
                await sender.drain()
                await api.wait_until(lambda: len(api.sent()) == 3, what="the slow sends to land")
        report = (await service.broadcast_status(draft)).text
    finally:
        await store.close()
    assert sorted(int(p["chat_id"]) for p in api.sent()) == [7000, 7001, 7002], "each arrived once: none resent"
    assert "0 delivered" in report and "0 failed" in report
    assert "2 may have arrived" in report


async def test_a_broadcast_to_nobody_is_reported_by_the_reply_to_send_and_never_again(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        service = ChatService(Assistant(load(MINI)), store, admin_ids=frozenset({ADMIN}))
        organiser = Sender(ADMIN, ADMIN)
        preview = await service.broadcast_preview(organiser, "The hub is closed on Monday.")
        [send_button] = [b.action for row in preview.buttons for b in row if b.action.startswith("bc:send:")]
        reply = await service.tap(organiser, send_button, message_id=5)
        given: list[int] = []

        async def progress(broadcast_id: int, finished: bool) -> None:
            given.append(broadcast_id)

        await OutboxSender(store, telegram_send_nowhere, rate=100, progress=progress).drain()
    finally:
        await store.close()
    assert "finished: 0 delivered" in reply.text
    assert given == [], "no second report when the sender next runs"


async def telegram_send_nowhere(chat_id: int, text: str) -> None:
    raise AssertionError("nothing is sent")
