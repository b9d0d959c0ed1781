"""Shared pieces of the end-to-end tests: settings pointing PTB at the fake, reading buttons."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests.fakebot import FakeBotApi

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
TOKEN = "424242:TEST-token-that-must-never-be-logged"
ADMIN = 99
ROOT = Path(__file__).resolve().parent.parent


def settings_for(api: FakeBotApi, tmp_path: Path, **env: str) -> Settings:
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "BOT_DB_PATH": str(tmp_path / "data" / "bot.sqlite3"),
        "BOT_ADMIN_IDS": str(ADMIN),
        "BOT_SEND_RATE": "0",
        **env,
    }
    return Settings.from_env(values, dotenv=None)


async def bot_process(api: FakeBotApi, workdir: Path, **env: str) -> asyncio.subprocess.Process:
    """`python run_bot.py` as a real process, on the fake Bot API; stderr is piped for its log."""
    values = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "NO_PROXY": "127.0.0.1,localhost",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "run_bot.py"),
        cwd=workdir,
        env=values,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


def buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def stop(process: asyncio.subprocess.Process, timeout: float = 20) -> str:  # noqa: ASYNC109
    """SIGTERM, as systemd stops the bot; its log (stderr) once it exited. Killed if it hangs."""
    try:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout)
    finally:
        if process.returncode is None:
            process.kill()
    return stderr.decode()
