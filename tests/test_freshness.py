"""Freshness: entries whose newest information is old are warnings in `validate`, never errors."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bot.cli import main
from bot.freshness import DEFAULT_STALE_DAYS, stale_entries, stale_message
from bot.knowledge import KnowledgeBase, check, load
from tests.conftest import KNOWLEDGE, MINI, Editable

FEB_2024 = date(2024, 2, 1)


def validate(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def ids(found: list[tuple[object, int]]) -> list[str]:
    return [entry.id for entry, _ in found]  # type: ignore[attr-defined]


def test_default_is_two_years() -> None:
    assert DEFAULT_STALE_DAYS == 730


def test_only_entries_older_than_the_limit_are_stale(mini_kb: KnowledgeBase) -> None:
    found = stale_entries(mini_kb, FEB_2024, 180)
    assert ids(found) == ["yarmouth-advice"]
    assert found[0][1] == 1432


def test_oldest_first_and_the_limit_is_a_parameter(mini_kb: KnowledgeBase) -> None:
    found = stale_entries(mini_kb, FEB_2024, 20)
    assert ids(found)[0] == "yarmouth-advice"
    assert "county-housing" in ids(found)  # checked with them 31 days ago
    assert "food-place" not in ids(found)  # 17 days old
    ages = [age for _, age in found]
    assert ages == sorted(ages, reverse=True)


def test_exactly_the_limit_is_not_stale(mini_kb: KnowledgeBase) -> None:
    assert "county-housing" not in ids(stale_entries(mini_kb, FEB_2024, 31))
    assert "county-housing" in ids(stale_entries(mini_kb, FEB_2024, 30))


def test_zero_days_turns_the_check_off(mini_kb: KnowledgeBase) -> None:
    assert stale_entries(mini_kb, date(2030, 1, 1), 0) == []


def test_an_event_that_is_over_needs_no_checking(mini_kb: KnowledgeBase) -> None:
    # winter-party (5 February 2024): information from 10 January 2024.
    assert "winter-party" in ids(stale_entries(mini_kb, FEB_2024, 10))
    assert "winter-party" not in ids(stale_entries(mini_kb, date(2024, 3, 1), 10))


WHAT_TO_DO = (
    "confirm the details with the organisation itself (a call or a visit), "
    "then write the day as checked_on and who checked as checked_by"
)


@pytest.mark.parametrize(
    ("entry_id", "newest"),
    [
        ("yarmouth-advice", "source undated, read on 2020-03-01"),
        ("food-place", "newest information from 2024-01-15 (example.org.uk)"),
        ("county-housing", "last checked with them on 2024-01-01"),
    ],
)
def test_message_says_what_the_date_is_its_age_and_what_to_do(
    mini_kb: KnowledgeBase, entry_id: str, newest: str
) -> None:
    entry = mini_kb.entry(entry_id)
    assert entry is not None
    assert stale_message(entry, 1000) == f"{newest}, 1,000 days ago: {WHAT_TO_DO}"


def test_validate_lists_stale_entries_as_warnings_with_file_and_line(editable: Editable) -> None:
    line = editable.line_of("organisations.yaml", "- id: yarmouth-advice")
    code, out, err = validate("--knowledge", str(editable.path), "--today", "2024-02-01")
    assert code == 0, err
    assert (
        f"organisations.yaml:{line}: warning: source undated, read on 2020-03-01, 1,432 days ago: {WHAT_TO_DO}"
    ) in out.splitlines()
    assert "The newest information of 1 entries is more than 730 days old" in out
    assert out.strip().splitlines()[-1].startswith("OK: ")


def test_stale_days_option(editable: Editable) -> None:
    code, out, _ = validate("--knowledge", str(editable.path), "--today", "2024-02-01", "--stale-days", "5000")
    assert code == 0
    assert "days ago" not in out
    code, out, _ = validate("--knowledge", str(editable.path), "--today", "2024-02-01", "--stale-days", "20")
    assert code == 0
    # yarmouth-advice, county-housing, the two helplines (31 days) and winter-party (22 days)
    assert out.count(" days ago: confirm") == 5


def test_warnings_never_change_the_exit_code_and_show_beside_errors(editable: Editable) -> None:
    code, out, _ = validate("--knowledge", str(editable.path), "--today", "2030-01-01")
    assert code == 0
    assert out.count(" days ago: confirm") == 5  # every organisation and helpline; the event is over
    editable.replace("organisations.yaml", "    phone: 01493 000000", "    phnoe: 01493 000000")
    code, out, err = validate("--knowledge", str(editable.path), "--today", "2030-01-01")
    assert code == 1
    assert "unknown field 'phnoe'" in err
    assert " days ago: confirm" in out


def test_check_without_today_does_not_look_at_dates() -> None:
    """The running bot reloads with check(directory): it must not warn admins about dates every time."""
    _, problems = check(MINI)
    assert not any("days ago" in p.message for p in problems)
    _, problems = check(MINI, today=date(2030, 1, 1))
    assert sum("days ago" in p.message for p in problems) == 5


def test_warnings_are_kept_on_the_knowledge_base() -> None:
    kb, _ = check(MINI, today=date(2030, 1, 1))
    assert kb is not None
    assert sum("days ago" in w.message for w in kb.warnings) == 5


def test_shipped_knowledge_base_can_be_checked_for_freshness() -> None:
    kb = load(KNOWLEDGE)
    found = stale_entries(kb, date(2030, 1, 1))
    assert found
    assert all(age > DEFAULT_STALE_DAYS for _, age in found)


@pytest.mark.parametrize("argv", [["--stale-days", "soon"], ["--stale-days", "-5"], ["--today", "yesterday"]])
def test_bad_options_are_explained(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", *argv], io.StringIO(), io.StringIO())
    assert exc.value.code == 2
    assert "must be" in capsys.readouterr().err
