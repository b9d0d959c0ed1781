"""One writer: a write that returned is on disk, whatever another coroutine's write does."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.events import LONDON
from bot.store import NotSaved, Queued, Store

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


async def test_a_write_after_close_is_not_saved_and_says_so(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    await store.close()
    with pytest.raises(NotSaved, match="closed"):
        await store.subscribe(1, "en")


async def test_a_hundred_concurrent_writes_with_failures_among_them_all_land_or_say_so(
    store: Store, tmp_path: Path
) -> None:
    """Subscriptions interleaved with writes that fail half-way: every subscription that returned
    True is on disk, and nothing of the failed writes is."""

    def fail_half_way(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO users (chat_id, created) VALUES (-1, 'x')")
        raise RuntimeError("fails after its first statement")

    jobs = [store.subscribe(chat, "en") if chat % 3 else store.write(fail_half_way) for chat in range(1, 101)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    subscribed = [chat for chat, result in zip(range(1, 101), results, strict=True) if result is True]
    assert len(subscribed) == 67 and sum(isinstance(r, RuntimeError) for r in results) == 33
    rows = on_disk(tmp_path / "bot.sqlite3", "SELECT chat_id FROM users WHERE subscribed = 1 ORDER BY chat_id")
    assert [r[0] for r in rows] == subscribed
    assert on_disk(tmp_path / "bot.sqlite3", "SELECT COUNT(*) FROM users WHERE chat_id = -1") == [(0,)]
