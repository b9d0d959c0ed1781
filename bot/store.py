"""The bot's only database: who subscribed, in which language, and who asked for which reminder.

Nothing a user wrote is stored here (only, when an editor switches it on, anonymised unanswered
questions). Every write goes through one writer, modelled on Datasette's `execute_write_fn`: one
thread owns one sqlite3 connection and runs plain functions `fn(conn)` one after another, each
inside BEGIN IMMEDIATE ... COMMIT, and hands back their result. A write that returned is committed;
a write that fails rolls back itself and nothing else, so no coroutine can undo another's work.
Reads use a second, query-only connection and see committed data only.

To add a write: a method that defines `def write(db: sqlite3.Connection) -> T` and returns
`await self.write(write)`. To add a table or a column: append a script to MIGRATIONS.

A write that does not reach the file raises `NotSaved` (logged at ERROR here), so that the caller
tells the user it was not saved instead of "Done". The file is checked before every write and every
minute: when it was deleted or replaced while the bot ran, writes are refused until a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.config import database_path_problem
from bot.unanswered import KEEP_DAYS, AskerKeys

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], T]

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
    # 4: the key of the unanswered log's hash moves out of the database into a file beside it; the
    # rows hashed with the old key (and anonymised the old, weaker way) go with it. A row names its key,
    # so that it is deleted with it. `meta` holds the time of the last start, written at every start.
    """
    DROP TABLE secrets;
    DROP TABLE unanswered;
    CREATE TABLE unanswered (
        id      INTEGER PRIMARY KEY,
        day     TEXT NOT NULL,
        text    TEXT NOT NULL,   -- anonymised: only listed and everyday words; names and numbers replaced
        asker   TEXT NOT NULL,   -- keyed hash of the chat id: counts people, and finds their rows for /forget
        key     TEXT NOT NULL    -- the id of that key, which lives in a file beside the database
    );
    CREATE INDEX unanswered_day ON unanswered (day);
    CREATE INDEX unanswered_asker ON unanswered (asker);
    CREATE TABLE meta (
        name    TEXT PRIMARY KEY,
        value   TEXT NOT NULL
    );
    """,
    # 5: what finally failed is told to the organisers; a broadcast's report is given once, even across a crash
    """
    ALTER TABLE outbox ADD COLUMN tell_organisers INTEGER NOT NULL DEFAULT 0;  -- 1: given up, not yet told
    CREATE INDEX outbox_tell ON outbox (id) WHERE tell_organisers = 1;
    ALTER TABLE broadcasts ADD COLUMN reported TEXT;  -- when the final report was given to the organiser
    ALTER TABLE broadcasts ADD COLUMN language TEXT;  -- the organiser's, for the progress and the report
    UPDATE broadcasts SET reported = COALESCE(finished, created) WHERE state = 'done';
    """,
    # 6: ids of updates already handled but not yet confirmed to Telegram (numbers only, never words)
    """
    CREATE TABLE handled_updates (update_id INTEGER PRIMARY KEY);
    """,
)


KEEP_UNANSWERED_DAYS = KEEP_DAYS
CHECK_EVERY = 60.0
"""Seconds between two checks that the database file is still the one the bot opened."""
FILE_ERRORS = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_NOTADB", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_PERM")
"""SQLite's errors that are about the file, not about what was written to it."""


class StoreError(Exception):
    """The database cannot be opened or migrated; the message is one sentence that says what to do."""


class NotSaved(StoreError):
    """A write did not reach the database (read-only, deleted or replaced file, full disk ...):
    the user must hear that it was not saved, never "Done"."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    chat_id: int
    language: str | None
    subscribed: bool
    active: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def explain(path: Path, exc: BaseException) -> str:
    """One sentence for the person starting the bot: which file, what is wrong, what to do."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    if name.startswith("SQLITE_NOTADB"):
        return f"{path} is not a SQLite database: set BOT_DB_PATH to another file, or move this one away."
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")) or isinstance(exc, PermissionError):
        return (
            f"The database {path} cannot be written (the file or its folder is read-only for this user): "
            "allow writing there, or set BOT_DB_PATH."
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return f"The database {path} cannot be opened or created: check its folder, or set BOT_DB_PATH."
    if name.startswith("SQLITE_IOERR"):
        return f"The database {path} could not be written (input/output error): check the disk and its permissions."
    if name.startswith("SQLITE_FULL"):
        return f"The disk that holds the database {path} is full: free some space."
    if isinstance(exc, sqlite3.IntegrityError):
        return f"The database {path} refused a write that breaks its rules ({exc}): a bug to report."
    return f"The database {path} cannot be used ({exc}): check BOT_DB_PATH."


def file_identity(path: Path) -> tuple[int, int]:
    """Device and inode: a file deleted and created again, or moved over, has other ones."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def open_for_writing(path: Path) -> sqlite3.Connection:
    """The writer's connection: folders made, settings applied, migrated, and written once, so that
    a file the bot cannot write stops it at start-up instead of at a user's /subscribe."""
    problem = database_path_problem(path)
    if problem is not None:
        raise StoreError(f"The database {path} cannot be used: {problem}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(explain(path, exc)) from None
    try:
        db = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(explain(path, exc)) from None
    try:
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        _migrate(db)
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('opened', ?)", (_now(),))
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        db.close()
        raise StoreError(explain(path, exc)) from None
    except BaseException:
        db.close()
        raise
    return db


def schema_version(db: sqlite3.Connection) -> int:
    row = db.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def _migrate(db: sqlite3.Connection) -> None:
    """Each missing migration in its own transaction, with the version it brings: all or nothing."""
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise StoreError(f"The database is from a newer version of the bot (schema {version}); update the bot's code.")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        try:
            db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if str(getattr(exc, "sqlite_errorname", "")).startswith(FILE_ERRORS):
                raise  # the file cannot be written: explained by the caller
            raise StoreError(f"Updating the database to schema {number} failed, nothing was changed: {exc}") from exc


class Writer:
    """The one connection that writes, used from one thread: writes run one at a time, each in its
    own transaction, in the order they were asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self.stopped: str | None = None  # why writes are refused until a restart
        self._closed = False

    async def run(self, fn: Callable[[], T]) -> T:
        """`fn()` on the writer's thread, after every write asked for before it."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn)

    async def start(self) -> None:
        def connect() -> None:
            self._db = open_for_writing(self.path)
            self._identity = file_identity(self.path)

        try:
            await self.run(connect)
        except BaseException:
            self._thread.shutdown(wait=False)
            raise

    async def write(self, fn: WriteFn[T]) -> T:
        if self._closed:
            raise NotSaved("the database is closed (the bot is stopping)")
        return await self.run(lambda: self.transaction(fn))

    def transaction(self, fn: WriteFn[T]) -> T:
        """BEGIN IMMEDIATE, `fn(db)`, COMMIT; ROLLBACK if anything fails. Runs on the writer's thread."""
        if self._db is None:
            raise NotSaved("the database is closed")
        problem = self.check()
        if problem is not None:
            raise NotSaved(problem)
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            log.error("a write to the database %s failed and was not saved: %s", self.path, explain(self.path, exc))
            raise NotSaved(explain(self.path, exc)) from exc
        return result

    def check(self) -> str | None:
        """Why writes are refused, if they are: the file the bot opened is no longer at its path."""
        if self.stopped is not None or self._identity is None:
            return self.stopped
        try:
            same = file_identity(self.path) == self._identity
            problem = None if same else f"the database {self.path} was replaced by another file while the bot ran"
        except FileNotFoundError:
            problem = f"the database {self.path} (or its folder) was deleted while the bot ran"
        except OSError as exc:
            problem = f"the database {self.path} cannot be checked ({exc.strerror})"
        if problem is not None:
            self.stopped = problem
            log.error("%s: no write is accepted until the bot is restarted", problem)
        return problem

    async def close(self) -> None:
        def close() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        if self._closed:
            return
        self._closed = True
        await self.run(close)
        self._thread.shutdown(wait=True)


class Store:
    """Typed access to the SQLite file; create with `await Store.open(path)`, end with `close()`."""

    def __init__(self, db: aiosqlite.Connection, writer: Writer) -> None:
        self.db = db  # for reading only (query_only): every write goes through `write`
        self.writer = writer
        self.asker_keys = AskerKeys(Path(f"{writer.path}-unanswered.key"))
        self._watch: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path | str, check_every: float | None = CHECK_EVERY) -> Store:
        """Open (creating folders and file), migrate, write once; then check the file every
        `check_every` seconds (None: only before each write)."""
        path = Path(path)
        writer = Writer(path)
        await writer.start()
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            await writer.close()
            raise StoreError(explain(path, exc)) from None
        store = cls(db, writer)
        try:
            await db.execute("PRAGMA busy_timeout=5000")
            await db.execute("PRAGMA query_only=ON")
            await store.purge_unanswered(datetime.now(UTC).date())
        except BaseException:
            await store.close()
            raise
        if check_every:
            store._watch = asyncio.create_task(store._watch_file(check_every), name="database-check")
        return store

    @staticmethod
    def probe(path: Path | str) -> None:
        """Open, migrate and write once without running anything: a StoreError says what is wrong."""
        open_for_writing(Path(path)).close()

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await self.writer.close()
        await self.db.close()

    async def write(self, fn: WriteFn[T]) -> T:
        """Run `fn(db)` in its own transaction on the one writer; NotSaved when it did not land."""
        return await self.writer.write(fn)

    async def check(self) -> str | None:
        """Why writes are refused (the file was deleted or replaced), or None while all is well."""
        return await self.writer.run(self.writer.check)

    async def _watch_file(self, every: float) -> None:
        """Every `every` seconds: is the file still ours (logged at ERROR once when not)? Once a day,
        unanswered questions older than 30 days are deleted, even when none is being recorded."""
        purged = datetime.now(UTC).date()
        while await self.check() is None:
            await asyncio.sleep(every)
            today = datetime.now(UTC).date()
            if today != purged:
                with contextlib.suppress(NotSaved):
                    await self.purge_unanswered(today)
                purged = today

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

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

    @staticmethod
    def _ensure_user(db: sqlite3.Connection, chat_id: int) -> None:
        db.execute("INSERT OR IGNORE INTO users (chat_id, created) VALUES (?, ?)", (chat_id, _now()))

    async def set_language(self, chat_id: int, language: str) -> None:
        def write(db: sqlite3.Connection) -> None:
            self._ensure_user(db, chat_id)
            db.execute("UPDATE users SET language = ?, active = 1 WHERE chat_id = ?", (language, chat_id))

        await self.write(write)

    async def subscribe(self, chat_id: int, language: str | None) -> bool:
        """Subscribe to event reminders; False if already subscribed."""

        def write(db: sqlite3.Connection) -> bool:
            self._ensure_user(db, chat_id)
            cursor = db.execute(
                "UPDATE users SET subscribed = 1, active = 1, language = COALESCE(language, ?) "
                "WHERE chat_id = ? AND (subscribed = 0 OR active = 0)",
                (language, chat_id),
            )
            return cursor.rowcount > 0

        return await self.write(write)

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop event reminders; False if not subscribed."""

        def write(db: sqlite3.Connection) -> bool:
            sql = "UPDATE users SET subscribed = 0 WHERE chat_id = ? AND subscribed = 1"
            return db.execute(sql, (chat_id,)).rowcount > 0

        return await self.write(write)

    async def mark_blocked(self, chat_id: int) -> None:
        """The user blocked the bot: no more messages until they come back and subscribe again."""

        def write(db: sqlite3.Connection) -> None:
            db.execute("UPDATE users SET active = 0, subscribed = 0 WHERE chat_id = ?", (chat_id,))
            db.execute("DELETE FROM reminder_requests WHERE chat_id = ?", (chat_id,))

        await self.write(write)

    async def forget(self, chat_id: int) -> int:
        """Delete every row about this chat, its unanswered questions included (found by their keyed
        hash); the number of rows deleted (0 for a stranger)."""

        def write(db: sqlite3.Connection) -> int:
            deleted = 0
            for table in self.personal_tables():
                cursor = db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))  # noqa: S608
                deleted += max(cursor.rowcount, 0)
            for asker in self.asker_keys.hashes(chat_id):
                deleted += max(db.execute("DELETE FROM unanswered WHERE asker = ?", (asker,)).rowcount, 0)
            return deleted

        return await self.write(write)

    @staticmethod
    def personal_tables() -> tuple[str, ...]:
        """Every table with a chat_id column, children first: what /forget must clear (and the
        unanswered questions, which carry a keyed hash instead)."""
        return ("outbox", "reminder_requests", "users")

    async def subscribers(self) -> list[tuple[int, str | None]]:
        rows = await self._all(
            "SELECT chat_id, language FROM users WHERE subscribed = 1 AND active = 1 ORDER BY chat_id"
        )
        return [(int(str(r[0])), None if r[1] is None else str(r[1])) for r in rows]

    # ---- reminders --------------------------------------------------------------------------

    async def request_reminder(self, chat_id: int, event_id: str, occurrence: datetime) -> bool:
        """Remember that this chat wants a reminder of this occurrence; False if it already asked."""

        def write(db: sqlite3.Connection) -> bool:
            self._ensure_user(db, chat_id)
            db.execute("UPDATE users SET active = 1 WHERE chat_id = ?", (chat_id,))
            cursor = db.execute(
                "INSERT OR IGNORE INTO reminder_requests (chat_id, event_id, occurrence, created) VALUES (?, ?, ?, ?)",
                (chat_id, event_id, occurrence.isoformat(), _now()),
            )
            return cursor.rowcount > 0

        return await self.write(write)

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

    async def create_draft(self, kind: str, text: str, created_by: int | None, language: str | None = None) -> int:
        """A broadcast the organiser has not confirmed yet: nothing is queued."""

        def write(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO broadcasts (kind, text, created_by, created, language) VALUES (?, ?, ?, ?, ?)",
                (kind, text, created_by, _now(), language),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return await self.write(write)

    async def broadcast(self, broadcast_id: int) -> Broadcast | None:
        rows = await self._broadcasts("WHERE id = ?", (broadcast_id,))
        return rows[0] if rows else None

    async def recent_broadcasts(self, limit: int = 10) -> list[Broadcast]:
        return await self._broadcasts("WHERE state != 'draft' ORDER BY id DESC LIMIT ?", (limit,))

    async def _broadcasts(self, where: str, params: tuple[object, ...]) -> list[Broadcast]:
        select = "SELECT id, kind, text, state, created_by, progress_message, recipients, created, finished, language "
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
                    language=None if row[9] is None else str(row[9]),
                )
            )
        return found

    async def cancel_draft(self, broadcast_id: int) -> bool:
        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE broadcasts SET state = 'cancelled', finished = ? WHERE id = ? AND state = 'draft'",
                (_now(), broadcast_id),
            )
            return cursor.rowcount > 0

        return await self.write(write)

    async def start_broadcast(self, broadcast_id: int, progress_message: int | None, now: datetime) -> int | None:
        """Queue one row per active subscriber, in the same transaction that marks it sending.

        Returns the number of recipients, or None if it was not a draft (a second tap on Send)."""

        def write(db: sqlite3.Connection) -> int | None:
            cursor = db.execute(
                "UPDATE broadcasts SET state = 'sending', progress_message = ? WHERE id = ? AND state = 'draft'",
                (progress_message, broadcast_id),
            )
            if cursor.rowcount == 0:
                return None
            cursor = db.execute(
                "INSERT INTO outbox (broadcast_id, chat_id, not_before, updated) "
                "SELECT ?, chat_id, ?, ? FROM users WHERE subscribed = 1 AND active = 1",
                (broadcast_id, _iso(now), _now()),
            )
            recipients = max(cursor.rowcount, 0)
            db.execute("UPDATE broadcasts SET recipients = ? WHERE id = ?", (recipients, broadcast_id))
            if recipients == 0:
                db.execute("UPDATE broadcasts SET state = 'done', finished = ? WHERE id = ?", (_now(), broadcast_id))
            return recipients

        return await self.write(write)

    async def enqueue(self, items: Iterable[Queued], broadcast_id: int | None = None, told: Iterable[int] = ()) -> int:
        """Queue messages; one whose key is already queued (or was sent) is skipped. Returns the new ones.

        `told`: rows given up whose notice is among `items`, unflagged in the same transaction."""
        told_rows = [(i,) for i in told]
        rows = [
            (
                broadcast_id,
                item.chat_id,
                item.text,
                item.key,
                _iso(item.not_before),
                None if item.expires is None else _iso(item.expires),
                _now(),
            )
            for item in items
        ]

        def write(db: sqlite3.Connection) -> int:
            db.executemany("UPDATE outbox SET tell_organisers = 0 WHERE id = ?", told_rows)
            added = 0
            for row in rows:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO outbox (broadcast_id, chat_id, text, key, not_before, expires, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                added += max(cursor.rowcount, 0)
            if broadcast_id is not None:
                db.execute(
                    "UPDATE broadcasts SET recipients = recipients + ?, state = 'sending' WHERE id = ?",
                    (added, broadcast_id),
                )
            return added

        return await self.write(write)

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

    async def mark(self, item_id: int, state: str, error: str | None = None, tell: bool = False) -> None:
        """One durable write per send: the row's final state (or 'pending' again). `tell`: a final
        failure the organisers are to hear of. The last error is kept when there is no new one."""

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = COALESCE(?, last_error), "
                "tell_organisers = ?, updated = ? WHERE id = ?",
                (state, error, int(tell), _now(), item_id),
            )

        await self.write(write)

    async def retry_later(self, item_id: int, when: datetime, error: str, expires: datetime | None = None) -> None:
        """Try the row again at `when`; `expires` becomes its deadline if it had none."""

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?, updated = ?, "
                "expires = COALESCE(expires, ?) WHERE id = ?",
                (_iso(when), error, _now(), None if expires is None else _iso(expires), item_id),
            )

        await self.write(write)

    async def untold_failures(self) -> list[tuple[int, str | None]]:
        """Rows given up that the organisers have not heard of: (id, key)."""
        rows = await self._all("SELECT id, key FROM outbox WHERE tell_organisers = 1 ORDER BY id")
        return [(int(str(r[0])), None if r[1] is None else str(r[1])) for r in rows]

    async def outbox_counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self._all(
            "SELECT state, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY state", (broadcast_id,)
        )
        return {str(state): int(str(count)) for state, count in rows}

    async def finish_if_done(self, broadcast_id: int) -> bool:
        """Mark a broadcast done when none of its rows is pending; True the first time."""

        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE broadcasts SET state = 'done', finished = ? WHERE id = ? AND state = 'sending' "
                "AND NOT EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = ? AND state = 'pending')",
                (_now(), broadcast_id, broadcast_id),
            )
            return cursor.rowcount > 0

        return await self.write(write)

    async def finished_broadcasts(self) -> list[int]:
        """Mark done every sending broadcast with nothing left pending; the ids of the done ones
        whose final report has not been given yet (`mark_reported`)."""

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE broadcasts SET state = 'done', finished = ? WHERE state = 'sending' AND NOT EXISTS "
                "(SELECT 1 FROM outbox WHERE broadcast_id = broadcasts.id AND state = 'pending')",
                (_now(),),
            )

        await self.write(write)
        rows = await self._all("SELECT id FROM broadcasts WHERE state = 'done' AND reported IS NULL ORDER BY id")
        return [int(str(r[0])) for r in rows]

    async def mark_reported(self, broadcast_id: int) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute("UPDATE broadcasts SET reported = ? WHERE id = ?", (_now(), broadcast_id))

        await self.write(write)

    async def queued_keys(self, prefix: str) -> set[str]:
        rows = await self._all("SELECT key FROM outbox WHERE key LIKE ?", (prefix.replace("%", "") + "%",))
        return {str(r[0]) for r in rows}

    async def update_reminder(self, chat_id: int, event_id: str, old: str, new: datetime | None) -> None:
        """Move a reminder request to the event's new time, or drop it when the event is gone."""

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "DELETE FROM reminder_requests WHERE chat_id = ? AND event_id = ? AND occurrence = ?",
                (chat_id, event_id, old),
            )
            if new is not None:
                db.execute(
                    "INSERT OR IGNORE INTO reminder_requests (chat_id, event_id, occurrence, created) "
                    "VALUES (?, ?, ?, ?)",
                    (chat_id, event_id, new.isoformat(), _now()),
                )

        await self.write(write)

    # ---- anonymous counts ------------------------------------------------------------------

    async def count(self, day: date, metric: str, key: str = "", by: int = 1) -> None:
        await self.add_counts(day, [(metric, key, by)])

    async def add_counts(self, day: date, rows: Iterable[tuple[str, str, int]]) -> None:
        """Add to several counters in one transaction."""
        values = [(day.isoformat(), metric, key, count) for metric, key, count in rows]

        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT INTO daily_counts (day, metric, key, count) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (day, metric, key) DO UPDATE SET count = count + excluded.count",
                values,
            )

        await self.write(write)

    async def counts_since(self, day: date) -> list[tuple[str, str, str, int]]:
        rows = await self._all(
            "SELECT day, metric, key, count FROM daily_counts WHERE day >= ? ORDER BY day, metric, key",
            (day.isoformat(),),
        )
        return [(str(r[0]), str(r[1]), str(r[2]), int(str(r[3]))) for r in rows]

    # ---- unanswered questions ----------------------------------------------------------------

    async def record_unanswered(self, today: date, text: str, chat_id: int) -> None:
        """Keep an anonymised question for 30 days with a keyed hash of the chat: enough to count
        different people and to find their rows for /forget, and nothing once the key is gone."""

        def write(db: sqlite3.Connection) -> None:
            key = self.asker_keys.current(today)  # may create or retire a key (a file beside the database)
            self._purge_unanswered(db, today)
            db.execute(
                "INSERT INTO unanswered (day, text, asker, key) VALUES (?, ?, ?, ?)",
                (today.isoformat(), text, key.hash(chat_id), key.id),
            )

        await self.write(write)

    async def purge_unanswered(self, today: date) -> None:
        """Delete unanswered questions older than 30 days, and those whose key is gone."""

        def write(db: sqlite3.Connection) -> None:
            self.asker_keys.retire(today)
            self._purge_unanswered(db, today)

        await self.write(write)

    def _purge_unanswered(self, db: sqlite3.Connection, today: date) -> None:
        oldest = (today - timedelta(days=KEEP_UNANSWERED_DAYS)).isoformat()
        live = [key.id for key in self.asker_keys.load()]
        marks = ", ".join("?" * len(live))
        db.execute(f"DELETE FROM unanswered WHERE day < ? OR key NOT IN ({marks})", (oldest, *live))  # noqa: S608

    async def unanswered_since(self, day: date) -> list[tuple[str, str]]:
        rows = await self._all("SELECT text, asker FROM unanswered WHERE day >= ? ORDER BY id", (day.isoformat(),))
        return [(str(r[0]), str(r[1])) for r in rows]

    # ---- updates handled, so that one Telegram delivers again is skipped ---------------------

    async def handled_updates(self) -> set[int]:
        return {int(str(row[0])) for row in await self._all("SELECT update_id FROM handled_updates")}

    async def remember_handled(self, update_id: int, confirmed_below: int) -> None:
        """Keep this update's id; forget those Telegram confirmed (it never sends them again)."""

        def write(db: sqlite3.Connection) -> None:
            db.execute("INSERT OR IGNORE INTO handled_updates (update_id) VALUES (?)", (update_id,))
            db.execute("DELETE FROM handled_updates WHERE update_id < ?", (confirmed_below,))

        await self.write(write)


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
    language: str | None = None  # the organiser's


def _iso(moment: datetime) -> str:
    """UTC, fixed width, so that text comparison in SQL orders times correctly."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
