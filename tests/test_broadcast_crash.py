"""A broadcast survives SIGKILL: the real bot process killed a third of the way, then restarted."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

from bot.store import Store
from tests.fakebot import FakeBotApi
from tests.telegram_support import ADMIN, TOKEN, bot_process, buttons

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = list(range(10_000, 10_300))
BLOCKED = SUBSCRIBERS[7]


async def start_bot(api: FakeBotApi, db: Path, workdir: Path) -> asyncio.subprocess.Process:
    return await bot_process(api, workdir, BOT_DB_PATH=str(db), BOT_ADMIN_IDS=str(ADMIN), BOT_BROADCAST_RATE="30")


def deliveries(api: FakeBotApi) -> Counter[int]:
    return Counter(int(p["chat_id"]) for p in api.sent() if int(p["chat_id"]) in SUBSCRIBERS)


async def test_a_broadcast_killed_a_third_of_the_way_loses_nobody(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    store = await Store.open(db)
    for chat in SUBSCRIBERS:
        await store.subscribe(chat, "en")
    await store.close()

    async with FakeBotApi(token=TOKEN) as api:
        api.block_chat(BLOCKED)
        first = await start_bot(api, db, tmp_path)
        try:
            await api.wait_until(lambda: api.calls_to("getUpdates"), timeout=20, what="the first run to poll")
            api.user_command(ADMIN, "/broadcast", "The drop-in moves to Thursday this week.")
            [preview] = await api.wait_for_sent(1, chat_id=ADMIN, timeout=10)
            assert "300 subscribers" in preview["text"]
            api.user_callback(ADMIN, next(b for b in buttons(preview) if b.startswith("bc:send:")))
            try:
                await api.wait_until(lambda: sum(deliveries(api).values()) >= 100, timeout=30, what="a third sent")
            except AssertionError:
                first.kill()
                _, err = await first.communicate()
                raise AssertionError(err.decode()[-3000:]) from None
            first.send_signal(signal.SIGKILL)
            await first.wait()
        finally:
            if first.returncode is None:
                first.kill()
        at_kill = sum(deliveries(api).values())
        assert at_kill < 250, "the kill came a third of the way, not at the end"

        second = await start_bot(api, db, tmp_path)
        try:
            expected = [c for c in SUBSCRIBERS if c != BLOCKED]
            await api.wait_until(
                lambda: all(deliveries(api)[c] for c in expected), timeout=40, what="everyone after the restart"
            )
            await api.wait_until(
                lambda: any("finished" in e.get("text", "") for e in api.edits), timeout=10, what="the report"
            )
            second.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(second.communicate(), 20)
        finally:
            if second.returncode is None:
                second.kill()

    counts = deliveries(api)
    assert all(counts[c] >= 1 for c in expected), "nobody is lost"
    assert sum(n - 1 for n in counts.values() if n > 1) <= 1, "at most the message in flight repeats"
    assert counts[BLOCKED] == 0
    report = next(e["text"] for e in api.edits if "finished" in e.get("text", ""))
    assert "1 blocked" in report
    assert api.too_many_requests <= 5
    assert TOKEN not in stderr.decode()
    store = await Store.open(db)
    try:
        assert BLOCKED not in [c for c, _ in await store.subscribers()]
    finally:
        await store.close()
