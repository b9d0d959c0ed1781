"""`run_bot.py schema`: the JSON Schema editors use, generated from bot/schema.py and shipped in knowledge/."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.jsonschema import generate, render
from bot.knowledge import load_yaml_12, yaml_files
from tests.conftest import KNOWLEDGE, MINI

jsonschema = pytest.importorskip("jsonschema")

SHIPPED = KNOWLEDGE / "schema.json"
STALE = "knowledge/schema.json is out of date: run `python run_bot.py schema` and commit the result"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def validator(schema: dict[str, Any] | None = None) -> Any:
    schema = schema if schema is not None else json.loads(SHIPPED.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(data)]


ORGANISATION = """\
organisations:
  - id: new-place
    name: New Place
    description: Help with food.
    needs: [food]
    areas: [norwich]
    phone: 01603 000000
    opening_hours:
      - days: mon-fri
        opens: "10:00"
        closes: 16:00
    sources: https://example.org.uk/new-place
    information_from: 2024-01-31
"""


def test_shipped_schema_is_what_the_command_generates_now() -> None:
    assert SHIPPED.is_file(), STALE
    code, generated, _ = run("schema", "--output", "-")
    assert code == 0
    assert SHIPPED.read_text(encoding="utf-8") == generated, STALE


@pytest.mark.parametrize("path", [*yaml_files(KNOWLEDGE), *yaml_files(MINI)], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_yaml_file_validates_against_the_schema(path: Path) -> None:
    assert problems(load_yaml_12(path.read_text(encoding="utf-8"))) == []


def test_a_typical_new_entry_is_accepted_as_volunteers_write_it() -> None:
    assert problems(load_yaml_12(ORGANISATION)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    phone: 01603 000000", "    phnoe: 01603 000000", "'phnoe' was unexpected"),
        ("    needs: [food]\n", "", "'needs' is a required property"),
        ('opens: "10:00"', 'opens: "25:00"', "does not match"),
        ("days: mon-fri", "days: [monday]", "is not valid"),
        ("id: new-place", "id: New Place", "does not match"),
        ("description: Help with food.", "description: {en: Food, xx: Nourriture}", "is not valid"),
        ("sources: https://example.org.uk/new-place", "sources: example.org.uk", "is not valid"),
    ],
)
def test_mistakes_are_flagged_in_the_editor(old: str, new: str, expected: str) -> None:
    assert old in ORGANISATION
    found = problems(load_yaml_12(ORGANISATION.replace(old, new)))
    assert any(expected in p for p in found), found


def test_an_unknown_section_is_flagged() -> None:
    found = problems(load_yaml_12("organisation:\n  - id: x\n"))
    assert any("'organisation' was unexpected" in p for p in found), found


def test_a_translation_under_a_name_instead_of_an_id_is_flagged() -> None:
    found = problems(load_yaml_12("translations:\n  - language: ar\n    entries:\n      Bridge Plus: {name: x}\n"))
    assert any("'Bridge Plus' does not match" in p for p in found), found


def test_a_file_with_an_unknown_field_fails(tmp_path: Path) -> None:
    text = (MINI / "organisations.yaml").read_text(encoding="utf-8")
    broken = text.replace("    phone: 01493 000000", "    telephone: 01493 000000")
    assert broken != text
    found = problems(load_yaml_12(broken))
    assert any("'telephone' was unexpected" in p for p in found), found


def test_every_field_has_hover_help() -> None:
    schema = generate()
    missing = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        for field, prop in definition.get("properties", {}).items()
        if name != "ConversationWords" or field != "dates"
        if not prop.get("description")
    ]
    assert not missing, (
        "fields without help in the editor: give each a Field(description=...) in bot/schema.py "
        f"or a text in FIELD_HELP in bot/jsonschema.py: {missing}"
    )
    for section in ("organisations", "helplines", "events", "needs", "crisis", "places", "words"):
        assert schema["properties"][section]["description"]


def test_schema_uses_language_codes_and_day_names_for_autocomplete() -> None:
    schema = generate()
    words = schema["$defs"]["Words"]["properties"]
    assert set(words) == {"en", "ar", "fa", "uk", "ps", "ku", "ti", "fr", "translit"}
    assert words["ar"]["description"] == "Arabic"
    days = schema["$defs"]["OpeningHours"]["properties"]["days"]
    assert "mon" in json.dumps(days)


def test_yaml_is_read_as_editors_read_it() -> None:
    data = load_yaml_12("a: 2024-01-31\nb: 10:00\nc: yes\nd: on\ne: 999\nf: 1.5\ng: 010\nh:\ni: true\n")
    assert data == {
        "a": "2024-01-31",
        "b": "10:00",
        "c": "yes",
        "d": "on",
        "e": 999,
        "f": 1.5,
        "g": 10,
        "h": None,
        "i": True,
    }


def test_schema_command_writes_the_file_and_says_when_it_is_up_to_date(tmp_path: Path) -> None:
    target = tmp_path / "out" / "schema.json"
    code, out, _ = run("schema", "--output", str(target))
    assert code == 0
    assert f"Wrote {target}" in out
    assert target.read_text(encoding="utf-8") == render(KNOWLEDGE)
    code, out, _ = run("schema", "--output", str(target))
    assert code == 0
    assert "up to date" in out


def test_schema_command_defaults_to_the_knowledge_folder(tmp_path: Path) -> None:
    code, _, _ = run("schema", "--knowledge", str(tmp_path))
    assert code == 0
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == render(tmp_path)


def test_schema_command_can_print_it() -> None:
    code, out, _ = run("schema", "--output", "-")
    assert code == 0
    assert json.loads(out)["$defs"]["Organisation"]["additionalProperties"] is False
