"""Storage that cannot fail silently: a write that did not land is said, never "Done".

The database is deleted, replaced or made read-only under the running bot; the user who then
subscribes, forgets or picks a language hears "I could not save that", and the log says why at
ERROR. Start-up failures (exit 2, one sentence) are tested through the process in test_startup.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.knowledge import KnowledgeBase
from bot.store import NotSaved, Store, StoreError
from handlers.app import build_application, started
from tests.conftest import NOW
from tests.fakebot import FakeBotApi
from tests.filesystem import read_only
from tests.telegram_support import TOKEN, settings_for

NOT_SAVED = "I could not save that, please try again later."
ANNA, BOB = Sender(11, 11, "en"), Sender(12, 12, "en")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def chat(path: Path, mini: Assistant) -> AsyncIterator[ChatService]:
    store = await Store.open(path)
    yield ChatService(mini, store, clock=lambda: NOW)
    await store.close()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_after_the_folder_is_deleted_every_write_gets_the_not_saved_reply(
    chat: ChatService, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert "You will get reminders" in (await chat.subscribe(ANNA)).text
    shutil.rmtree(path.parent)
    assert (await chat.subscribe(BOB)).text == NOT_SAVED
    assert (await chat.forget(ANNA)).text == NOT_SAVED
    assert (await chat.unsubscribe(ANNA)).text == NOT_SAVED
    assert (await chat.tap(BOB, "lang:fr")).text == NOT_SAVED
    assert "deleted while the bot ran" in " ".join(errors(caplog))
    path.parent.mkdir()  # a new, empty folder: still not the database the bot opened
    assert (await chat.subscribe(BOB)).text == NOT_SAVED, "writes stay refused until a restart"


async def test_a_database_replaced_by_another_file_refuses_writes(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = await Store.open(path, check_every=None)
    try:
        other = path.with_name("other.sqlite3")
        sqlite3.connect(other).close()
        os.replace(other, path)
        with pytest.raises(NotSaved, match="replaced by another file"):
            await store.subscribe(1, "en")
    finally:
        await store.close()
    assert any("replaced by another file" in line for line in errors(caplog))


async def test_the_minute_check_notices_a_deleted_database_with_no_write_at_all(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(path, check_every=0.05)
    try:
        shutil.rmtree(path.parent)
        for _ in range(100):
            if errors(caplog):
                break
            await asyncio.sleep(0.02)
        assert await store.check() is not None
    finally:
        await store.close()
    [line] = errors(caplog)
    assert str(path) in line and "no write is accepted until the bot is restarted" in line


async def test_a_database_made_read_only_while_running_gets_the_not_saved_reply(
    chat: ChatService, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert "You will get reminders" in (await chat.subscribe(ANNA)).text
    with read_only(path, path.with_name(path.name + "-wal"), already_open=True):
        assert (await chat.subscribe(BOB)).text == NOT_SAVED
        assert (await chat.forget(ANNA)).text == NOT_SAVED
        assert (await chat.tap(BOB, "lang:ar")).text == NOT_SAVED
    assert any("was not saved" in line and str(path) in line for line in errors(caplog))
    assert "You will get reminders" in (await chat.subscribe(BOB)).text, "writable again: saved again"
    assert await chat.store.subscribers() == [(11, "en"), (12, "en")]


async def test_the_not_saved_reply_is_in_the_users_language(chat: ChatService, path: Path) -> None:
    await chat.tap(ANNA, "lang:fr")
    shutil.rmtree(path.parent)
    assert (
        await chat.subscribe(ANNA)
    ).text == "Je n\u2019ai pas pu l\u2019enregistrer, veuillez r\u00e9essayer plus tard."


async def test_counts_that_could_not_be_written_are_kept_for_the_next_try(chat: ChatService, path: Path) -> None:
    await chat.text(ANNA, "food bank")
    with read_only(path, path.with_name(path.name + "-wal"), already_open=True):
        await chat.flush_counts()
    await chat.flush_counts()
    assert ("questions", 1) in [(metric, count) for _, metric, _, count in await chat.store.counts_since(NOW.date())]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.parent.mkdir() or p.write_text("not a database"), "is not a SQLite database"),
        (lambda p: p.parent.write_text("a file"), "is a file, not a folder"),
        (lambda p: p.parent.mkdir() or p.mkdir(), "is a folder, not a file"),
    ],
)
async def test_a_database_that_cannot_be_used_is_one_sentence_at_open(path: Path, make: object, says: str) -> None:
    make(path)  # type: ignore[operator]
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    message = str(caught.value)
    assert says in message and "\n" not in message
    assert str(path) in message or str(path.parent) in message


async def test_a_read_only_database_is_refused_at_open(path: Path) -> None:
    store = await Store.open(path)
    await store.close()
    with read_only(path), pytest.raises(StoreError, match="read-only") as caught:
        await Store.open(path)
    assert str(path) in str(caught.value)


async def test_through_telegram_a_deleted_database_gets_the_not_saved_reply(
    kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path), kb, clock=lambda: NOW)
        async with started(app):
            api.user_command(21, "/subscribe")
            [done] = await api.wait_for_sent(1, chat_id=21)
            shutil.rmtree(tmp_path / "data")
            api.user_command(22, "/subscribe")
            api.user_command(21, "/forget")
            [refused] = await api.wait_for_sent(1, chat_id=22)
            *_, not_forgotten = await api.wait_for_sent(2, chat_id=21)
    assert "You will get reminders" in done["text"]
    assert refused["text"] == NOT_SAVED and not_forgotten["text"] == NOT_SAVED
    assert "Traceback" not in caplog.text and "Sorry" not in refused["text"]
    assert any("deleted while the bot ran" in line for line in errors(caplog))
