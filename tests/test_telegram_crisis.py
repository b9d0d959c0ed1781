"""Nobody in danger goes unanswered: the real PTB Application against the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import KnowledgeBase
from handlers.app import build_application, started
from tests.conftest import NOW
from tests.fakebot import FakeBotApi
from tests.telegram_support import TOKEN, buttons, settings_for

FIRST_LINE = "🚨 <b>If you or someone else is in danger now, call 999.</b>"


async def test_a_flooded_users_crisis_message_is_answered(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path, BOT_FLOOD_LIMIT="3"), kb, clock=lambda: NOW)
        async with started(app):
            for i in range(8):
                api.user_text(21, f"food bank {i}")
            await api.wait_until(lambda: not api.pending_updates, what="the flood fetched")
            await api.wait_for_sent(4, chat_id=21)  # three answers and one "please wait"
            api.user_text(21, "I want to kill myself")
            sent = await api.wait_for_sent(5, chat_id=21, timeout=5.0)
    assert sent[-1]["text"].startswith(FIRST_LINE)
    assert "116 123" in sent[-1]["text"]


async def test_a_captioned_photo_is_answered_from_its_caption(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            api.user_media(22, "photo", caption="my husband is hitting me, help")
            [reply] = await api.wait_for_sent(1, chat_id=22, timeout=5.0)
    assert reply["text"].startswith(FIRST_LINE)
    assert "0808 2000 247" in reply["text"]


async def test_a_voice_note_gets_the_999_line_in_the_users_language(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            api.user_media(23, "voice", language_code="ar")
            api.user_media(24, "video_note")
            api.user_media(25, "sticker")
            [voice] = await api.wait_for_sent(1, chat_id=23, timeout=5.0)
            [video] = await api.wait_for_sent(1, chat_id=24, timeout=5.0)
            [sticker] = await api.wait_for_sent(1, chat_id=25, timeout=5.0)
    assert "999" in voice["text"].splitlines()[0] and "اتصل" in voice["text"]
    assert video["text"].startswith(FIRST_LINE) and sticker["text"].startswith(FIRST_LINE)
    assert any(b.startswith("need:") for b in buttons(voice))


async def test_an_edited_message_is_checked_for_danger_too(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            message = api.user_text(26, "food bank")
            await api.wait_for_sent(1, chat_id=26)
            api.user_edit(26, message["message"]["message_id"], "he is going to kill me")
            sent = await api.wait_for_sent(2, chat_id=26, timeout=5.0)
    assert sent[-1]["text"].startswith(FIRST_LINE)


async def test_the_safety_check_buttons_lead_to_the_crisis_lines(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            api.user_text(27, "there is no way out for me")
            [question] = await api.wait_for_sent(1, chat_id=27)
            urgent = next(b for b in buttons(question) if b.startswith("safe:no"))
            api.user_callback(27, urgent)
            sent = await api.wait_for_sent(2, chat_id=27, timeout=5.0)
    assert "Are you safe right now?" in question["text"]
    assert sent[-1]["text"].startswith(FIRST_LINE) and "116 123" in sent[-1]["text"]
