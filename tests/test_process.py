"""The bot as a real process: it starts on a token, answers, stops cleanly on SIGTERM, never logs the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fakebot import FakeBotApi
from tests.telegram_support import TOKEN

ROOT = Path(__file__).resolve().parent.parent


async def test_sigterm_shuts_down_cleanly_and_the_log_has_no_token(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.base_url,
            "BOT_DB_PATH": str(tmp_path / "db" / "bot.sqlite3"),
            "NO_PROXY": "127.0.0.1,localhost",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "run_bot.py"),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await api.wait_until(lambda: api.calls_to("getUpdates"), timeout=20, what="the bot to poll")
            api.user_text(5, "food bank in norwich")
            await api.wait_for_sent(1, chat_id=5, timeout=10)
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "database closed" in log
    assert "Traceback" not in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert (tmp_path / "db" / "bot.sqlite3").exists()


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
