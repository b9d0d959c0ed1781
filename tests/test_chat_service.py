"""One conversation step without Telegram: languages, flood limit, reminders, /forget, location."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.replies import Reply
from bot.store import Store
from tests.conftest import NOW

ANNA = Sender(chat_id=11, user_id=11, telegram_language="en-GB")
ADMIN = Sender(chat_id=99, user_id=99)


@pytest.fixture
async def chat(tmp_path: Path, assistant: Assistant) -> AsyncIterator[ChatService]:
    store = await Store.open(tmp_path / "bot.sqlite3")
    clock_value = [0.0]
    service = ChatService(
        assistant, store, admin_ids=frozenset({99}), flood_limit=3, clock=lambda: NOW, monotonic=lambda: clock_value[0]
    )
    yield service
    await store.close()


def actions(reply: Reply) -> list[str]:
    return [b.action for row in reply.buttons for b in row]


async def test_start_welcomes_with_need_buttons_and_a_privacy_promise(chat: ChatService) -> None:
    reply = await chat.start(ANNA)
    assert "/privacy" in reply.text
    assert "need:food" in actions(reply) and "need:legal-advice" in actions(reply)
    assert await chat.store.user(ANNA.chat_id) is None  # /start stores nothing


async def test_text_is_answered_and_nothing_is_stored(chat: ChatService) -> None:
    reply = await chat.text(ANNA, "where is a food bank in norwich")
    assert reply.matches and "food" in reply.matches[0].entry.needs
    assert await chat.store.counts() == {"users": 0, "subscribed": 0, "blocked": 0, "reminder_requests": 0}


async def test_flood_limit_warns_once(chat: ChatService) -> None:
    results = [await chat.admit(ANNA) for _ in range(6)]
    assert results[:3] == [True, True, True]
    assert isinstance(results[3], Reply) and "wait" in results[3].text
    assert results[4:] == [None, None]


async def test_subscribe_unsubscribe_and_forget(chat: ChatService) -> None:
    assert "reminders" in (await chat.subscribe(ANNA)).text
    assert "already" in (await chat.subscribe(ANNA)).text
    assert await chat.store.subscribers() == [(11, "en")]
    assert "no more" in (await chat.unsubscribe(ANNA)).text
    assert "not subscribed" in (await chat.unsubscribe(ANNA)).text
    reply = await chat.forget(ANNA)
    assert "deleted everything" in reply.text
    assert await chat.store.user(ANNA.chat_id) is None


async def test_forget_works_for_someone_never_seen(chat: ChatService) -> None:
    reply = await chat.forget(Sender(chat_id=5555, user_id=5555))
    assert "deleted everything" in reply.text


async def test_choosing_a_language_is_stored_and_used(chat: ChatService) -> None:
    menu = await chat.choose_language(ANNA)
    assert {f"lang:{code}" for code in ("en", "ar", "fa", "uk", "ps", "ku", "ti", "fr")} == set(actions(menu))
    await chat.tap(ANNA, "lang:fr")
    assert (await chat.store.user(ANNA.chat_id)).language == "fr"  # type: ignore[union-attr]
    assert (await chat.user(ANNA)).chosen_language == "fr"


async def test_remind_me_on_an_upcoming_event_is_stored_once(chat: ChatService) -> None:
    events = await chat.events(ANNA)
    remind = [a for a in actions(events) if a.startswith("remind:")]
    assert remind, events.text
    first = await chat.tap(ANNA, remind[0])
    again = await chat.tap(ANNA, remind[0])
    assert "remind you" in first.text and "already" in again.text
    requests = await chat.store.reminder_requests()
    assert len(requests) == 1 and requests[0][0] == ANNA.chat_id


async def test_remind_me_on_an_unknown_event_says_so(chat: ChatService) -> None:
    reply = await chat.tap(ANNA, "remind:no-such-event")
    assert "no longer listed" in reply.text
    assert await chat.store.reminder_requests() == []


async def test_a_shared_location_in_great_yarmouth_lists_gyros_first(chat: ChatService) -> None:
    reply = await chat.location(ANNA, 52.607, 1.729)
    assert reply.buttons[0][0].action == "entry:gyros"
    assert "km" in reply.text


async def test_a_location_outside_britain_gets_a_kind_answer(chat: ChatService) -> None:
    reply = await chat.location(ANNA, -33.9, 18.4)
    assert "town" in reply.text


async def test_only_admins_are_admins(chat: ChatService) -> None:
    assert chat.is_admin(ADMIN) and not chat.is_admin(ANNA)
    assert "organisers" in chat.refuse().text


async def test_telegram_language_is_used_when_nothing_else_is_known(chat: ChatService) -> None:
    user = await chat.user(Sender(1, 1, "uk"))
    assert user.telegram_language == "uk"
    assert (await chat.user(Sender(1, 1, "de"))).telegram_language is None
