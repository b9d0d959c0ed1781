"""The calendar and report commands, as a volunteer or organiser runs them."""

from __future__ import annotations

import asyncio
import io
from datetime import date
from pathlib import Path

from icalendar import Calendar

from bot.cli import main
from bot.store import Store


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_calendar_writes_every_upcoming_event_with_a_time_zone() -> None:
    code, out, _ = run("calendar", "--now", "2024-01-20T12:00:00+00:00")
    assert code == 0
    calendar = Calendar.from_ical(out)
    names = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any("celebration" in n.lower() for n in names)
    assert calendar.walk("VTIMEZONE")


def test_report_shows_only_wordings_three_people_asked(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"

    async def fill() -> None:
        store = await Store.open(db)
        today = date.today()
        for chat, text in ((1, "where can i fix my bike"), (2, "where can I fix my bike"), (3, "fix my bike where")):
            await store.record_unanswered(today, text, chat)
        await store.record_unanswered(today, "a question only one person asked", 4)
        await store.close()

    asyncio.run(fill())
    code, out, _ = run("report", "--db", str(db))
    assert code == 0
    assert "3 people" in out and "bike" in out
    assert "only one person" not in out


def test_report_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    code, _, err = run("report", "--db", str(tmp_path / "missing.sqlite3"))
    assert code == 2
    assert "No database" in err


def test_export_lists_every_entry_with_sources_and_how_old_they_are() -> None:
    import json

    code, out, _ = run("export")
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {"organisations", "helplines", "events"}
    for section in ("organisations", "helplines"):
        assert data[section]
        for entry in data[section]:
            assert entry["sources"], entry["id"]
            assert entry.get("information_from") or entry["read_on"], entry["id"]
            assert entry["categories"], entry["id"]
