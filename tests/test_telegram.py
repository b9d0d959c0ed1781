"""The real python-telegram-bot stack against a fake Bot API on 127.0.0.1: what a user sees."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import translator
from bot.knowledge import KnowledgeBase
from bot.logsafe import install_redaction
from bot.store import Store, StoredUser
from handlers.app import build_application, started
from tests.conftest import NOW
from tests.fakebot import FakeBotApi
from tests.telegram_support import ADMIN, TOKEN, buttons, settings_for

Bot = tuple[FakeBotApi, Any]


async def inactive(store: Store, chat_id: int) -> StoredUser:
    """The stored user once the bot has marked them inactive (within 2 s of the blocked send)."""
    for _ in range(100):
        user = await store.user(chat_id)
        if user is not None and not user.active:
            return user
        await asyncio.sleep(0.02)
    raise AssertionError(f"chat {chat_id} was never marked inactive")


@pytest.fixture
async def bot(kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Bot]:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            yield api, app
        assert api.server_errors == []


async def test_start_gets_a_welcome_with_need_buttons(bot: Bot) -> None:
    api, _ = bot
    api.user_command(1, "/start")
    [message] = await api.wait_for_sent(1, chat_id=1)
    assert message["parse_mode"] == "HTML"
    assert "Norfolk" in message["text"] and "/privacy" in message["text"]
    assert {"need:food", "need:legal-advice", "need:housing"} <= set(buttons(message))
    assert api.calls_to("setMyCommands"), "the command menu is set at start-up"


async def test_a_question_gets_an_answer_with_contacts(bot: Bot) -> None:
    api, _ = bot
    api.user_text(2, "i need a solicitor for my asylum appeal")
    [message] = await api.wait_for_sent(1, chat_id=2)
    assert "📞" in message["text"] or "🌐" in message["text"]
    assert "Information from" in message["text"] or "Source undated, read on" in message["text"]


async def test_tapping_a_need_answers_the_callback_and_lists_organisations(bot: Bot) -> None:
    api, _ = bot
    api.user_command(3, "/start")
    await api.wait_for_sent(1, chat_id=3)
    api.user_callback(3, "need:food")
    sent = await api.wait_for_sent(2, chat_id=3)
    assert len(api.answered_callbacks) == 1
    assert any(b.startswith("entry:") for b in buttons(sent[-1]))
    entry = next(b for b in buttons(sent[-1]) if b.startswith("entry:"))
    api.user_callback(3, entry)
    sent = await api.wait_for_sent(3, chat_id=3)
    assert "Information from" in sent[-1]["text"] or "Source undated, read on" in sent[-1]["text"]
    assert len(api.answered_callbacks) == 2


async def test_events_lists_upcoming_events_with_remind_me(bot: Bot) -> None:
    api, app = bot
    api.user_command(4, "/events")
    [message] = await api.wait_for_sent(1, chat_id=4)
    assert "celebration" in message["text"].lower()
    remind = next(b for b in buttons(message) if b.startswith("remind:"))
    api.user_callback(4, remind)
    sent = await api.wait_for_sent(2, chat_id=4)
    assert "remind you" in sent[-1]["text"]
    store: Store = app.bot_data["service"].store
    assert [r[0] for r in await store.reminder_requests()] == [4]


async def test_a_shared_location_lists_the_nearest_organisations(bot: Bot) -> None:
    api, _ = bot
    api.user_location(5, 52.607, 1.729)  # Great Yarmouth
    [message] = await api.wait_for_sent(1, chat_id=5)
    assert "GYROS" in message["text"] and "km" in message["text"]


async def test_subscribe_then_forget_leaves_nothing(bot: Bot) -> None:
    api, app = bot
    store: Store = app.bot_data["service"].store
    api.user_command(6, "/subscribe")
    await api.wait_for_sent(1, chat_id=6)
    assert await store.subscribers() == [(6, "en")]
    api.user_command(6, "/forget")
    sent = await api.wait_for_sent(2, chat_id=6)
    assert "deleted everything" in sent[-1]["text"]
    assert await store.user(6) is None


async def test_forget_works_for_a_user_who_never_subscribed(bot: Bot) -> None:
    api, _ = bot
    api.user_command(7, "/forget")
    [message] = await api.wait_for_sent(1, chat_id=7)
    assert "deleted everything" in message["text"]


async def test_language_privacy_and_help(bot: Bot) -> None:
    api, app = bot
    api.user_command(8, "/privacy")
    api.user_command(8, "/help")
    api.user_command(8, "/language")
    sent = await api.wait_for_sent(3, chat_id=8)
    assert "/forget" in sent[0]["text"]
    assert "NCAN" in sent[1]["text"] or "To talk to a person" in sent[1]["text"]
    assert "lang:fa" in buttons(sent[2])
    api.user_callback(8, "lang:fa")
    await api.wait_for_sent(4, chat_id=8)
    store: Store = app.bot_data["service"].store
    user = await store.user(8)
    assert user is not None and user.language == "fa"


async def test_one_users_messages_are_answered_in_order(bot: Bot) -> None:
    api, _ = bot
    for text in ("food bank", "english classes", "solicitor"):
        api.user_text(9, text)
    sent = await api.wait_for_sent(3, chat_id=9)
    assert "food" in sent[0]["text"].lower()
    assert "english" in sent[1]["text"].lower()
    assert "legal" in sent[2]["text"].lower() or "solicitor" in sent[2]["text"].lower()


async def test_html_in_a_message_and_a_very_long_message_get_a_graceful_answer(bot: Bot) -> None:
    api, _ = bot
    api.user_text(10, "<b>food</b> & <script>shelter</script> " + "x" * 9_000)
    [message] = await api.wait_for_sent(1, chat_id=10)
    assert len(message["text"]) <= 4096


async def test_a_flood_gets_one_please_wait(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path, BOT_FLOOD_LIMIT="5"), kb, clock=lambda: NOW)
        async with started(app):
            for i in range(12):
                api.user_text(11, f"food bank {i}")
            api.user_text(12, "food bank")  # someone else is still served
            await api.wait_for_sent(1, chat_id=12)
            await api.wait_until(lambda: not api.pending_updates, what="all updates fetched")
            await api.wait_for_sent(6, chat_id=11)
    texts = api.sent_texts(11)
    assert len(texts) == 6
    assert "wait" in texts[-1]


async def test_admin_commands_refuse_non_admins(bot: Bot) -> None:
    api, _ = bot
    api.user_command(13, "/broadcast", "hello everyone")
    [refusal] = await api.wait_for_sent(1, chat_id=13)
    assert "only the bot's organisers" in refusal["text"]
    api.user_command(ADMIN, "/broadcast", "hello everyone")
    [answer] = await api.wait_for_sent(1, chat_id=ADMIN)
    assert "Send this message to 0 subscribers?" in answer["text"]


async def test_an_error_in_a_handler_gets_an_apology_and_the_bot_keeps_serving(bot: Bot) -> None:
    api, _ = bot
    api.fail_next("sendMessage", 400, "Bad Request: something unexpected", chat_id=14)
    api.user_text(14, "food bank")
    [apology] = await api.wait_for_sent(1, chat_id=14)
    assert "Sorry, something went wrong" in apology["text"]
    api.user_text(15, "food bank")
    await api.wait_for_sent(1, chat_id=15)


async def test_a_user_who_blocked_the_bot_is_marked_inactive(bot: Bot) -> None:
    api, app = bot
    store: Store = app.bot_data["service"].store
    api.user_command(16, "/subscribe")
    await api.wait_for_sent(1, chat_id=16)
    api.block_chat(16)
    api.user_text(16, "food")
    await api.wait_until(lambda: len(api.calls_to("sendMessage")) >= 2, what="the blocked send")
    user = await inactive(store, 16)
    assert not user.active and not user.subscribed
    assert await store.subscribers() == []


async def test_a_429_is_waited_out_and_the_answer_arrives(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            api.fail_next("sendMessage", 429, retry_after=1, chat_id=17)
            api.user_text(17, "food bank")
            [message] = await api.wait_for_sent(1, chat_id=17, timeout=6)
    assert api.too_many_requests == 1
    assert "food" in message["text"].lower()


async def test_the_token_never_reaches_the_log(kb: KnowledgeBase, tmp_path: Path) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    install_redaction(handler, TOKEN)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # the worst case: httpx logging every URL
    try:
        async with FakeBotApi(token=TOKEN) as api:
            app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
            async with started(app):
                logging.getLogger("test").info("the bot object: %r", app.bot)
                api.fail_next("sendMessage", 400, "Bad Request: boom", chat_id=18)
                api.user_text(18, "food bank")
                await api.wait_for_sent(1, chat_id=18)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        logging.getLogger("httpx").setLevel(logging.WARNING)
    log = "\n".join(lines)
    assert "getUpdates" in log or "sendMessage" in log, "httpx did log requests"
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log


async def test_add_to_calendar_sends_an_ics_file(bot: Bot) -> None:
    api, _ = bot
    api.user_command(19, "/events")
    [message] = await api.wait_for_sent(1, chat_id=19)
    ics = next(b for b in buttons(message) if b.startswith("ics:"))
    api.user_callback(19, ics)
    await api.wait_until(lambda: api.calls_to("sendDocument"), what="the calendar file")
    [call] = api.calls_to("sendDocument")
    upload = call["document"]
    assert upload.filename.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in upload.data and b"BEGIN:VTIMEZONE" in upload.data


async def test_start_follows_telegram_language_and_language_choice_sticks(bot: Bot) -> None:
    api, _ = bot
    api.user_command(20, "/start", language_code="ar")
    [welcome] = await api.wait_for_sent(1, chat_id=20)
    assert translator("ar")("Hello! I can help you find free help in Norfolk.") in welcome["text"]
    api.user_callback(20, "lang:fa", language_code="ar")
    await api.wait_for_sent(2, chat_id=20)
    api.user_text(20, "food bank", language_code="ar")
    sent = await api.wait_for_sent(3, chat_id=20)
    fa = translator("fa")
    dated = (
        fa(message).split("{")[0].strip()
        for message in ("Information from {date} ({site}).", "Source undated, read on {date}.")
    )
    assert any(opening in sent[-1]["text"] for opening in dated)


async def test_blocking_the_bot_unsubscribes_at_once(bot: Bot) -> None:
    api, app = bot
    store: Store = app.bot_data["service"].store
    api.user_command(21, "/subscribe")
    await api.wait_for_sent(1, chat_id=21)
    me = {"id": 424242, "is_bot": True, "first_name": "Sanctuary Bot", "username": "sanctuary_test_bot"}
    user = {"id": 21, "is_bot": False, "first_name": "Test"}
    api.inject_update(
        "my_chat_member",
        {
            "chat": {"id": 21, "type": "private", "first_name": "Test"},
            "from": user,
            "date": 1_700_000_000,
            "old_chat_member": {"status": "member", "user": me},
            "new_chat_member": {"status": "kicked", "user": me, "until_date": 0},
        },
    )
    stored = await inactive(store, 21)
    assert not stored.active and not stored.subscribed
