"""A volunteer's mistake gets file, line, what is wrong and what to write instead; never a traceback."""

from __future__ import annotations

import io

import pytest

from bot.cli import main
from bot.knowledge import KnowledgeError, check, load
from tests.conftest import KNOWLEDGE, Editable


def validate(path: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", "--knowledge", str(path)], out, err)
    return code, out.getvalue(), err.getvalue()


def errors(editable: Editable) -> list[str]:
    kb, problems = check(editable.path)
    assert kb is None
    return [str(p) for p in problems if p.severity == "error"]


def test_shipped_knowledge_base_is_valid() -> None:
    code, out, err = validate(KNOWLEDGE)
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith("OK: ")
    assert "organisations" in out
    assert "helplines" in out
    assert "events" in out


def test_valid_fixture_prints_one_line_of_counts(editable: Editable) -> None:
    code, out, _ = validate(editable.path)
    assert code == 0
    assert out.strip().splitlines()[-1] == "OK: 3 organisations, 2 helplines, 1 events, 4 needs, 19 places."


def test_yaml_syntax_error_names_file_and_line_without_traceback(editable: Editable) -> None:
    editable.replace("organisations.yaml", "    name: Yarmouth Advice Hub", "    name: Yarmouth: Advice: Hub")
    line = editable.line_of("organisations.yaml", "Yarmouth: Advice")
    code, out, err = validate(editable.path)
    assert code == 1
    assert f"organisations.yaml:{line}: YAML syntax error" in err
    assert "double quotes" in err
    assert "Traceback" not in out + err


def test_tab_indentation_is_explained(editable: Editable) -> None:
    editable.replace("organisations.yaml", "    needs: [housing]", "\tneeds: [housing]")
    found = errors(editable)
    assert any("organisations.yaml:" in e and "tabs" in e for e in found), found


def test_unknown_field_suggests_the_right_one(editable: Editable) -> None:
    editable.replace("organisations.yaml", "    phone: 01493 000000", "    phnoe: 01493 000000")
    line = editable.line_of("organisations.yaml", "phnoe")
    assert any(
        e.startswith(f"organisations.yaml:{line}: unknown field 'phnoe': did you mean 'phone'?")
        for e in errors(editable)
    )


def test_unknown_need_id_suggests_a_close_one(editable: Editable) -> None:
    editable.replace("organisations.yaml", "    needs: [housing]", "    needs: [houseing]")
    line = editable.line_of("organisations.yaml", "houseing")
    found = errors(editable)
    assert any(
        e.startswith(f"organisations.yaml:{line}: 'houseing' is not a need id: did you mean 'housing'?") for e in found
    ), found


def test_duplicate_id_points_at_the_first_one(editable: Editable) -> None:
    editable.replace("organisations.yaml", "  - id: county-housing", "  - id: food-place")
    first = editable.line_of("organisations.yaml", "id: food-place")
    found = errors(editable)
    assert any(f"id 'food-place' is already used in organisations.yaml:{first}" in e for e in found), found


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        ("phone: 01493 000000", "phone: 12", "phone: 12", "'phone' must be a UK phone number"),
        (
            "phone: 01493 000000",
            "phone: call 01493 000000",
            "phone: call",
            "put words such as 'option 2' in phone_note",
        ),
        (
            "email: food@example.org.uk",
            "email: food at example",
            "email: food at",
            "'email' must be just an email address",
        ),
        (
            "website: https://example.org.uk/food",
            "website: example.org.uk",
            "website: example",
            "must be a web address starting with https://",
        ),
        (
            "information_from: 2024-01-15",
            "information_from: 15/01/2024",
            "15/01/2024",
            "'information_from' must be a year, a month or a day: write it as precisely as the source shows it",
        ),
        ("read_on: 2020-03-01", "read_on: 2020-3-1", "2020-3-1", "'read_on' must be a date like 2024-01-31"),
        ('opens: "10:00"', 'opens: "17:00"', 'closes: "16:00"', "'closes' (16:00) must be after 'opens' (17:00)"),
        ("areas: [great-yarmouth]", "areas: [yarmouth]", "areas: [yarmouth]", "'yarmouth' is not a place id"),
    ],
)
def test_malformed_values_are_explained(editable: Editable, old: str, new: str, needle: str, expected: str) -> None:
    editable.replace("organisations.yaml", old, new)
    line = editable.line_of("organisations.yaml", needle)
    found = errors(editable)
    assert any(e.startswith(f"organisations.yaml:{line}:") and expected in e for e in found), found


def test_end_before_start(editable: Editable) -> None:
    editable.replace("events.yaml", "end: 2024-02-05 20:30", "end: 2024-02-05 17:00")
    found = errors(editable)
    assert any(e.startswith("events.yaml:") and "'end' (2024-02-05 17:00:00) is before 'start'" in e for e in found), (
        found
    )


def test_malformed_event_date(editable: Editable) -> None:
    editable.replace("events.yaml", "start: 2024-02-05 18:00", "start: 5th February")
    line = editable.line_of("events.yaml", "5th February")
    found = errors(editable)
    assert any(e.startswith(f"events.yaml:{line}:") and "like 2024-02-05 18:00" in e for e in found), found


def test_event_organiser_must_exist(editable: Editable) -> None:
    editable.replace("events.yaml", "organiser: food-place", "organiser: food-palce")
    line = editable.line_of("events.yaml", "food-palce")
    found = errors(editable)
    assert any(
        e.startswith(
            f"events.yaml:{line}: organiser 'food-palce' is not an organisation id: did you mean 'food-place'?"
        )
        for e in found
    ), found


def test_missing_required_field_says_what_to_add(editable: Editable) -> None:
    editable.replace("organisations.yaml", "    sources: [https://example.org.uk/housing]\n", "")
    found = errors(editable)
    assert any("'sources' is missing: add a line like `sources: [" in e for e in found), found


def test_every_problem_is_reported_at_once(editable: Editable) -> None:
    editable.replace("organisations.yaml", "phone: 01493 000000", "phone: 12")
    editable.replace("organisations.yaml", "email: food@example.org.uk", "email: nope")
    editable.replace("events.yaml", "organiser: food-place", "organiser: nobody")
    assert len(errors(editable)) == 3


def test_duplicate_key_in_one_entry(editable: Editable) -> None:
    editable.replace(
        "organisations.yaml", "    phone: 0344 000 0000", "    phone: 0344 000 0000\n    phone: 0344 000 0001"
    )
    line = editable.line_of("organisations.yaml", "0344 000 0001")
    assert any(e.startswith(f"organisations.yaml:{line}: 'phone' is written twice") for e in errors(editable))


def test_unknown_section_and_language(editable: Editable) -> None:
    editable.write("extra.yaml", "organisation:\n  - id: x\n")
    editable.replace("needs.yaml", "      ar: [طعام, اكل]", "      de: [Essen]")
    found = errors(editable)
    assert any(
        e.startswith("extra.yaml:1: unknown section 'organisation': did you mean 'organisations'?") for e in found
    )
    assert any(e.startswith("needs.yaml:") and "'de' is not a language code" in e for e in found), found


def test_a_need_nobody_serves_is_an_error(editable: Editable) -> None:
    editable.replace(
        "needs.yaml", "  - id: emergency\n", "  - id: emergency\n    label: x\n    words: {en: [y]}\n  - id: orphan\n"
    )
    found = errors(editable)
    assert any("no organisation or helpline lists the need 'orphan'" in e for e in found), found


def test_not_utf8_and_empty_files(editable: Editable) -> None:
    (editable.path / "bad.yaml").write_bytes("events: []\n# caf\xe9\n".encode("latin-1"))
    (editable.path / "empty.yaml").write_text("")
    found = errors(editable)
    assert any(e.startswith("bad.yaml:1: not saved as UTF-8") for e in found)
    assert any(e.startswith("empty.yaml:1: the file is empty") for e in found)


def test_load_raises_with_every_problem(editable: Editable) -> None:
    editable.replace("organisations.yaml", "phone: 01493 000000", "phone: 12")
    with pytest.raises(KnowledgeError) as info:
        load(editable.path)
    assert "organisations.yaml:" in str(info.value)


def test_unquoted_times_and_yes_no_are_read_as_volunteers_mean(editable: Editable) -> None:
    editable.replace("organisations.yaml", 'opens: "10:00"', "opens: 10:00")
    editable.replace("organisations.yaml", "aliases: [Pantry]", "aliases: [Pantry, no]")
    kb = load(editable.path)
    pantry = kb.entry("food-place")
    assert pantry is not None
    assert "no" in pantry.aliases
    assert pantry.opening_hours[0].opens.hour == 10  # type: ignore[attr-defined]


def test_commands_do_not_start_on_a_broken_knowledge_base(editable: Editable) -> None:
    editable.replace("organisations.yaml", "phone: 01493 000000", "phone: 12")
    out, err = io.StringIO(), io.StringIO()
    assert main(["ask", "--knowledge", str(editable.path), "food"], out, err) == 1
    assert "organisations.yaml:" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_validate_warns_about_a_word_many_needs_list(editable: Editable) -> None:
    for word in ("[food", "[housing", "[solicitor*", "[ambulance"):
        editable.replace("needs.yaml", word, f"{word}, card")
    _, problems = check(editable.path, review=True)
    shared = [str(p) for p in problems if "'card' (en) is listed for 4 needs" in p.message]
    assert len(shared) == 1 and shared[0].startswith("needs.yaml:"), [str(p) for p in problems]
    editable.replace("needs.yaml", "[ambulance, card", "[ambulance")
    _, fewer = check(editable.path, review=True)
    assert not any("is listed for" in p.message for p in fewer)


def test_validate_warns_when_a_need_word_is_an_everyday_word_of_another_language(editable: Editable) -> None:
    editable.replace("needs.yaml", "      en: [ambulance]", "      en: [ambulance]\n      ps: [ما]")
    _, problems = check(editable.path, review=True)
    assert any("'ما' (Pashto, need 'emergency')" in p.message and "Arabic" in p.message for p in problems)


def test_a_file_saved_as_yml_is_named_never_silently_left_out(editable: Editable) -> None:
    events = (editable.path / "events.yaml").read_text(encoding="utf-8")
    (editable.path / "events.yaml").unlink()
    editable.write("events.yml", events)
    found = errors(editable)
    assert found == ["events.yml:1: this file is not read (only .yaml files are): rename it to events.yaml"], found
    code, _, err = validate(editable.path)
    assert code == 1 and "rename it to events.yaml" in err


def test_the_watcher_notices_a_yml_file_so_the_reload_can_say_it_is_not_read(editable: Editable) -> None:
    from bot.watch import fingerprint

    before = fingerprint(editable.path)
    editable.write("more-events.yml", "events: []\n")
    assert fingerprint(editable.path) != before


def test_validate_warns_about_a_word_written_twice_in_one_list(editable: Editable) -> None:
    editable.replace(
        "needs.yaml", "[food, food bank, hungry, meal*]", "[food, food bank, hungry, meal*,\n           Food  Bank]"
    )
    _, problems = check(editable.path, review=True)
    repeated = [p for p in problems if "listed twice" in p.message]
    assert [(p.file, p.line, p.severity) for p in repeated] == [
        ("needs.yaml", 5, "warning")
    ]  # the line its list starts on, [str(p) for p in problems]
    assert "'Food  Bank' (en) is listed twice for need 'food' (first on line 5): remove one" in repeated[0].message
