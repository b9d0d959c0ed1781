"""Unanswered questions: kept only when switched on, anonymised, shown once three people asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.anonymise import anonymise, vocabulary
from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.store import Store
from bot.unanswered import frequent_wordings
from tests.conftest import NOW


@pytest.mark.parametrize(
    ("question", "kept", "removed"),
    [
        ("my name is Ahmed Khan, where do I get a bike", "bike", "Ahmed"),
        ("call me on 07700 900123 or +44 7700 900 123 about a bike", "bike", "900123"),
        ("write to me at amina.k@example.org", "write", "amina"),
        ("I live with Sarah in Norwich, can I keep a dog", "Norwich", "Sarah"),
        ("my case number is 44581231, what is a fresh claim", "fresh claim", "44581231"),
        ("see www.example.com/page or @someone", "see", "example"),
        ("Мене звати Олена", "Мене", "Олена"),
    ],
)
def test_anonymise_removes_contacts_numbers_and_names(
    question: str, kept: str, removed: str, assistant: Assistant
) -> None:
    clean = anonymise(question, vocabulary(assistant.index))
    assert kept in clean
    assert removed not in clean


def test_a_wording_is_shown_only_when_three_people_asked_something_like_it() -> None:
    rows = [
        ("where can i fix my bike", "a"),
        ("where can I fix my bike?", "b"),
        ("where can i fix my bike", "a"),  # the same person again does not count twice
        ("cheap tv licence", "c"),
    ]
    assert frequent_wordings(rows) == []
    rows.append(("where to fix my bike", "d"))
    assert frequent_wordings(rows) == [("where can i fix my bike", 3)]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


async def test_nothing_is_kept_unless_switched_on(store: Store, assistant: Assistant) -> None:
    chat = ChatService(assistant, store, clock=lambda: NOW)
    await chat.text(Sender(1, 1), "where can i fix my bike")
    assert await store.unanswered_since(date(2000, 1, 1)) == []


async def test_unanswered_questions_are_kept_anonymised_without_chat_ids(store: Store, assistant: Assistant) -> None:
    chat = ChatService(assistant, store, log_unanswered=True, clock=lambda: NOW, admin_ids=frozenset({9}))
    for person in (1, 2, 3):
        await chat.text(Sender(person, person), f"my name is Person{person} where can i fix my bike")
    await chat.text(Sender(4, 4), "food bank in norwich")  # answered: not kept
    await chat.text(Sender(5, 5), "I want to kill myself")  # a crisis: never kept
    await chat.text(Sender(6, 6), "hello")  # a greeting is not a question
    rows = await store.unanswered_since(date(2000, 1, 1))
    assert len(rows) == 3
    assert all("Person" not in text and "bike" in text for text, _ in rows), rows
    assert len({asker for _, asker in rows}) == 3
    assert all(len(asker) == 16 and asker not in {"1", "2", "3"} for _, asker in rows)
    digest = await chat.digest(NOW.date())
    assert "bike" in digest.text and "(3)" in digest.text


async def test_unanswered_questions_are_kept_30_days(store: Store) -> None:
    today = date(2024, 3, 1)
    await store.record_unanswered(today - timedelta(days=40), "old question", 1)
    await store.record_unanswered(today, "new question", 2)
    assert [text for text, _ in await store.unanswered_since(date(2000, 1, 1))] == ["new question"]


async def test_a_contact_that_did_not_work_is_counted_for_the_digest(store: Store, assistant: Assistant) -> None:
    chat = ChatService(assistant, store, clock=lambda: NOW)
    card = await chat.tap(Sender(1, 1), "entry:bridge-plus")
    report = next(b.action for row in card.buttons for b in row if b.action.startswith("report:"))
    thanks = await chat.tap(Sender(1, 1), report)
    assert "Thank you" in thanks.text
    digest = await chat.digest(NOW.date())
    assert "Bridge" in digest.text and ": 1" in digest.text
    assert "days old:" in digest.text and "checked" not in digest.text.lower()


async def test_privacy_says_truthfully_whether_unanswered_questions_are_kept(
    store: Store, assistant: Assistant
) -> None:
    off = ChatService(assistant, store, clock=lambda: NOW)
    on = ChatService(assistant, store, log_unanswered=True, clock=lambda: NOW)
    who = Sender(1, 1)
    assert "I do not keep what you write" in (await off.privacy(who)).text
    kept = (await on.privacy(who)).text
    assert "30 days" in kept and "I do not keep what you write" not in kept
    assert "I do not keep what you write" not in (await on.start(who)).text
