"""One writer: a write that returned is on disk, whatever another coroutine's write does."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.events import LONDON
from bot.store import Queued, Store

WHEN = datetime(2024, 2, 5, 18, 0, tzinfo=LONDON)
NO_SUCH_BROADCAST = 999  # a foreign key that fails: the other coroutine's write is rolled back


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


def on_disk(path: Path, sql: str) -> list[tuple[object, ...]]:
    """What a fresh connection reads: what was committed, not what one connection believes."""
    with sqlite3.connect(path) as db:
        return list(db.execute(sql))


async def test_an_unsubscribe_that_returned_true_is_not_undone_by_another_failed_write(
    store: Store, tmp_path: Path
) -> None:
    await store.subscribe(1, "en")
    failing = store.enqueue([Queued(2, "hello", WHEN)], broadcast_id=NO_SUCH_BROADCAST)
    results = await asyncio.gather(failing, store.unsubscribe(1), return_exceptions=True)
    assert isinstance(results[0], Exception), "the other write failed"
    assert results[1] is True, "the unsubscribe said it was done"
    assert await store.subscribers() == []
    assert on_disk(tmp_path / "bot.sqlite3", "SELECT subscribed FROM users WHERE chat_id = 1") == [(0,)]


async def test_a_sent_mark_is_not_undone_by_another_failed_write(store: Store, tmp_path: Path) -> None:
    await store.enqueue([Queued(3, "reminder", WHEN, key="r:3")])
    [item] = await store.due(WHEN)
    failing = store.enqueue([Queued(4, "hello", WHEN)], broadcast_id=NO_SUCH_BROADCAST)
    results = await asyncio.gather(failing, store.mark(item.id, "sent"), return_exceptions=True)
    assert isinstance(results[0], Exception) and results[1] is None
    assert await store.due(WHEN) == [], "a message marked sent is never sent again"
    assert on_disk(tmp_path / "bot.sqlite3", "SELECT state FROM outbox") == [("sent",)]
