"""The bot as a real process: it starts on a token, answers, stops cleanly on SIGTERM, never logs the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.fakebot import FakeBotApi
from tests.telegram_support import TOKEN, bot_process

ROOT = Path(__file__).resolve().parent.parent


async def test_the_bot_process_serves_users_and_stops_cleanly_without_logging_the_token(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        process = await bot_process(api, tmp_path, BOT_DB_PATH=str(tmp_path / "db" / "bot.sqlite3"))
        try:
            await api.wait_until(lambda: api.calls_to("getUpdates"), timeout=20, what="the bot to poll")
            started = asyncio.get_running_loop().time()
            api.user_command(5, "/start")
            [welcome] = await api.wait_for_sent(1, chat_id=5, timeout=10)
            start_seconds = asyncio.get_running_loop().time() - started
            api.user_text(5, "where can I find help in great yarmouth?")
            api.user_text(5, "help " * 1000)  # 5,000 characters
            api.user_command(5, "/broadcast", "hello all")
            api.user_command(5, "/subscribe")
            api.user_command(5, "/forget")
            sent = await api.wait_for_sent(6, chat_id=5, timeout=10)
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "need:food" in str(welcome.get("reply_markup")) and start_seconds < 2
    assert "GYROS" in sent[1]["text"] and "0333 996 8333" in sent[1]["text"]  # no own contacts: a person to call
    assert sent[2]["text"]  # the long message got an answer
    assert "only the bot's organisers" in sent[3]["text"]
    assert "deleted everything" in sent[5]["text"]
    assert "database closed" in log
    assert "Traceback" not in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    with sqlite3.connect(tmp_path / "db" / "bot.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM users WHERE chat_id = 5").fetchone() == (0,)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_ADMIN_IDS": "alice"}, "BOT_ADMIN_IDS"),
    ],
)
async def test_a_bad_setting_stops_start_up_with_one_sentence(tmp_path: Path, env: dict[str, str], named: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_bot.py"),
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    message = stderr.decode().strip()
    assert process.returncode == 2
    assert named in message and "Traceback" not in message
    assert len(message.splitlines()) == 1
