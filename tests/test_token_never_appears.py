"""The token never appears: not when Telegram rejects it, not in a traceback, not in anything printed."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakebot import FakeBotApi
from tests.telegram_support import ROOT, TOKEN, bot_process

WRONG = "777777:WRONG-token-of-the-right-shape-xyz"


async def test_a_rejected_token_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:  # any other token of the right shape gets 401
        process = await bot_process(api, tmp_path, TELEGRAM_BOT_TOKEN=WRONG)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert stderr.decode().strip() == "Telegram rejected the token: check TELEGRAM_BOT_TOKEN"


async def test_a_token_revoked_while_running_stops_the_bot_with_exit_2(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        process = await bot_process(api, tmp_path)
        try:
            await api.wait_until(lambda: api.calls_to("getUpdates"), timeout=30, what="the bot to poll")
            api.token = "888888:ANOTHER-token-after-a-revoke-xyz"  # @BotFather's /revoke
            api.user_text(5, "food bank")  # ends the long poll; the next one gets 401
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
    log = stderr.decode()
    assert process.returncode == 2
    assert log.strip().splitlines()[-1] == "Telegram rejected the token: check TELEGRAM_BOT_TOKEN"
    assert "Traceback" not in log, "the message in flight is given up in one line, without an apology"
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


PROGRAM = f"""
import logging, sys, warnings
from bot.logsafe import setup_logging
setup_logging({TOKEN!r})
print("printed:", {TOKEN!r})
print("in pieces:", {TOKEN[:10]!r}, end="")
print({TOKEN[10:]!r})
warnings.warn("warned: " + {TOKEN!r})
try:
    raise ValueError("caught: " + {TOKEN!r})
except ValueError:
    logging.getLogger("x").exception("logged with its traceback")
raise RuntimeError("uncaught: https://api.telegram.org/bot" + {TOKEN!r} + "/getMe")
"""


async def test_prints_warnings_and_uncaught_tracebacks_are_redacted_in_a_real_process() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROGRAM,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    stdout, stderr = out.decode(), err.decode()
    assert process.returncode == 1
    assert "printed: <redacted>" in stdout and "in pieces: <redacted>" in stdout
    assert "warned: <redacted>" in stderr and "caught: <redacted>" in stderr
    assert "Traceback" in stderr and "uncaught: https://api.telegram.org/bot<redacted>/getMe" in stderr
    for secret in (TOKEN, TOKEN.split(":")[1]):
        assert secret not in stdout and secret not in stderr


async def test_telegram_unreachable_at_start_up_is_waited_for_without_a_traceback(tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        api.outage(4, "drop", methods=["getMe"])  # the connection is closed before Telegram reads it
        process = await bot_process(api, tmp_path)
        try:
            await api.wait_until(lambda: api.calls_to("getUpdates"), timeout=30, what="the bot to poll")
            api.user_text(5, "food bank")
            await api.wait_for_sent(1, chat_id=5, timeout=10)
            process.terminate()
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Telegram cannot be reached" in log
    assert "Traceback" not in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
