"""The bot reads the knowledge files as YAML 1.2, like editors do: yes is a word, 9:00 a time, 010 is ten."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bot.knowledge import check, load, load_yaml_12
from tests.conftest import Editable

# Plain scalars whose type YAML 1.1 (PyYAML's own) and YAML 1.2's core schema disagree on, and a few they agree on.
SCALARS = [
    "yes", "no", "on", "off", "y", "n", "true", "True", "TRUE", "false", "tRuE", "~", "null", "Null", "NULL",
    "010", "0o10", "0x1F", "+12", "-0", "9:00", "1:30:00", "1.5", ".5", "1.", "1e3", "12e03", "+.5", ".inf",
    "-.INF", ".nan", "01603 617076", "2024-01-31 18:00",
]  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("scalar", SCALARS)
def test_plain_scalars_are_typed_as_another_yaml_1_2_reader_types_them(scalar: str) -> None:
    """ruamel.yaml (check-jsonschema's YAML reader) is an independent YAML 1.2 implementation."""
    ruamel = pytest.importorskip("ruamel.yaml")
    theirs = ruamel.YAML(typ="safe", pure=True).load(f"value: {scalar}\n")["value"]
    ours = load_yaml_12(f"value: {scalar}\n")["value"]
    assert _same(ours, theirs), (scalar, ours, theirs)


def test_yaml_1_1_forms_are_not_what_the_bot_reads() -> None:
    data = load_yaml_12("a: yes\nb: 9:00\nc: 010\nd: on\n")
    assert data == {"a": "yes", "b": "9:00", "c": 10, "d": "on"}  # YAML 1.1: True, 540, 8, True


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("yes", "'for_sanctuary_seekers' must be true or false: write true instead of yes"),
        ("on", "'for_sanctuary_seekers' must be true or false: write true instead of on"),
        ("1", "'for_sanctuary_seekers' must be true or false: write true instead of 1"),
        ('"true"', "'for_sanctuary_seekers' must be true or false without quotes: write true"),
        ("maybe", "'for_sanctuary_seekers' must be true or false, got 'maybe'"),
    ],
)
def test_a_yes_for_a_true_or_false_field_is_an_error_that_says_write_true(
    editable: Editable, written: str, expected: str
) -> None:
    editable.replace("organisations.yaml", "for_sanctuary_seekers: true", f"for_sanctuary_seekers: {written}")
    line = editable.line_of("organisations.yaml", f"for_sanctuary_seekers: {written}")
    _, problems = check(editable.path)
    assert f"organisations.yaml:{line}: {expected}" in [str(p) for p in problems]


def test_true_in_any_yaml_1_2_spelling_is_true_and_false_is_false(editable: Editable) -> None:
    editable.replace("organisations.yaml", "for_sanctuary_seekers: true", "for_sanctuary_seekers: True")
    editable.replace("helplines.yaml", "open_24_7: true", "open_24_7: TRUE")
    editable.replace(
        "organisations.yaml",
        "name: County Housing Team\n",
        "name: County Housing Team\n    for_sanctuary_seekers: False\n",
    )
    kb = load(editable.path)
    assert kb.entry("food-place").for_sanctuary_seekers is True  # type: ignore[union-attr]
    assert kb.entry("emergency-999").open_24_7 is True  # type: ignore[union-attr]
    assert kb.entry("county-housing").for_sanctuary_seekers is False  # type: ignore[union-attr]


def test_an_unquoted_time_with_one_digit_for_the_hour_says_how_to_write_it(editable: Editable) -> None:
    editable.replace("organisations.yaml", 'opens: "10:00"', "opens: 9:00")  # YAML 1.1 reads 540
    line = editable.line_of("organisations.yaml", "opens: 9:00")
    _, problems = check(editable.path)
    assert f"organisations.yaml:{line}: 'opens' must have two digits for the hour: write \"09:00\"" in [
        str(p) for p in problems
    ]


def test_a_number_with_a_leading_zero_is_decimal(editable: Editable) -> None:
    editable.replace(
        "events.yaml", "    venue: Test Hall\n", "    venue: Test Hall\n    repeat: {every: week, interval: 010}\n"
    )
    event = load(editable.path).entry("winter-party")
    assert event.repeat.interval == 10  # type: ignore[union-attr]  # YAML 1.1 reads 8
