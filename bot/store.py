"""The bot's only database: who subscribed, in which language, and who asked for which reminder.

Nothing a user wrote is stored here. One aiosqlite connection in autocommit mode is shared by
every coroutine; writes that belong together run inside `transaction()`, which holds a lock
around BEGIN IMMEDIATE ... COMMIT so that one coroutine can never commit another's half-done work.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

MIGRATIONS: tuple[str, ...] = (
    # 1: users and their reminder requests
    """
    CREATE TABLE users (
        chat_id     INTEGER PRIMARY KEY,
        language    TEXT,
        subscribed  INTEGER NOT NULL DEFAULT 0 CHECK (subscribed IN (0, 1)),
        active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created     TEXT NOT NULL
    );
    CREATE TABLE reminder_requests (
        chat_id     INTEGER NOT NULL REFERENCES users(chat_id) ON DELETE CASCADE,
        event_id    TEXT NOT NULL,
        occurrence  TEXT NOT NULL,
        created     TEXT NOT NULL,
        PRIMARY KEY (chat_id, event_id, occurrence)
    );
    """,
)


class StoreError(Exception):
    """The database cannot be opened or migrated; the message says what to do."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    chat_id: int
    language: str | None
    subscribed: bool
    active: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """Typed access to the SQLite file; create with `await Store.open(path)`, end with `close()`."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the database {path}: {exc}. Check BOT_DB_PATH.") from None
        store = cls(db)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=FULL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
            await store._migrate()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        async with self._lock:
            await self.db.close()

    async def _migrate(self) -> None:
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            raise StoreError(
                f"The database is from a newer version of the bot (schema {version}); update the bot's code."
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                await self.db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    await self.db.execute("ROLLBACK")
                raise StoreError(
                    f"Updating the database to schema {number} failed, nothing was changed: {exc}"
                ) from exc

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Writes that must land together. Never await the network inside one."""
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def _one(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Row | tuple[object, ...] | None:
        async with self.db.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Iterable[object] = ()) -> list[tuple[object, ...]]:
        async with self.db.execute(sql, tuple(params)) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    # ---- users ------------------------------------------------------------------------------

    async def user(self, chat_id: int) -> StoredUser | None:
        row = await self._one("SELECT chat_id, language, subscribed, active FROM users WHERE chat_id = ?", (chat_id,))
        if row is None:
            return None
        language = None if row[1] is None else str(row[1])
        return StoredUser(int(str(row[0])), language, bool(row[2]), bool(row[3]))

    async def _ensure_user(self, db: aiosqlite.Connection, chat_id: int) -> None:
        await db.execute("INSERT OR IGNORE INTO users (chat_id, created) VALUES (?, ?)", (chat_id, _now()))

    async def set_language(self, chat_id: int, language: str) -> None:
        async with self.transaction() as db:
            await self._ensure_user(db, chat_id)
            await db.execute("UPDATE users SET language = ?, active = 1 WHERE chat_id = ?", (language, chat_id))

    async def subscribe(self, chat_id: int, language: str | None) -> bool:
        """Subscribe to event reminders; False if already subscribed."""
        async with self.transaction() as db:
            await self._ensure_user(db, chat_id)
            cursor = await db.execute(
                "UPDATE users SET subscribed = 1, active = 1, language = COALESCE(language, ?) "
                "WHERE chat_id = ? AND (subscribed = 0 OR active = 0)",
                (language, chat_id),
            )
            return cursor.rowcount > 0

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop event reminders; False if not subscribed."""
        cursor = await self.db.execute(
            "UPDATE users SET subscribed = 0 WHERE chat_id = ? AND subscribed = 1", (chat_id,)
        )
        return cursor.rowcount > 0

    async def mark_blocked(self, chat_id: int) -> None:
        """The user blocked the bot: no more messages until they come back and subscribe again."""
        async with self.transaction() as db:
            await db.execute("UPDATE users SET active = 0, subscribed = 0 WHERE chat_id = ?", (chat_id,))
            await db.execute("DELETE FROM reminder_requests WHERE chat_id = ?", (chat_id,))

    async def forget(self, chat_id: int) -> int:
        """Delete every row about this chat; the number of rows deleted (0 for a stranger)."""
        deleted = 0
        async with self.transaction() as db:
            for table in self.personal_tables():
                cursor = await db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))  # noqa: S608
                deleted += max(cursor.rowcount, 0)
        return deleted

    @staticmethod
    def personal_tables() -> tuple[str, ...]:
        """Every table with a chat_id column, children first: what /forget must clear."""
        return ("reminder_requests", "users")

    async def subscribers(self) -> list[tuple[int, str | None]]:
        rows = await self._all(
            "SELECT chat_id, language FROM users WHERE subscribed = 1 AND active = 1 ORDER BY chat_id"
        )
        return [(int(str(r[0])), None if r[1] is None else str(r[1])) for r in rows]

    # ---- reminders --------------------------------------------------------------------------

    async def request_reminder(self, chat_id: int, event_id: str, occurrence: datetime) -> bool:
        """Remember that this chat wants a reminder of this occurrence; False if it already asked."""
        async with self.transaction() as db:
            await self._ensure_user(db, chat_id)
            await db.execute("UPDATE users SET active = 1 WHERE chat_id = ?", (chat_id,))
            cursor = await db.execute(
                "INSERT OR IGNORE INTO reminder_requests (chat_id, event_id, occurrence, created) VALUES (?, ?, ?, ?)",
                (chat_id, event_id, occurrence.isoformat(), _now()),
            )
            return cursor.rowcount > 0

    async def reminder_requests(self, event_id: str | None = None) -> list[tuple[int, str, str]]:
        sql = "SELECT chat_id, event_id, occurrence FROM reminder_requests"
        params: tuple[object, ...] = ()
        if event_id is not None:
            sql += " WHERE event_id = ?"
            params = (event_id,)
        rows = await self._all(sql + " ORDER BY occurrence, chat_id", params)
        return [(int(str(r[0])), str(r[1]), str(r[2])) for r in rows]

    async def counts(self) -> dict[str, int]:
        row = await self._one(
            "SELECT COUNT(*), COALESCE(SUM(subscribed AND active), 0), COALESCE(SUM(1 - active), 0) FROM users"
        )
        assert row is not None
        reminders = await self._one("SELECT COUNT(*) FROM reminder_requests")
        assert reminders is not None
        return {
            "users": int(str(row[0])),
            "subscribed": int(str(row[1])),
            "blocked": int(str(row[2])),
            "reminder_requests": int(str(reminders[0])),
        }
