"""The SQLite store: migrations, subscriptions, reminders, /forget, and transactions that cannot mix."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.events import LONDON
from bot.store import MIGRATIONS, Store, StoreError

WHEN = datetime(2024, 2, 5, 18, 0, tzinfo=LONDON)


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = await Store.open(tmp_path / "deep" / "folder" / "bot.sqlite3")
    yield s
    await s.close()


async def test_open_creates_folders_wal_and_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    store = await Store.open(path)
    try:
        assert path.exists()
        assert await store.schema_version() == len(MIGRATIONS)
        async with store.db.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone())[0] == "wal"  # type: ignore[index]
        async with store.db.execute("PRAGMA synchronous") as cursor:
            assert (await cursor.fetchone())[0] == 2  # type: ignore[index]  # FULL
    finally:
        await store.close()


async def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = await Store.open(path)
    await first.subscribe(1, "ar")
    await first.close()
    second = await Store.open(path)
    try:
        assert await second.subscribers() == [(1, "ar")]
    finally:
        await second.close()


async def test_failed_migration_rolls_back_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bot.sqlite3"
    broken = (*MIGRATIONS, "CREATE TABLE extra (x INTEGER); CREATE TABLE users (y INTEGER);")
    monkeypatch.setattr("bot.store.MIGRATIONS", broken)
    with pytest.raises(StoreError, match="nothing was changed"):
        await Store.open(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "extra" not in tables


async def test_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer version"):
        await Store.open(path)


async def test_subscribe_is_idempotent_and_unsubscribe_reports(store: Store) -> None:
    assert await store.subscribe(10, "fa") is True
    assert await store.subscribe(10, "en") is False
    assert await store.subscribers() == [(10, "fa")]  # the first language stays
    assert await store.unsubscribe(10) is True
    assert await store.unsubscribe(10) is False
    assert await store.subscribers() == []


async def test_blocked_user_is_unsubscribed_and_loses_reminders(store: Store) -> None:
    await store.subscribe(5, "en")
    await store.request_reminder(5, "celebration", WHEN)
    await store.mark_blocked(5)
    assert await store.subscribers() == []
    assert await store.reminder_requests() == []
    user = await store.user(5)
    assert user is not None and not user.active and not user.subscribed


async def test_reminder_request_is_kept_once(store: Store) -> None:
    assert await store.request_reminder(7, "celebration", WHEN) is True
    assert await store.request_reminder(7, "celebration", WHEN) is False
    assert await store.reminder_requests("celebration") == [(7, "celebration", WHEN.isoformat())]


async def test_forget_deletes_every_row_about_the_user_and_no_one_else(store: Store) -> None:
    await store.subscribe(1, "uk")
    await store.request_reminder(1, "celebration", WHEN)
    await store.subscribe(2, "en")
    assert await store.forget(1) == 2
    for table in Store.personal_tables():
        async with store.db.execute(f"SELECT COUNT(*) FROM {table} WHERE chat_id = 1") as cursor:
            assert (await cursor.fetchone())[0] == 0  # type: ignore[index]
    assert await store.subscribers() == [(2, "en")]
    assert await store.forget(12345) == 0  # a stranger: nothing to delete, no error


async def test_personal_tables_cover_every_table_with_a_chat_id(store: Store) -> None:
    async with store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
        tables = [row[0] for row in await cursor.fetchall()]
    with_chat = set()
    for table in tables:
        async with store.db.execute(f"PRAGMA table_info({table})") as cursor:
            if any(col[1] == "chat_id" for col in await cursor.fetchall()):
                with_chat.add(table)
    assert with_chat == set(Store.personal_tables())


async def test_a_failed_write_is_not_committed_by_another_coroutine(store: Store) -> None:
    """The aiosqlite pitfall: coroutine B's commit must not take A's half-done work with it."""

    def fail_half_way(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO users (chat_id, created) VALUES (100, 'x')")
        raise RuntimeError("A fails after its first write")

    results = await asyncio.gather(store.write(fail_half_way), store.subscribe(200, "en"), return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and results[1] is True
    assert await store.user(100) is None
    assert await store.user(200) is not None


async def test_only_the_agreed_columns_exist(store: Store) -> None:
    """Privacy by schema: a chat id, a language, flags and dates; nothing a user wrote."""
    columns: dict[str, set[str]] = {}
    for table in ("users", "reminder_requests"):
        async with store.db.execute(f"PRAGMA table_info({table})") as cursor:
            columns[table] = {col[1] for col in await cursor.fetchall()}
    assert columns == {
        "users": {"chat_id", "language", "subscribed", "active", "created"},
        "reminder_requests": {"chat_id", "event_id", "occurrence", "created"},
    }


async def test_connection_is_closed(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "x.sqlite3")
    await store.close()
    with pytest.raises(ValueError, match="no active connection"):
        await store.db.execute("SELECT 1")
    assert isinstance(store.db, aiosqlite.Connection)
