"""Every message gets a reply in the user's language: voice notes, pictures, files, stickers, dice,
contacts, venues and unknown commands, end to end through the real PTB Application."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot.assistant import UNREADABLE, Assistant
from bot.i18n import translator
from bot.index_cache import cached_index
from bot.knowledge import KnowledgeBase
from handlers.app import build_application, started
from tests.conftest import NOW
from tests.fakebot import FakeBotApi, user_venue
from tests.telegram_support import TOKEN, buttons, settings_for

LETTER = "If it is a letter from the Home Office, they can help you read it:"
pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module: each test its own chats
chats = itertools.count(5000)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def api(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        app = build_application(settings_for(fake, tmp_path_factory.mktemp("odd")), kb, clock=lambda: NOW)
        async with started(app):
            yield fake
        assert fake.server_errors == []


@pytest.fixture(scope="module")
def letter_helpers(kb: KnowledgeBase) -> list[str]:
    """Whom the assistant names when asked about a letter from the Home Office (their buttons)."""
    reply = Assistant(kb, cached_index(kb)).respond("I got a letter from the Home Office", NOW)
    return [f"entry:{m.entry.id}" for m in reply.matches]


async def only_reply(api: FakeBotApi, chat_id: int) -> dict[str, Any]:
    """The one reply to a chat's one message: never silence, never two."""
    [reply] = await api.wait_for_sent(1, chat_id=chat_id)
    return reply


def has_needs_menu(reply: dict[str, Any]) -> bool:
    return {"need:food", "need:legal-advice", "need:housing"} <= set(buttons(reply))


@pytest.mark.parametrize(
    ("kind", "says", "language"),
    [
        ("voice", "voice", "uk"),
        ("audio", "voice", "en"),
        ("video_note", "video", "ar"),
        ("video", "video", "en"),
        ("sticker", "sticker", "fa"),
        ("dice", "sticker", "en"),
    ],
)
async def test_what_cannot_be_read_gets_write_or_tap_with_the_needs_menu(
    api: FakeBotApi, kind: str, says: str, language: str
) -> None:
    chat = next(chats)
    api.user_media(chat, kind, language_code=language)
    reply = await only_reply(api, chat)
    t = translator(language)
    assert reply["text"].splitlines()[0].startswith("🚨")  # 999 first: the sender may be unable to write
    assert t(UNREADABLE[says]) in reply["text"]
    assert has_needs_menu(reply)


@pytest.mark.parametrize("kind", ["photo", "document"])
async def test_a_picture_or_file_with_a_caption_is_answered_from_its_caption(api: FakeBotApi, kind: str) -> None:
    text_chat, caption_chat = next(chats), next(chats)
    api.user_text(text_chat, "where can I get free food?")
    api.user_media(caption_chat, kind, caption="where can I get free food?")
    as_text, as_caption = await only_reply(api, text_chat), await only_reply(api, caption_chat)
    assert as_caption["text"] == as_text["text"] and buttons(as_caption) == buttons(as_text)


@pytest.mark.parametrize(("kind", "language"), [("photo", "en"), ("document", "fa")])
async def test_a_photographed_letter_is_pointed_to_who_helps_with_home_office_letters(
    api: FakeBotApi, letter_helpers: list[str], kind: str, language: str
) -> None:
    chat = next(chats)
    api.user_media(chat, kind, language_code=language)
    reply = await only_reply(api, chat)
    assert translator(language)(LETTER) in reply["text"]
    assert letter_helpers and buttons(reply)[: len(letter_helpers)] == letter_helpers
    assert has_needs_menu(reply)


async def test_a_contact_gets_a_kind_reply_with_the_menu(api: FakeBotApi) -> None:
    chat = next(chats)
    api.user_media(chat, "contact", language_code="fr")
    reply = await only_reply(api, chat)
    assert translator("fr")(UNREADABLE["contact"]) in reply["text"]
    assert has_needs_menu(reply)


async def test_a_venue_is_answered_like_a_location_with_the_nearest_help(api: FakeBotApi) -> None:
    chat = next(chats)
    user_venue(api, chat, 52.6293, 1.2920, "The Forum", "Millennium Plain, Norwich")
    reply = await only_reply(api, chat)
    assert "Norwich" in reply["text"]
    assert buttons(reply) and all(b.startswith("entry:") for b in buttons(reply))


async def test_an_unknown_command_gets_a_kind_reply_with_the_menu(api: FakeBotApi) -> None:
    chat = next(chats)
    api.user_command(chat, "/food", language_code="ps")
    reply = await only_reply(api, chat)
    assert translator("ps")(UNREADABLE["command"]) in reply["text"]
    assert has_needs_menu(reply)
