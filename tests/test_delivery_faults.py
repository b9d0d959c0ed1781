"""Replies through Telegram's bad minutes: the real PTB Application against a fake Bot API that fails.

Durations are compressed: BOT_SEND_RETRY_SECONDS of a few seconds instead of 120 and outages of a
second instead of ten; the pauses between tries shrink in proportion (handlers/sending.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.knowledge import KnowledgeBase
from handlers.app import build_application, started
from handlers.sending import Patience, pause_before_retry
from tests.conftest import NOW
from tests.fakebot import FakeBotApi
from tests.telegram_support import TOKEN, settings_for

SORRY = "Sorry, something went wrong"
USERS = range(1001, 1021)  # twenty people


async def settle(seconds: float) -> None:
    """Give a wrong second message (a resend, an apology) the time to show up."""
    await asyncio.sleep(seconds)


@pytest.mark.parametrize("kind", ["500", "drop"])
async def test_twenty_people_asking_during_an_outage_each_get_their_answer_once_after_it(
    kb: KnowledgeBase, tmp_path: Path, kind: str
) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_SEND_RETRY_SECONDS="8", BOT_SEND_RATE="30")
        app = build_application(settings, kb, clock=lambda: NOW)
        async with started(app):
            api.outage(1.0, kind)
            outage_ends = asyncio.get_running_loop().time() + 1.0
            for chat in USERS:
                api.user_text(chat, "where is a food bank?")
            await api.wait_for_sent(len(USERS), timeout=10)
            answered = asyncio.get_running_loop().time()
            await settle(0.5)
        failed = api.outage_errors if kind == "500" else api.dropped
    assert failed >= len(USERS), "every first try met the outage"
    for chat in USERS:
        [answer] = api.sent_texts(chat)
        assert SORRY not in answer and "food" in answer.lower()
    assert answered - outage_ends < 2.0, "back within the longest pause (1 s for 8 s of patience) and some"


async def test_a_slow_telegram_gets_each_answer_once_and_no_apology(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Telegram answering after the client's read time-out: the message arrived, so it is neither
    sent again nor followed by "Sorry"."""
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_READ_TIMEOUT="0.2", BOT_SEND_RETRY_SECONDS="8")
        app = build_application(settings, kb, clock=lambda: NOW)
        async with started(app):
            api.delay_seconds = 0.6
            for chat in USERS[:5]:
                api.user_text(chat, "where is a food bank?")
            await api.wait_for_sent(5, timeout=10)
            await settle(1.0)  # an apology sent after the time-out would arrive in this time
            api.delay_seconds = 0
    assert len(api.calls_to("sendMessage")) == 5, "nothing sent twice"
    for chat in USERS[:5]:
        [answer] = api.sent_texts(chat)
        assert SORRY not in answer and "food" in answer.lower()


async def test_a_reply_gives_up_after_its_patience_and_the_bot_serves_on(kb: KnowledgeBase, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as api:
        app = build_application(settings_for(api, tmp_path, BOT_SEND_RETRY_SECONDS="1"), kb, clock=lambda: NOW)
        async with started(app):
            api.outage(2.0, "500", methods=["sendMessage"])
            api.user_text(31, "food bank")
            await asyncio.sleep(1.5)
            tries = api.outage_errors
            await asyncio.sleep(0.6)  # the outage is over
            api.user_text(32, "food bank")
            [answer] = await api.wait_for_sent(1, chat_id=32)
    assert tries >= 3, "retried"
    assert api.outage_errors == tries, "and stopped after about a second, before the outage ended"
    assert api.sent(31) == [], "no apology sent into the outage either"
    assert "food" in answer["text"].lower()


async def test_a_429_is_retried_by_one_layer_only(kb: KnowledgeBase, tmp_path: Path) -> None:
    """With the rate limiter on, a 429 asking for longer than the reply's patience is not waited
    out by the limiter behind the reply's back: one try, then the reply gives up."""
    async with FakeBotApi(token=TOKEN) as api:
        settings = settings_for(api, tmp_path, BOT_SEND_RATE="30", BOT_SEND_RETRY_SECONDS="0.5")
        app = build_application(settings, kb, clock=lambda: NOW)
        async with started(app):
            api.fail_next("sendMessage", 429, retry_after=1, chat_id=33)
            api.user_text(33, "food bank")
            await api.wait_until(lambda: api.too_many_requests == 1, what="the 429")
            await settle(1.3)  # the limiter would have tried again after 1.1 s
    assert len(api.calls_to("sendMessage")) == 1


def test_the_pauses_grow_with_jitter_up_to_a_cap_in_proportion_to_the_patience() -> None:
    real, test = Patience(120), Patience(8)
    assert [real.pause(n, lambda: 0.0) for n in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 7.5, 7.5]
    assert [real.pause(n, lambda: 1.0) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
    assert test.first == 0.2 and test.longest == 1.0


def caused(error: TimedOut, cause: Exception) -> TimedOut:
    """A TimedOut as PTB raises it: `raise TimedOut from <the httpx time-out>`."""
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (NetworkError("Internal Server Error"), True),  # a 5xx
        (NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response."), True),
        (caused(TimedOut("Pool timeout: ... Request was *not* sent"), httpx.PoolTimeout("pool")), True),
        (caused(TimedOut(), httpx.ConnectTimeout("connect")), True),  # never reached Telegram
        (caused(TimedOut(), httpx.ReadTimeout("read")), False),  # Telegram has it and may have sent it
        (BadRequest("Bad Request: chat not found"), False),
        (RetryAfter(3), True),
    ],
)
def test_what_is_retried(error: NetworkError, retried: bool) -> None:
    assert (pause_before_retry(error, 0, Patience()) is not None) == retried
