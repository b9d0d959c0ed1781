"""Organisers and volunteers through the real PTB stack: broadcasts, reminders, reloads, stats."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.events import LONDON
from bot.knowledge import load
from bot.store import Store
from handlers.app import build_application, started
from tests.conftest import KNOWLEDGE, NOW
from tests.fakebot import FakeBotApi
from tests.telegram_support import ADMIN, TOKEN, buttons, settings_for

CELEBRATION = datetime(2024, 2, 5, 18, 0, tzinfo=LONDON)


def store_of(app: Any) -> Store:
    return app.bot_data["service"].store  # type: ignore[no-any-return]


async def test_a_broadcast_is_previewed_then_reaches_every_subscriber_once(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path, BOT_BROADCAST_RATE="200"), kb, clock=lambda: NOW)
        async with started(app):
            subscribers = list(range(500, 540))
            for chat in subscribers:
                await store_of(app).subscribe(chat, "en")
            api.block_chat(subscribers[3])
            api.user_command(ADMIN, "/broadcast", "The <food bank> & hub is closed on Monday.")
            [preview] = await api.wait_for_sent(1, chat_id=ADMIN)
            assert "40 subscribers" in preview["text"]
            assert "<food bank> & hub" in api.messages(ADMIN)[-1]["text"]  # escaped, shown as written
            send = next(b for b in buttons(preview) if b.startswith("bc:send:"))
            assert await store_of(app).due(datetime.now(LONDON)) == []  # nothing queued before Send
            api.user_callback(ADMIN, send)  # under the latest bot message: the preview
            others = [c for c in subscribers if c != subscribers[3]]
            await api.wait_until(
                lambda: all(api.sent(c) for c in others), timeout=10, what="the broadcast to reach everyone"
            )
            await api.wait_until(
                lambda: any("finished" in e.get("text", "") for e in api.edits), timeout=10, what="the final report"
            )
            api.user_command(ADMIN, "/broadcasts")
            sent = await api.wait_for_sent(2, chat_id=ADMIN)
    for chat in others:
        assert len(api.sent(chat)) == 1
        assert "food bank" in api.sent(chat)[0]["text"]
    report = next(e["text"] for e in api.edits if "finished" in e.get("text", ""))
    assert "39 delivered" in report and "1 blocked" in report
    assert "39 of 40 delivered" in sent[-1]["text"]


async def test_send_on_a_preview_deleted_meanwhile_still_sends_and_reports_in_new_messages(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path, BOT_BROADCAST_RATE="200"), kb, clock=lambda: NOW)
        async with started(app):
            for chat in (500, 501):
                await store_of(app).subscribe(chat, "en")
            api.user_command(ADMIN, "/broadcast", "Hub closed on Monday.")
            [preview] = await api.wait_for_sent(1, chat_id=ADMIN)
            api.user_callback(ADMIN, next(b for b in buttons(preview) if b.startswith("bc:send:")))
            shown = api._messages[ADMIN]
            del shown[max(i for i, m in shown.items() if m["from"]["is_bot"])]  # deleted by the organiser
            await api.wait_until(lambda: api.sent(500) and api.sent(501), timeout=10, what="the broadcast")
            await api.wait_until(
                lambda: any("finished" in m["text"] for m in api.sent(ADMIN)), timeout=10, what="the report"
            )
    texts = [m["text"] for m in api.sent(ADMIN)]
    assert not any("Sorry" in text for text in texts), texts
    assert any("Sending" in text for text in texts[1:]), texts  # the progress the edit would have shown


async def test_a_non_admin_cannot_press_send(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            await store_of(app).subscribe(700, "en")
            draft = await store_of(app).create_draft("broadcast", "hi", ADMIN)
            api.user_callback(700, f"bc:send:{draft}")
            [refusal] = await api.wait_for_sent(1, chat_id=700)
            assert "only the bot's organisers" in refusal["text"]
            broadcast = await store_of(app).broadcast(draft)
    assert broadcast is not None and broadcast.state == "draft"


async def test_remind_me_sends_a_reminder_two_hours_before(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    now = CELEBRATION - timedelta(minutes=90)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: now)
        async with started(app):
            api.user_callback(800, "remind:cos-annual-celebration-2024")
            [confirmation] = await api.wait_for_sent(1, chat_id=800)
            assert "remind you" in confirmation["text"]
            await app.bot_data["service"].queue_reminders(settings_for(api, tmp_path).reminder_time)
            sent = await api.wait_for_sent(2, chat_id=800)
            assert "Reminder" in sent[-1]["text"] and "celebration" in sent[-1]["text"]
            await app.bot_data["service"].queue_reminders(settings_for(api, tmp_path).reminder_time)
    assert len(api.sent(800)) == 2  # queued again, sent once


async def test_subscribers_hear_the_day_before(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    now = datetime(2024, 2, 4, 18, 5, tzinfo=LONDON)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: now)
        async with started(app):
            await store_of(app).subscribe(900, "en")
            await app.bot_data["service"].queue_reminders(settings_for(api, tmp_path).reminder_time)
            [reminder] = await api.wait_for_sent(1, chat_id=900)
    assert "celebration" in reminder["text"]


async def test_a_moved_event_tells_only_those_who_asked(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    now = datetime(2024, 2, 1, 12, 0, tzinfo=LONDON)
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_KNOWLEDGE_DIR=str(knowledge))
        app = build_application(settings, load(knowledge), clock=lambda: now)
        async with started(app):
            await store_of(app).subscribe(901, "en")
            api.user_callback(902, "remind:cos-annual-celebration-2024")
            await api.wait_for_sent(1, chat_id=902)
            events = knowledge / "events.yaml"
            events.write_text(events.read_text().replace('"2024-02-05 18:00"', '"2024-02-06 18:00"', 1))
            events.write_text(events.read_text().replace('"2024-02-05 20:30"', '"2024-02-06 20:30"', 1))
            service = app.bot_data["service"]
            await service.reload(knowledge)
            await service.queue_reminders(settings.reminder_time)
            sent = await api.wait_for_sent(2, chat_id=902)
            requests = await store_of(app).reminder_requests()
    assert "no longer on" in sent[-1]["text"] and "next one" in sent[-1]["text"]
    assert api.sent(901) == []
    assert [r[2][:16] for r in requests] == ["2024-02-06T18:00"]


async def test_knowledge_edits_are_noticed_and_a_broken_file_changes_nothing(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_KNOWLEDGE_DIR=str(knowledge))
        app = build_application(settings, load(knowledge), clock=lambda: NOW)
        async with started(app):
            organisations = knowledge / "organisations.yaml"
            good = organisations.read_text()
            organisations.write_text(good.replace("name: GYROS", "name: GYROS Great Yarmouth", 1))
            [ok] = await api.wait_for_sent(1, chat_id=ADMIN, timeout=10)
            assert "Knowledge reloaded" in ok["text"] and "organisations" in ok["text"]
            organisations.write_text(good.replace("  - id: ncan\n", "  - id: ncan\n    phone: twelve\n", 1))
            sent = await api.wait_for_sent(2, chat_id=ADMIN, timeout=10)
            assert "organisations.yaml:" in sent[-1]["text"] and "phone" in sent[-1]["text"]
            api.user_text(30, "gyros phone number")
            [answer] = await api.wait_for_sent(1, chat_id=30)
    assert "GYROS Great Yarmouth" in answer["text"], "the last good version still answers"


async def test_stats_are_counts_only(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            api.user_text(40, "food bank in norwich")
            api.user_text(41, "what is the weather")
            await api.wait_for_sent(1, chat_id=40)
            await api.wait_for_sent(1, chat_id=41)
            api.user_command(ADMIN, "/stats")
            [stats] = await api.wait_for_sent(1, chat_id=ADMIN)
    assert "2 asked, 50% answered" in stats["text"]
    assert "food" in stats["text"]


async def test_non_admins_are_refused_every_admin_command(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    commands = [("/broadcast", "hi"), ("/broadcasts", ""), ("/remind", "cos-annual-celebration-2024"),
                ("/reload", ""), ("/stats", "")]  # fmt: skip
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            await store_of(app).subscribe(60, "en")
            for command, args in commands:
                api.user_command(61, command, args)
            sent = await api.wait_for_sent(len(commands), chat_id=61)
            assert all("only the bot's organisers" in m["text"] for m in sent)
            assert await store_of(app).recent_broadcasts() == []
    assert api.sent(60) == []


async def test_an_admin_can_send_an_events_reminder_now(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            for chat in (70, 71):
                await store_of(app).subscribe(chat, "en")
            api.user_command(ADMIN, "/remind", "cos-annual-celebration-2024")
            await api.wait_for_sent(1, chat_id=70)
            await api.wait_for_sent(1, chat_id=71)
            await api.wait_until(lambda: len(api.sent(ADMIN)) >= 2, what="the confirmation and the report")
    assert "Reminder" in api.sent(70)[0]["text"]
    assert "on its way to 2 subscribers" in api.sent(ADMIN)[0]["text"]


async def test_reminders_fire_once_across_a_restart_and_a_reload(tmp_path: Path) -> None:
    kb = load(KNOWLEDGE)
    now = CELEBRATION - timedelta(minutes=90)
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path)
        for run in range(2):  # the second run is a restart on the same database
            app = build_application(settings, kb, clock=lambda: now)
            async with started(app):
                service = app.bot_data["service"]
                if run == 0:
                    api.user_callback(810, "remind:cos-annual-celebration-2024")
                    await api.wait_for_sent(1, chat_id=810)
                await service.queue_reminders(settings.reminder_time)
                await service.reload(KNOWLEDGE)
                await service.queue_reminders(settings.reminder_time)
                await api.wait_for_sent(2, chat_id=810)
                await asyncio.sleep(0.3)
    texts = api.sent_texts(810)
    assert len(texts) == 2 and "Reminder" in texts[1]
