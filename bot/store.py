"""The bot's only database: who subscribed, in which language, and who asked for which reminder.

Nothing a user wrote is stored here. One aiosqlite connection in autocommit mode is shared by
every coroutine; writes that belong together run inside `transaction()`, which holds a lock
around BEGIN IMMEDIATE ... COMMIT so that one coroutine can never commit another's half-done work.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
    # 2: broadcasts and reminders go through one durable outbox; anonymous counts
    """
    CREATE TABLE broadcasts (
        id               INTEGER PRIMARY KEY,
        kind             TEXT NOT NULL,            -- broadcast | reminder | notice
        text             TEXT NOT NULL,            -- what organisers wrote, or a label for reminders
        state            TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'cancelled', 'sending', 'done')),
        created_by       INTEGER,                  -- the organiser's chat, for progress and the report
        progress_message INTEGER,                  -- the organiser's message edited with progress
        recipients       INTEGER NOT NULL DEFAULT 0,
        created          TEXT NOT NULL,
        finished         TEXT
    );
    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY,
        broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE CASCADE,
        chat_id      INTEGER NOT NULL,
        text         TEXT,                         -- NULL: the broadcast's text
        key          TEXT UNIQUE,                  -- idempotency: the same reminder is queued once
        not_before   TEXT NOT NULL,                -- UTC ISO time
        expires      TEXT,                         -- not worth sending after this (the event started)
        state        TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'blocked', 'failed', 'ambiguous', 'expired')),
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        updated      TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (state, not_before);
    CREATE INDEX outbox_broadcast ON outbox (broadcast_id, state);
    CREATE TABLE daily_counts (
        day     TEXT NOT NULL,
        metric  TEXT NOT NULL,                     -- questions | answered | crisis | need | language | report
        key     TEXT NOT NULL DEFAULT '',
        count   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, metric, key)
    );
    """,
    # 3: unanswered questions, anonymised, kept 30 days, only when an editor switched it on
    """
    CREATE TABLE unanswered (
        id      INTEGER PRIMARY KEY,
        day     TEXT NOT NULL,
        text    TEXT NOT NULL,   -- anonymised: no contacts, numbers or names
        asker   TEXT NOT NULL    -- a keyed hash, to count different people; the key changes monthly
    );
    CREATE INDEX unanswered_day ON unanswered (day);
    CREATE TABLE secrets (
        name    TEXT PRIMARY KEY,
        value   BLOB NOT NULL,
        created TEXT NOT NULL
    );
    """,
    # 4: ids of updates already handled but not yet confirmed to Telegram (numbers only, never words)
    """
    CREATE TABLE handled_updates (update_id INTEGER PRIMARY KEY);
    """,
)

KEEP_UNANSWERED_DAYS = 30


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
        return ("outbox", "reminder_requests", "users")

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

    # ---- the outbox: broadcasts and reminders ----------------------------------------------

    async def create_draft(self, kind: str, text: str, created_by: int | None) -> int:
        """A broadcast the organiser has not confirmed yet: nothing is queued."""
        cursor = await self.db.execute(
            "INSERT INTO broadcasts (kind, text, created_by, created) VALUES (?, ?, ?, ?)",
            (kind, text, created_by, _now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def broadcast(self, broadcast_id: int) -> Broadcast | None:
        rows = await self._broadcasts("WHERE id = ?", (broadcast_id,))
        return rows[0] if rows else None

    async def recent_broadcasts(self, limit: int = 10) -> list[Broadcast]:
        return await self._broadcasts("WHERE state != 'draft' ORDER BY id DESC LIMIT ?", (limit,))

    async def _broadcasts(self, where: str, params: tuple[object, ...]) -> list[Broadcast]:
        select = "SELECT id, kind, text, state, created_by, progress_message, recipients, created, finished "
        rows = await self._all(select + "FROM broadcasts " + where, params)  # `where` is ours; values are params
        found = []
        for row in rows:
            counts = await self.outbox_counts(int(str(row[0])))
            found.append(
                Broadcast(
                    id=int(str(row[0])),
                    kind=str(row[1]),
                    text=str(row[2]),
                    state=str(row[3]),
                    created_by=None if row[4] is None else int(str(row[4])),
                    progress_message=None if row[5] is None else int(str(row[5])),
                    recipients=int(str(row[6])),
                    created=str(row[7]),
                    finished=None if row[8] is None else str(row[8]),
                    counts=counts,
                )
            )
        return found

    async def cancel_draft(self, broadcast_id: int) -> bool:
        cursor = await self.db.execute(
            "UPDATE broadcasts SET state = 'cancelled', finished = ? WHERE id = ? AND state = 'draft'",
            (_now(), broadcast_id),
        )
        return cursor.rowcount > 0

    async def start_broadcast(self, broadcast_id: int, progress_message: int | None, now: datetime) -> int | None:
        """Queue one row per active subscriber, in the same transaction that marks it sending.

        Returns the number of recipients, or None if it was not a draft (a second tap on Send)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE broadcasts SET state = 'sending', progress_message = ? WHERE id = ? AND state = 'draft'",
                (progress_message, broadcast_id),
            )
            if cursor.rowcount == 0:
                return None
            cursor = await db.execute(
                "INSERT INTO outbox (broadcast_id, chat_id, not_before, updated) "
                "SELECT ?, chat_id, ?, ? FROM users WHERE subscribed = 1 AND active = 1",
                (broadcast_id, _iso(now), _now()),
            )
            recipients = max(cursor.rowcount, 0)
            await db.execute("UPDATE broadcasts SET recipients = ? WHERE id = ?", (recipients, broadcast_id))
            if recipients == 0:
                await db.execute(
                    "UPDATE broadcasts SET state = 'done', finished = ? WHERE id = ?", (_now(), broadcast_id)
                )
        return recipients

    async def enqueue(self, items: Iterable[Queued], broadcast_id: int | None = None) -> int:
        """Queue messages; one whose key is already queued (or was sent) is skipped. Returns the new ones."""
        added = 0
        async with self.transaction() as db:
            for item in items:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO outbox (broadcast_id, chat_id, text, key, not_before, expires, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        broadcast_id,
                        item.chat_id,
                        item.text,
                        item.key,
                        _iso(item.not_before),
                        None if item.expires is None else _iso(item.expires),
                        _now(),
                    ),
                )
                added += max(cursor.rowcount, 0)
            if broadcast_id is not None:
                await db.execute(
                    "UPDATE broadcasts SET recipients = recipients + ?, state = 'sending' WHERE id = ?",
                    (added, broadcast_id),
                )
        return added

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Messages whose time has come, oldest first."""
        rows = await self._all(
            "SELECT o.id, o.chat_id, COALESCE(o.text, b.text), o.broadcast_id, o.attempts, o.expires "
            "FROM outbox o LEFT JOIN broadcasts b ON b.id = o.broadcast_id "
            "WHERE o.state = 'pending' AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?",
            (_iso(now), limit),
        )
        return [
            OutboxItem(
                id=int(str(r[0])),
                chat_id=int(str(r[1])),
                text=str(r[2]),
                broadcast_id=None if r[3] is None else int(str(r[3])),
                attempts=int(str(r[4])),
                expires=None if r[5] is None else datetime.fromisoformat(str(r[5])).replace(tzinfo=UTC),
            )
            for r in rows
        ]

    async def mark(self, item_id: int, state: str, error: str | None = None) -> None:
        """One durable write per send: the row's final state (or 'pending' again)."""
        await self.db.execute(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, updated = ? WHERE id = ?",
            (state, error, _now(), item_id),
        )

    async def retry_later(self, item_id: int, when: datetime, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?, updated = ? WHERE id = ?",
            (_iso(when), error, _now(), item_id),
        )

    async def outbox_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self._all(
            "SELECT state, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY state", (broadcast_id,)
        )
        return {str(state): int(str(count)) for state, count in rows}

    async def finish_if_done(self, broadcast_id: int) -> bool:
        """Mark a broadcast done when none of its rows is pending; True the first time."""
        cursor = await self.db.execute(
            "UPDATE broadcasts SET state = 'done', finished = ? WHERE id = ? AND state = 'sending' "
            "AND NOT EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = ? AND state = 'pending')",
            (_now(), broadcast_id, broadcast_id),
        )
        return cursor.rowcount > 0

    async def queued_keys(self, prefix: str) -> set[str]:
        rows = await self._all("SELECT key FROM outbox WHERE key LIKE ?", (prefix.replace("%", "") + "%",))
        return {str(r[0]) for r in rows}

    async def update_reminder(self, chat_id: int, event_id: str, old: str, new: datetime | None) -> None:
        """Move a reminder request to the event's new time, or drop it when the event is gone."""
        async with self.transaction() as db:
            await db.execute(
                "DELETE FROM reminder_requests WHERE chat_id = ? AND event_id = ? AND occurrence = ?",
                (chat_id, event_id, old),
            )
            if new is not None:
                await db.execute(
                    "INSERT OR IGNORE INTO reminder_requests (chat_id, event_id, occurrence, created) "
                    "VALUES (?, ?, ?, ?)",
                    (chat_id, event_id, new.isoformat(), _now()),
                )

    # ---- anonymous counts ------------------------------------------------------------------

    async def count(self, day: date, metric: str, key: str = "", by: int = 1) -> None:
        await self.add_counts(day, [(metric, key, by)])

    async def add_counts(self, day: date, rows: Iterable[tuple[str, str, int]]) -> None:
        """Add to several counters in one statement, one commit."""
        await self.db.executemany(
            "INSERT INTO daily_counts (day, metric, key, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (day, metric, key) DO UPDATE SET count = count + excluded.count",
            [(day.isoformat(), metric, key, count) for metric, key, count in rows],
        )

    async def counts_since(self, day: date) -> list[tuple[str, str, str, int]]:
        rows = await self._all(
            "SELECT day, metric, key, count FROM daily_counts WHERE day >= ? ORDER BY day, metric, key",
            (day.isoformat(),),
        )
        return [(str(r[0]), str(r[1]), str(r[2]), int(str(r[3]))) for r in rows]

    # ---- unanswered questions ----------------------------------------------------------------

    async def record_unanswered(self, today: date, text: str, chat_id: int) -> None:
        """Keep an anonymised question for 30 days, with a pseudonym that cannot be linked to the chat
        once the monthly key is replaced."""
        key = await self._monthly_key(today)
        asker = hmac.new(key, str(chat_id).encode(), hashlib.sha256).hexdigest()[:16]
        async with self.transaction() as db:
            oldest = (today - timedelta(days=KEEP_UNANSWERED_DAYS)).isoformat()
            await db.execute("DELETE FROM unanswered WHERE day < ?", (oldest,))
            await db.execute(
                "INSERT INTO unanswered (day, text, asker) VALUES (?, ?, ?)", (today.isoformat(), text, asker)
            )

    async def unanswered_since(self, day: date) -> list[tuple[str, str]]:
        rows = await self._all("SELECT text, asker FROM unanswered WHERE day >= ? ORDER BY id", (day.isoformat(),))
        return [(str(r[0]), str(r[1])) for r in rows]

    async def _monthly_key(self, today: date) -> bytes:
        row = await self._one("SELECT value, created FROM secrets WHERE name = 'asker-key'")
        if row is not None and date.fromisoformat(str(row[1])) > today - timedelta(days=KEEP_UNANSWERED_DAYS):
            return bytes(row[0])  # type: ignore[arg-type]
        key = secrets.token_bytes(32)
        await self.db.execute(
            "INSERT OR REPLACE INTO secrets (name, value, created) VALUES ('asker-key', ?, ?)", (key, today.isoformat())
        )
        return key

    # ---- updates handled, so that one Telegram delivers again is skipped ---------------------

    async def handled_updates(self) -> set[int]:
        return {int(str(row[0])) for row in await self._all("SELECT update_id FROM handled_updates")}

    async def remember_handled(self, update_id: int, confirmed_below: int) -> None:
        """Keep this update's id; forget those Telegram confirmed (it never sends them again)."""
        async with self.transaction() as db:
            await db.execute("INSERT OR IGNORE INTO handled_updates (update_id) VALUES (?)", (update_id,))
            await db.execute("DELETE FROM handled_updates WHERE update_id < ?", (confirmed_below,))


@dataclass(frozen=True, slots=True)
class Queued:
    """A message to queue: reminders carry an idempotency key and a time after which they are stale."""

    chat_id: int
    text: str | None
    not_before: datetime
    key: str | None = None
    expires: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    chat_id: int
    text: str
    broadcast_id: int | None
    attempts: int
    expires: datetime | None


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    kind: str
    text: str
    state: str
    created_by: int | None
    progress_message: int | None
    recipients: int
    created: str
    finished: str | None
    counts: dict[str, int]


def _iso(moment: datetime) -> str:
    """UTC, fixed width, so that text comparison in SQL orders times correctly."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
