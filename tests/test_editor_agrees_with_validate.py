"""The editor schema and `validate` agree: check-jsonschema with knowledge/schema.json refuses what validate refuses.

check-jsonschema is a tool that is not ours: it reads YAML as YAML 1.2 (ruamel.yaml), as VS Code's YAML
extension does, and checks the data against the shipped knowledge/schema.json. Each case below is one
edit of a fixture file, a mistake volunteers make; validate must refuse it with an error in that file,
and check-jsonschema must refuse the same file. What validate accepts, the editor must accept too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.knowledge import check
from tests.conftest import KNOWLEDGE, MINI

pytest.importorskip("check_jsonschema")

SCHEMA = KNOWLEDGE / "schema.json"


class Edit(NamedTuple):
    file: str
    old: str
    new: str


MISTAKES: dict[str, Edit] = {
    "need that is not a need id": Edit("organisations.yaml", "needs: [food]\n", "needs: [foodbank]\n"),
    "phone too short, unquoted": Edit("organisations.yaml", "phone: 01603 000000", "phone: 617076"),
    "phone too short, quoted": Edit("organisations.yaml", "phone: 01603 000000", 'phone: "617076"'),
    "phone with words": Edit("organisations.yaml", "phone: 01603 000000", "phone: call 01603 000000"),
    "hour with one digit": Edit("organisations.yaml", 'opens: "10:00"', 'opens: "9:00"'),
    "hour with one digit, unquoted": Edit("organisations.yaml", 'opens: "10:00"', "opens: 9:00"),
    "hour past midnight": Edit("organisations.yaml", 'opens: "10:00"', 'opens: "25:00"'),
    "area misspelt": Edit("organisations.yaml", "areas: [norwich]\n    phone", "areas: [norwhich]\n    phone"),
    "yes for true": Edit("organisations.yaml", "for_sanctuary_seekers: true", "for_sanctuary_seekers: yes"),
    "on for true": Edit("helplines.yaml", "open_24_7: true", "open_24_7: on"),
    "email with words": Edit("organisations.yaml", "email: food@example.org.uk", "email: food at example"),
    "website without https": Edit(
        "organisations.yaml", "website: https://example.org.uk/food", "website: example.org.uk"
    ),
    "day written out": Edit("organisations.yaml", "days: mon-fri", "days: [monday]"),
    "id with capitals": Edit("organisations.yaml", "id: food-place", "id: Food Place"),
    "field misspelt": Edit("organisations.yaml", "phone: 01603 000000", "phnoe: 01603 000000"),
    "language code unknown": Edit(
        "organisations.yaml", "description: Free food parcels", "description:\n      xx: Free food parcels"
    ),
    "event time in words": Edit("events.yaml", "start: 2024-02-05 18:00", "start: 2024-02-05 6pm"),
    "place within a misspelt place": Edit("places.yaml", "within: [norfolk]", "within: [norfok]"),
}

ONLY_VALIDATE: dict[str, tuple[Edit, str]] = {
    # JSON Schema cannot compare two values: the schema says these rules in words, validate checks them.
    "end before start": (
        Edit("events.yaml", "end: 2024-02-05 20:30", "end: 2024-02-05 17:30"),
        "'end' not before 'start'",
    ),
    "closes before opens": (
        Edit("organisations.yaml", 'closes: "16:00"', 'closes: "09:00"'),
        "'closes' after 'opens'",
    ),
}

ACCEPTED: dict[str, Edit] = {
    "unquoted time": Edit("organisations.yaml", 'opens: "10:00"', "opens: 10:00"),
    "days as a list": Edit("organisations.yaml", "days: mon-fri", "days: [mon, tue, wed]"),
    "international phone": Edit("organisations.yaml", "phone: 01603 000000", 'phone: "+44 1603 000000"'),
    "one source, not a list": Edit(
        "organisations.yaml", "sources: [https://example.org.uk/food]", "sources: https://example.org.uk/food"
    ),
    "description per language": Edit(
        "organisations.yaml",
        "description: Free food parcels and <b>hot</b> meals.",
        "description:\n      en: Free food parcels.\n      ar: طرود غذائية مجانية.",
    ),
    "True with a capital": Edit("organisations.yaml", "for_sanctuary_seekers: true", "for_sanctuary_seekers: True"),
    "all-day event": Edit("events.yaml", "start: 2024-02-05 18:00\n    end: 2024-02-05 20:30", "start: 2024-02-05"),
}


def _all_edits() -> dict[str, Edit]:
    return MISTAKES | {name: edit for name, (edit, _) in ONLY_VALIDATE.items()} | ACCEPTED


def _write_case(root: Path, name: str, edit: Edit) -> Path:
    """A copy of the mini knowledge base with `edit` made (to the first entry it fits), in root/<name>/."""
    folder = root / name.replace(" ", "-").replace(",", "")
    shutil.copytree(MINI, folder)
    path = folder / edit.file
    text = path.read_text(encoding="utf-8")
    assert edit.old in text, f"{name}: {edit.old!r} is not in {edit.file}"
    path.write_text(text.replace(edit.old, edit.new, 1), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cases")
    return {name: _write_case(root, name, edit) for name, edit in _all_edits().items()}


def _check_jsonschema(files: list[Path]) -> dict[str, list[str]]:
    """check-jsonschema's errors for each of `files` against the shipped schema, by path: one run for all."""
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--output-format", "json", "--schemafile", str(SCHEMA)]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(run.stdout)
    assert report.get("parse_errors", []) == [], report["parse_errors"]
    found: dict[str, list[str]] = {str(f): [] for f in files}
    for error in report.get("errors", []):
        found[error["filename"]].append(f"{error['path']}: {error['message']}")
    return found


@pytest.fixture(scope="module")
def editor_errors(cases: dict[str, Path]) -> dict[str, list[str]]:
    return _check_jsonschema([cases[name] / edit.file for name, edit in _all_edits().items()])


def _validate_errors(folder: Path, file: str) -> list[str]:
    _, problems = check(folder)
    return [str(p) for p in problems if p.severity == "error" and p.file == file]


@pytest.mark.parametrize("name", MISTAKES)
def test_the_editor_refuses_what_validate_refuses(
    name: str, cases: dict[str, Path], editor_errors: dict[str, list[str]]
) -> None:
    edit = MISTAKES[name]
    assert _validate_errors(cases[name], edit.file), f"validate accepts {name!r}: the case is not a mistake"
    assert editor_errors[str(cases[name] / edit.file)], f"check-jsonschema accepts {name!r}, which validate refuses"


@pytest.mark.parametrize("name", ONLY_VALIDATE)
def test_rules_that_compare_two_values_are_validates_and_said_in_the_schema(
    name: str, cases: dict[str, Path], editor_errors: dict[str, list[str]]
) -> None:
    edit, rule = ONLY_VALIDATE[name]
    assert _validate_errors(cases[name], edit.file)
    assert editor_errors[str(cases[name] / edit.file)] == [], "the schema learnt this rule: move it to MISTAKES"
    assert rule in json.loads(SCHEMA.read_text(encoding="utf-8"))["description"]


@pytest.mark.parametrize("name", ACCEPTED)
def test_the_editor_accepts_what_validate_accepts(
    name: str, cases: dict[str, Path], editor_errors: dict[str, list[str]]
) -> None:
    edit = ACCEPTED[name]
    assert _validate_errors(cases[name], edit.file) == []
    assert editor_errors[str(cases[name] / edit.file)] == []


@pytest.mark.parametrize("path", sorted(KNOWLEDGE.glob("*.yaml")), ids=lambda path: path.name)
def test_every_shipped_file_passes_check_jsonschema(path: Path) -> None:
    assert _check_jsonschema([path]) == {str(path): []}
