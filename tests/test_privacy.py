"""Unanswered questions, private for real: only everyday words kept, nothing about a crisis kept, the
hash key outside the database and replaced every 30 days with the rows, /forget finds the rows,
and no log line carries what a user wrote."""

from __future__ import annotations

import logging
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.anonymise import Vocabulary, anonymise, vocabulary
from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.knowledge import KnowledgeBase
from bot.store import MIGRATIONS, Store
from handlers.app import build_application, started
from tests.conftest import NOW
from tests.fakebot import FakeBotApi
from tests.score_anonymise import Measure, measure, measure_net
from tests.telegram_support import TOKEN, settings_for

DAY = date(2024, 3, 1)


@pytest.fixture(scope="module")
def words(assistant: Assistant) -> Vocabulary:
    return vocabulary(assistant.index)


def files_beginning(path: Path, but: Path) -> bytes:
    """The database, its -wal and -shm files: everything SQLite wrote."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p != but)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


@pytest.mark.parametrize(
    ("question", "kept", "removed"),
    [
        ("appointment on 12/03/2024, is that ok", "appointment", ["12", "03", "2024"]),
        ("my interview is on 5th March 2024 at the home office", "interview", ["5th", "March", "2024"]),
        ("rendez-vous le 12 mars, c'est où", "rendez", ["12 mars"]),
        ("my postcode is NR2 4PX where is the food bank", "food bank", ["NR2", "4PX"]),
        ("i live in nr30 1ab near the sea", "live", ["nr30", "1ab"]),
        ("ring me on 07700 900123 or +44 20 7946 0958", "ring", ["07700", "900123", "7946"]),
        ("email amina.k@example.org for the forms", "forms", ["amina", "example"]),
        ("my name is Zubair Nawaz and I need a bike", "bike", ["Zubair", "Nawaz"]),
        ("i came with sarah and mohammed, where can we sleep", "sleep", ["sarah", "mohammed"]),
        ("I came with Grace from Leeds", "Leeds", ["Grace"]),
        ("أنا وأحمد نبحث عن عمل", "عمل", ["وأحمد", "أحمد"]),
        ("اسمي غادة وأحتاج دراجة", "اسمي", ["غادة"]),
        ("من با زهرا و رضا آمدم", "آمدم", ["زهرا", "رضا"]),
        ("я приїхала з Оленою, де знайти роботу", "роботу", ["Оленою"]),
        ("мій чоловік андрій шукає роботу", "роботу", ["андрій"]),
        ("ዳዊት ሓወይ ስራሕ ይደሊ", "ስራሕ", ["ዳዊት"]),
    ],
)
def test_dates_postcodes_contacts_and_names_in_every_script_are_removed(
    words: Vocabulary, question: str, kept: str, removed: list[str]
) -> None:
    clean = anonymise(question, words)
    assert kept in clean, clean
    for part in removed:
        assert part not in clean, clean


def test_a_date_in_words_becomes_one_placeholder(words: Vocabulary) -> None:
    assert anonymise("my interview is on 5th March 2024 at the home office", words) == (
        "my interview is on <date> at the home office"
    )


def test_names_nobody_listed_are_removed_and_everyday_words_kept(words: Vocabulary) -> None:
    """The measured figures (tests/score_anonymise.py) held as floors."""
    result = measure(words)
    floors = {"latin": 0.85, "arabic": 0.8, "cyrillic": 0.95, "ethiopic": 0.95}
    for script, floor in floors.items():
        assert Measure.share(result.held_out_removed[script]) >= floor, (script, result.kept_names[script])
    assert result.listed_removed[0] == result.listed_removed[1], "every listed name is removed"
    assert Measure.share(result.words_kept) >= 0.85, result.lost_words


def test_the_wider_net_withholds_half_the_crises_the_detector_missed_and_few_questions(assistant: Assistant) -> None:
    net = measure_net(assistant)
    assert net.missed and net.withheld >= net.missed / 2
    assert net.unanswered_withheld <= 2 and net.unanswered >= 30


async def test_a_message_with_any_crisis_evidence_is_never_stored(store: Store, assistant: Assistant) -> None:
    chat = ChatService(assistant, store, log_unanswered=True, clock=lambda: NOW)
    for person, text in enumerate(
        [
            "I want to kill myself",  # a crisis
            "there is a bridge near the hotel i keep going there and thinking to jump",  # a safety check
            "i just wana die tbh. cant do this no more, every day the same",  # missed by the detector
        ]
    ):
        await chat.text(Sender(person, person), text)
    assert await store.unanswered_since(date(2000, 1, 1)) == []
    await chat.text(Sender(9, 9), "where can i fix my bike")
    assert [text for text, _ in await store.unanswered_since(date(2000, 1, 1))] == ["where can i fix my bike"]


async def test_the_key_lives_in_a_file_beside_the_database_that_only_the_bot_may_read(
    store: Store, tmp_path: Path
) -> None:
    await store.record_unanswered(DAY, "where can i fix my bike", 1)
    key_file = tmp_path / "bot.sqlite3-unanswered.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    [key] = store.asker_keys.load()
    database = files_beginning(tmp_path / "bot.sqlite3", but=key_file)
    assert key.secret not in database and key.secret.hex().encode() not in database
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "secrets" not in tables


async def test_keys_and_rows_rotate_every_30_days(store: Store) -> None:
    await store.record_unanswered(DAY, "first month", 1)
    [first] = store.asker_keys.load()
    await store.record_unanswered(DAY + timedelta(days=29), "still the first key", 1)
    assert store.asker_keys.load() == [first]
    await store.record_unanswered(DAY + timedelta(days=30), "a new key", 1)
    old, new = store.asker_keys.load()
    assert old == first and new.created == DAY + timedelta(days=30)
    askers = {asker for _, asker in await store.unanswered_since(date(2000, 1, 1))}
    assert len(askers) == 2, "the same person cannot be followed from one key to the next"
    await store.purge_unanswered(DAY + timedelta(days=31))
    assert [text for text, _ in await store.unanswered_since(date(2000, 1, 1))] == [
        "still the first key",
        "a new key",
    ], "the row of day 0 is more than 30 days old: deleted"
    await store.purge_unanswered(DAY + timedelta(days=60))
    assert store.asker_keys.load() == [new], "the first key is destroyed with the last of its rows"
    assert [text for text, _ in await store.unanswered_since(date(2000, 1, 1))] == ["a new key"]


async def test_forget_removes_that_persons_unanswered_questions_under_every_key(store: Store) -> None:
    await store.record_unanswered(DAY, "asked by one", 1)
    await store.record_unanswered(DAY + timedelta(days=30), "asked by one, new key", 1)
    await store.record_unanswered(DAY + timedelta(days=30), "asked by two", 2)
    assert len(store.asker_keys.load()) == 2
    assert await store.forget(1) == 2
    assert [text for text, _ in await store.unanswered_since(date(2000, 1, 1))] == ["asked by two"]


async def test_rows_whose_key_is_lost_are_deleted_as_nobody_could_forget_them(store: Store) -> None:
    await store.record_unanswered(DAY, "asked before the key was lost", 1)
    store.asker_keys.path.unlink()
    await store.record_unanswered(DAY, "asked after", 2)
    assert [text for text, _ in await store.unanswered_since(date(2000, 1, 1))] == ["asked after"]


async def test_forget_through_the_chat_removes_the_unanswered_rows(store: Store, assistant: Assistant) -> None:
    chat = ChatService(assistant, store, log_unanswered=True, clock=lambda: NOW)
    await chat.text(Sender(1, 1), "where can i fix my bike")
    await chat.text(Sender(2, 2), "where can i fix my bike")
    assert "deleted everything" in (await chat.forget(Sender(1, 1))).text
    assert len(await store.unanswered_since(date(2000, 1, 1))) == 1


async def test_a_database_of_schema_3_loses_its_in_database_key_and_old_rows_and_keeps_users(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path, isolation_level=None) as db:
        for number, script in enumerate(MIGRATIONS[:3], start=1):
            db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        db.execute("INSERT INTO users (chat_id, language, subscribed, created) VALUES (7, 'fa', 1, 'x')")
        db.execute("INSERT INTO unanswered (day, text, asker) VALUES ('2024-03-01', 'I want to die', 'abc')")
        db.execute("INSERT INTO secrets (name, value, created) VALUES ('asker-key', x'00', '2024-03-01')")
    db.close()
    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.subscribers() == [(7, "fa")]
        assert await store.unanswered_since(date(2000, 1, 1)) == []
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'secrets'").fetchone() == (0,)


async def test_no_log_line_carries_what_a_user_wrote(
    kb: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)  # the bot's level
    for ours in ("bot", "handlers", "sanctuary"):
        caplog.set_level(logging.DEBUG, logger=ours)
    secret = "Zubairquux"
    original = ChatService.text

    async def failing(self: ChatService, who: Sender, text: str) -> object:
        if "crash" in text:
            raise ValueError(f"cannot handle {text!r}")  # a bug whose message quotes the user
        return await original(self, who, text)

    monkeypatch.setattr(ChatService, "text", failing)
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path, BOT_LOG_UNANSWERED="1"), kb, clock=lambda: NOW)
        async with started(app):
            api.user_text(31, f"where can {secret} fix a bike")
            api.user_text(32, f"crash {secret} now")
            api.user_command(33, "/broadcast", secret)
            await api.wait_for_sent(1, chat_id=31)
            [apology] = await api.wait_for_sent(1, chat_id=32)
            await api.wait_for_sent(1, chat_id=33)
    assert "Sorry" in apology["text"]
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "ValueError" in logged, "the error is logged, by type and place"
    assert secret.lower() not in logged.lower()
