"""Start-up through the real process: a database it cannot write stops it with one sentence (exit 2);
a broken YAML file does not, while a good version was ever seen (the bot starts on that one, logs
file:line and tells organisers); with no good version ever, one sentence and exit 2."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.index_cache import knowledge_for_start
from tests.conftest import MINI, Editable
from tests.fakebot import FakeBotApi
from tests.filesystem import read_only
from tests.telegram_support import ADMIN, ROOT, TOKEN, bot_process, stop


async def start_and_fail(workdir: Path, **env: str) -> tuple[int | None, str]:
    """`python run_bot.py` that must stop at start-up: its exit code and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_bot.py"),
        cwd=workdir,
        env={**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:9/bot", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, (out + err).decode().strip()


def not_a_database(path: Path) -> None:
    path.write_text("these are someone's notes, not a database\n")


def under_a_file(path: Path) -> Path:
    path.write_text("a file where a folder should be\n")
    return path / "bot.sqlite3"


@pytest.mark.parametrize(
    ("prepare", "says"),
    [
        (not_a_database, "is not a SQLite database"),
        (under_a_file, "is a file, not a folder"),
    ],
)
async def test_a_database_it_cannot_use_is_one_sentence_and_exit_2(
    tmp_path: Path, prepare: Callable[[Path], Path | None], says: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    db_path = prepare(path) or path
    code, output = await start_and_fail(tmp_path, BOT_DB_PATH=str(db_path))
    assert code == 2, output
    assert len(output.splitlines()) == 1 and "Traceback" not in output
    assert says in output and str(path) in output


async def test_a_read_only_database_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    sqlite3.connect(path).close()
    with read_only(path):
        code, output = await start_and_fail(tmp_path, BOT_DB_PATH=str(path))
    assert code == 2 and len(output.splitlines()) == 1 and "Traceback" not in output
    assert str(path) in output and "read-only" in output


async def test_a_folder_it_cannot_create_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        code, output = await start_and_fail(tmp_path, BOT_DB_PATH=str(locked / "data" / "bot.sqlite3"))
    assert code == 2 and len(output.splitlines()) == 1 and "Traceback" not in output
    assert str(locked) in output and "not writable" in output


@pytest.fixture
def broken(editable: Editable) -> tuple[Editable, int]:
    """The mini knowledge base with a phone number a volunteer mistyped; the line of the mistake."""
    editable.replace("organisations.yaml", "phone: 01603 000000", "phone: twelve")
    return editable, editable.line_of("organisations.yaml", "phone: twelve")


async def test_a_broken_file_starts_on_the_last_good_version_and_tells_organisers(
    tmp_path: Path, editable: Editable
) -> None:
    cache = tmp_path / "cache"
    good, problems = knowledge_for_start(editable.path, cache)  # the bot ran on these files once
    assert good is not None and problems == []
    editable.replace("organisations.yaml", "phone: 01603 000000", "phone: twelve")
    line = editable.line_of("organisations.yaml", "phone: twelve")
    async with FakeBotApi(token=TOKEN) as api:
        process = await bot_process(
            api,
            tmp_path,
            BOT_KNOWLEDGE_DIR=str(editable.path),
            BOT_CACHE_DIR=str(cache),
            BOT_ADMIN_IDS=str(ADMIN),
            BOT_DB_PATH=str(tmp_path / "bot.sqlite3"),
        )
        try:
            [notice] = await api.wait_for_sent(1, chat_id=ADMIN, timeout=30)
            api.user_text(5, "free food parcels")
            [answer] = await api.wait_for_sent(1, chat_id=5, timeout=10)
        finally:
            log = await stop(process)
    assert process.returncode == 0, log
    assert "last good version" in notice["text"] and f"organisations.yaml:{line}:" in notice["text"]
    assert "Pantry" in answer["text"], "the last good version answers"
    assert f"organisations.yaml:{line}:" in log and "Traceback" not in log


async def test_a_broken_file_with_no_good_version_ever_is_one_sentence_and_exit_2(
    tmp_path: Path, broken: tuple[Editable, int]
) -> None:
    editable, line = broken
    code, output = await start_and_fail(
        tmp_path, BOT_KNOWLEDGE_DIR=str(editable.path), BOT_CACHE_DIR=str(tmp_path / "empty-cache")
    )
    assert code == 2, output
    assert len(output.splitlines()) == 1 and "Traceback" not in output
    assert f"organisations.yaml:{line}:" in output and "no earlier version" in output


def test_the_last_good_version_is_the_newest_valid_one(tmp_path: Path) -> None:
    knowledge, cache = tmp_path / "knowledge", tmp_path / "cache"
    shutil.copytree(MINI, knowledge)
    editable = Editable(knowledge)
    first, _ = knowledge_for_start(knowledge, cache)
    editable.replace("organisations.yaml", "name: Yarmouth Advice Hub", "name: Yarmouth Welcome Hub")
    second, _ = knowledge_for_start(knowledge, cache)
    editable.replace("organisations.yaml", "phone: 01603 000000", "phone: twelve")
    started, problems = knowledge_for_start(knowledge, cache)
    assert first is not None and second is not None and started is not None
    assert started.version == second.version != first.version
    assert problems and all(p.file == "organisations.yaml" for p in problems)
    assert len(list(cache.glob("good-*"))) == 1, "only the newest good version is kept"
