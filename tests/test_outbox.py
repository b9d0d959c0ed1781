"""The durable outbox: each recipient once, errors handled, a crash half-way loses nobody."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.outbox import Ambiguous, Backoff, Blocked, OutboxSender, Permanent, RateLimited, Transient
from bot.store import Queued, Store

NOW = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
ROOT = str(Path(__file__).resolve().parent.parent)
NO_PAUSE = Backoff(first=0.001, cap=0.001, jitter=0)  # the sender's pause, in real time: tests never wait


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


async def subscribe(store: Store, count: int) -> list[int]:
    ids = list(range(1000, 1000 + count))
    for chat in ids:
        await store.subscribe(chat, "en")
    return ids


class Recorder:
    """A send function that records deliveries and raises what it is told to, per chat."""

    def __init__(self) -> None:
        self.delivered: list[int] = []
        self.errors: dict[int, list[Exception]] = {}

    async def __call__(self, chat_id: int, text: str) -> None:
        queue = self.errors.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.delivered.append(chat_id)


async def broadcast(store: Store, text: str = "Food bank closed Monday") -> int:
    draft = await store.create_draft("broadcast", text, created_by=1)
    assert await store.start_broadcast(draft, progress_message=None, now=NOW) is not None
    return draft


async def test_every_subscriber_gets_the_broadcast_once(store: Store) -> None:
    chats = await subscribe(store, 30)
    draft = await broadcast(store)
    send = Recorder()
    sender = OutboxSender(store, send, rate=1000, clock=lambda: NOW)
    assert await sender.drain() == 30
    assert sorted(send.delivered) == chats
    assert await sender.drain() == 0  # nothing left; nothing twice
    b = await store.broadcast(draft)
    assert b is not None and b.state == "done" and b.counts == {"sent": 30}


async def test_send_tapped_twice_queues_once(store: Store) -> None:
    await subscribe(store, 3)
    draft = await broadcast(store)
    assert await store.start_broadcast(draft, None, NOW) is None


async def test_blocked_users_are_unsubscribed_and_the_broadcast_goes_on(store: Store) -> None:
    chats = await subscribe(store, 5)
    draft = await broadcast(store)
    send = Recorder()
    send.errors[chats[1]] = [Blocked("Forbidden: bot was blocked by the user")]
    sender = OutboxSender(store, send, rate=1000, clock=lambda: NOW, on_blocked=store.mark_blocked)
    await sender.drain()
    assert sorted(send.delivered) == [c for c in chats if c != chats[1]]
    assert (await store.broadcast(draft)).counts == {"sent": 4, "blocked": 1}  # type: ignore[union-attr]
    assert chats[1] not in [c for c, _ in await store.subscribers()]


async def test_a_429_waits_as_asked_and_the_same_message_is_sent(store: Store) -> None:
    chats = await subscribe(store, 3)
    await broadcast(store)
    send = Recorder()
    send.errors[chats[0]] = [RateLimited(0.2)]
    sender = OutboxSender(store, send, rate=1000, clock=lambda: NOW)
    started = time.monotonic()
    await sender.drain()
    assert time.monotonic() - started >= 0.2
    assert sorted(send.delivered) == chats
    assert sender.rate_limited == 1


async def test_a_timeout_after_sending_is_ambiguous_and_never_resent(store: Store) -> None:
    chats = await subscribe(store, 2)
    draft = await broadcast(store)
    send = Recorder()
    send.errors[chats[0]] = [Ambiguous("Timed out")]
    sender = OutboxSender(store, send, rate=1000, clock=lambda: NOW, pause=NO_PAUSE)
    await sender.drain()
    await sender.drain()
    assert send.delivered == [chats[1]]
    assert (await store.broadcast(draft)).counts == {"sent": 1, "ambiguous": 1}  # type: ignore[union-attr]


async def test_the_broadcast_list_counts_may_have_arrived_apart_from_failures(
    store: Store, assistant: Assistant
) -> None:
    chats = await subscribe(store, 2)
    await broadcast(store)
    send = Recorder()
    send.errors[chats[0]] = [Ambiguous("Timed out")]
    await OutboxSender(store, send, rate=1000, clock=lambda: NOW, pause=NO_PAUSE).drain()
    listing = (await ChatService(assistant, store, admin_ids=frozenset({1})).broadcasts(Sender(1, 1))).text
    assert "1 of 2 delivered, 0 blocked, 0 failed" in listing
    assert "1 may have arrived" in listing


async def test_connection_errors_are_retried_with_growing_delays_for_a_day_then_given_up(store: Store) -> None:
    chats = await subscribe(store, 2)
    draft = await broadcast(store)
    send = Recorder()
    send.errors[chats[0]] = [Transient("connect failed")]
    send.errors[chats[1]] = [Transient("down")] * 1000
    clock = [NOW]
    backoff = Backoff(first=60, cap=3600, jitter=0)
    sender = OutboxSender(store, send, rate=1000, clock=lambda: clock[0], backoff=backoff, pause=NO_PAUSE)
    waits: list[float] = []
    await sender.drain()
    while (due := await next_try(store, chats[1])) is not None:
        waits.append((due - clock[0]).total_seconds())
        clock[0] = due
        await sender.drain()
    assert send.delivered == [chats[0]], "the first one went on its second try, the other never"
    assert waits[:7] == [60, 120, 240, 480, 960, 1920, 3600], "seconds, doubling, up to an hour"
    assert set(waits[7:-1]) == {3600}
    assert sum(waits) == 24 * 3600, "tried for 24 hours after the first failure, then given up"
    assert (await store.broadcast(draft)).counts == {"sent": 1, "expired": 1}  # type: ignore[union-attr]
    assert await store.untold_failures() == [], "a broadcast's failures are in its report, not a notice"


async def next_try(store: Store, chat_id: int) -> datetime | None:
    """When the pending row for this chat is tried next, or None when there is none."""
    rows = await store._all("SELECT not_before FROM outbox WHERE chat_id = ? AND state = 'pending'", (chat_id,))
    return datetime.fromisoformat(str(rows[0][0])).replace(tzinfo=UTC) if rows else None


def test_the_backoff_grows_from_seconds_to_an_hour_with_jitter() -> None:
    schedule = Backoff()
    assert [schedule.delay(n, draw=lambda: 0.0) for n in range(1, 14)] == [
        2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600,
    ]  # fmt: skip
    assert schedule.delay(10_000, draw=lambda: 0.0) == 3600, "no overflow however long the outage"
    assert schedule.delay(3, draw=lambda: 1.0) == 4, "jitter takes up to half off"
    drawn = {schedule.delay(5) for _ in range(50)}
    assert len(drawn) > 40 and all(16 <= d <= 32 for d in drawn), "messages failed together come back apart"


async def test_a_reminder_is_retried_until_its_event_starts_then_flagged_for_the_organisers(store: Store) -> None:
    key = "two-hours:7:tuesday-cafe:2024-02-01T14:00:00+00:00"
    await store.enqueue([Queued(7, "Reminder", NOW, key=key, expires=NOW + timedelta(minutes=10))])
    send = Recorder()
    send.errors[7] = [Transient("Internal Server Error")] * 1000
    clock = [NOW]
    backoff = Backoff(first=240, jitter=0)
    sender = OutboxSender(store, send, rate=1000, clock=lambda: clock[0], backoff=backoff, pause=NO_PAUSE)
    tries = []
    while (due := await next_try(store, 7)) is not None:
        clock[0] = due
        tries.append(due - NOW)
        await sender.drain()
    assert tries == [timedelta(0), timedelta(minutes=4), timedelta(minutes=10)], "the last at the start: given up"
    assert len(send.errors[7]) == 1000 - 2, "tried twice; never at or after the start"
    [(_, told_key)] = await store.untold_failures()
    assert told_key == key


async def test_while_sends_fail_the_sender_pauses_instead_of_trying_everyone(store: Store) -> None:
    chats = await subscribe(store, 50)
    draft = await broadcast(store)
    up_at = time.monotonic() + 0.8
    failed: list[int] = []
    delivered: list[int] = []

    async def send(chat_id: int, text: str) -> None:
        if time.monotonic() < up_at:
            failed.append(chat_id)
            raise Transient("Internal Server Error")
        delivered.append(chat_id)

    started = time.monotonic()
    pause = Backoff(first=0.05, cap=0.2, jitter=0)
    sender = OutboxSender(
        store, send, rate=1000, clock=lambda: NOW + timedelta(seconds=time.monotonic() - started),
        backoff=Backoff(first=0.01, cap=0.01, jitter=0), pause=pause,
    )  # fmt: skip
    while (await store.broadcast(draft)).state != "done":  # type: ignore[union-attr]
        await sender.drain()
        await asyncio.sleep(0.05)
    assert sorted(delivered) == chats, "all 50 after the outage, once each"
    assert 3 <= len(failed) <= 10, f"one probe at a time while Telegram is down, not 50 a round: {len(failed)}"


async def test_a_report_that_could_not_be_given_is_given_at_the_next_drain_and_once(store: Store) -> None:
    await subscribe(store, 2)
    draft = await broadcast(store)
    reports: list[int] = []

    async def broken(broadcast_id: int, finished: bool) -> None:
        raise RuntimeError("database is locked")

    async def working(broadcast_id: int, finished: bool) -> None:
        if finished:
            reports.append(broadcast_id)

    await OutboxSender(store, Recorder(), rate=1000, clock=lambda: NOW, progress=broken).drain()
    assert (await store.broadcast(draft)).state == "done"  # type: ignore[union-attr]
    restarted = OutboxSender(store, Recorder(), rate=1000, clock=lambda: NOW, progress=working)
    await restarted.drain()
    await restarted.drain()
    await OutboxSender(store, Recorder(), rate=1000, clock=lambda: NOW, progress=working).drain()
    assert reports == [draft], "the report after the restart, and only once"


async def test_a_refused_message_fails_alone(store: Store) -> None:
    chats = await subscribe(store, 2)
    await broadcast(store)
    send = Recorder()
    send.errors[chats[0]] = [Permanent("Bad Request: message is too long")]
    await OutboxSender(store, send, rate=1000, clock=lambda: NOW).drain()
    assert send.delivered == [chats[1]]


async def test_reminders_are_queued_once_per_key_and_expire(store: Store) -> None:
    item = Queued(7, "Reminder", NOW, key="two-hours:7:event:2024-02-01T14:00", expires=NOW + timedelta(hours=2))
    assert await store.enqueue([item]) == 1
    assert await store.enqueue([item]) == 0
    send = Recorder()
    late = OutboxSender(store, send, rate=1000, clock=lambda: NOW + timedelta(hours=3))
    assert await late.drain() == 0
    assert send.delivered == []
    assert await store.enqueue([item]) == 0  # an expired key is still not queued again


async def test_not_before_is_respected(store: Store) -> None:
    await store.enqueue([Queued(8, "later", NOW + timedelta(hours=1), key="k")])
    send = Recorder()
    assert await OutboxSender(store, send, rate=1000, clock=lambda: NOW).drain() == 0
    assert await OutboxSender(store, send, rate=1000, clock=lambda: NOW + timedelta(hours=2)).drain() == 1


async def test_the_rate_is_kept(store: Store) -> None:
    await subscribe(store, 21)
    await broadcast(store)
    started = time.monotonic()
    await OutboxSender(store, Recorder(), rate=50, clock=lambda: NOW).drain()
    assert time.monotonic() - started >= 20 / 50  # 21 messages need 20 intervals at least


async def test_forget_removes_queued_messages(store: Store) -> None:
    chats = await subscribe(store, 2)
    await broadcast(store)
    await store.forget(chats[0])
    send = Recorder()
    await OutboxSender(store, send, rate=1000, clock=lambda: NOW).drain()
    assert send.delivered == [chats[1]]


CRASHING_SENDER = """
import asyncio, json, os, sys
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[3])
from bot.outbox import OutboxSender
from bot.store import Store

async def main():
    store = await Store.open(sys.argv[1])
    log = open(sys.argv[2], "a")
    count = 0
    async def send(chat_id, text):
        nonlocal count
        log.write(json.dumps(chat_id) + "\\n"); log.flush(); os.fsync(log.fileno())
        count += 1
        if count == 4:
            os._exit(9)  # killed after the 4th delivery, before it is marked sent
    await OutboxSender(store, send, rate=1000, clock=lambda: datetime(2024, 2, 1, 12, tzinfo=UTC)).drain()

asyncio.run(main())
"""


async def test_a_crash_half_way_loses_nobody_and_repeats_at_most_the_one_in_flight(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    store = await Store.open(db)
    chats = await subscribe(store, 10)
    draft = await broadcast(store)
    await store.close()
    deliveries = tmp_path / "deliveries.jsonl"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_SENDER, str(db), str(deliveries), ROOT
    )
    assert await asyncio.wait_for(process.wait(), 60) == 9

    store = await Store.open(db)  # the restart
    try:
        send = Recorder()
        await OutboxSender(store, send, rate=1000, clock=lambda: NOW).drain()
        before = [json.loads(line) for line in deliveries.read_text().splitlines()]
        everything = before + send.delivered
        assert sorted(set(everything)) == chats, "nobody is lost"
        duplicates = len(everything) - len(set(everything))
        assert duplicates <= 1, "only the message in flight may arrive twice"
        b = await store.broadcast(draft)
        assert b is not None and b.state == "done" and b.counts == {"sent": 10}
    finally:
        await store.close()


async def test_the_sender_runs_until_stopped_and_wakes_when_told(store: Store) -> None:
    send = Recorder()
    sender = OutboxSender(store, send, rate=1000, clock=lambda: NOW)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop, idle=30))
    await store.enqueue([Queued(9, "hello", NOW, key="x")])
    sender.wake.set()
    for _ in range(100):
        if send.delivered:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert send.delivered == [9]
