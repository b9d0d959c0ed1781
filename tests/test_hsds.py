"""`export --format hsds`: the knowledge base as Open Referral HSDS 3.0 JSON.

Every record is checked against the official HSDS 3.0 JSON Schemas, vendored in tests/vendor/hsds
(see the README there), the way HSDS checks its own examples: no field HSDS does not define, every
required field, formats such as uuid; and each field's data package type (`time` is HH:MM:SS),
which JSON Schema itself leaves unchecked.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.cli import main
from bot.hsds import NAMESPACE, TABLES, _Places, export, hsds_id, parse_address
from bot.knowledge import KnowledgeBase, load
from bot.schema import english
from tests.conftest import KNOWLEDGE, MINI

jsonschema = pytest.importorskip("jsonschema")

VENDORED = Path(__file__).parent / "vendor" / "hsds"
OBJECTS = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "addresses": "address",
    "service_at_locations": "service_at_location",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "attributes": "attribute",
}
"""The HSDS object each of our tables holds (its schema is tests/vendor/hsds/<object>.json)."""

DATA_PACKAGE_TYPES = {
    # Frictionless Table Schema's default formats, which HSDS's tabular data package uses.
    "date": re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    "time": re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"),
    "datetime": re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"),
}
FOREIGN_KEYS = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "taxonomy_id": "taxonomies",
    "taxonomy_term_id": "taxonomy_terms",
    "link_id": "services",
}


@pytest.fixture(scope="module")
def hsds_problems() -> Any:
    """A function: every way a document breaks the vendored HSDS 3.0 schemas, as 'table[i].field: why'."""
    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in VENDORED.glob("*.json")}
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in schemas.items()
    )
    cls = jsonschema.Draft202012Validator
    validators = {}
    for table, name in OBJECTS.items():
        # As HSDS's own validate_examples_json_schema.sh: additionalProperties false, so no field of our own.
        schema = {**schemas[f"{name}.json"], "additionalProperties": False}
        cls.check_schema(schema)
        validators[table] = (cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER), schema)

    def problems(document: dict[str, Any]) -> list[str]:
        found = []
        for table, (validator, schema) in validators.items():
            for i, record in enumerate(document[table]):
                where = f"{table}[{i}]"
                found += [
                    f"{where}.{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)
                ]
                found += [
                    f"{where}.{field}: missing (tabular_required)"
                    for field in schema.get("tabular_required", [])
                    if field not in record
                ]
                for field, value in record.items():
                    kind = schema["properties"].get(field, {}).get("datapackage_type")
                    if kind in DATA_PACKAGE_TYPES and not DATA_PACKAGE_TYPES[kind].match(str(value)):
                        found.append(f"{where}.{field}: {value!r} is not a data package {kind}")
        return found

    return problems


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    return export(load(KNOWLEDGE))


@pytest.fixture(scope="module")
def mini_doc() -> dict[str, Any]:
    return export(load(MINI))


def by_id(document: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in document[table]}


def records_of(document: dict[str, Any], table: str, service_slug: str) -> list[dict[str, Any]]:
    service_id = hsds_id("service", service_slug)
    return [record for record in document[table] if record.get("service_id") == service_id]


def test_ids_follow_the_published_namespace() -> None:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://sanctuary-bot.example/hsds")
    assert namespace == NAMESPACE
    assert hsds_id("organization", "bridge-plus") == str(uuid.uuid5(namespace, "organization/bridge-plus"))
    assert hsds_id("service", "bridge-plus") == str(uuid.uuid5(namespace, "service/bridge-plus"))


def test_ids_are_stable_across_runs(shipped: dict[str, Any]) -> None:
    again = export(load(KNOWLEDGE))
    assert json.dumps(again, sort_keys=True) == json.dumps(shipped, sort_keys=True)
    bridge = by_id(shipped, "organizations")[hsds_id("organization", "bridge-plus")]
    assert bridge["name"] == "The Bridge Plus+"


@pytest.mark.parametrize("fixture", ["shipped", "mini_doc"])
def test_ids_are_unique_uuids(fixture: str, request: pytest.FixtureRequest) -> None:
    document = request.getfixturevalue(fixture)
    all_ids = [record["id"] for table in TABLES for record in document[table]]
    assert len(all_ids) == len(set(all_ids))
    for value in all_ids:
        assert str(uuid.UUID(value)) == value


def test_every_organisation_and_helpline_is_an_organization_with_a_service(
    shipped: dict[str, Any], kb: KnowledgeBase
) -> None:
    organizations = by_id(shipped, "organizations")
    services = by_id(shipped, "services")
    assert len(organizations) == len(services) == len(kb.organisations) + len(kb.helplines)
    for entry in kb.services:
        organization = organizations[hsds_id("organization", entry.id)]
        service = services[hsds_id("service", entry.id)]
        assert organization["name"] == service["name"] == entry.name
        assert service["organization_id"] == organization["id"]
        assert service["description"] == entry.description["en"]
        assert service.get("assured_date") == (entry.checked_on.isoformat() if entry.checked_on else None)
        assert service.get("url") == entry.website
        assert service.get("email") == entry.email
        assert service.get("alert") == english(entry.caution)


@pytest.mark.parametrize("fixture", ["shipped", "mini_doc"])
def test_every_record_is_valid_against_the_official_hsds_3_schemas(
    fixture: str, request: pytest.FixtureRequest, hsds_problems: Any
) -> None:
    document = request.getfixturevalue(fixture)
    assert document["hsds_version"] == "3.0"
    assert set(TABLES) == set(OBJECTS)
    assert sum(len(document[table]) for table in TABLES) > 10
    assert hsds_problems(document) == []
    for table in TABLES:
        for record in document[table]:
            assert all(isinstance(v, str | int | float) and v != "" for v in record.values()), (table, record)


def test_the_hsds_check_catches_what_the_schemas_forbid(mini_doc: dict[str, Any], hsds_problems: Any) -> None:
    broken = json.loads(json.dumps(mini_doc))
    broken["schedules"][0]["opens_at"] = "10:00"
    broken["services"][0]["status"] = "open"
    broken["services"][0]["categories"] = "food"
    broken["phones"][0]["id"] = "phone-1"
    del broken["attributes"][0]["link_entity"]
    found = "\n".join(hsds_problems(broken))
    assert "schedules[0].opens_at: '10:00' is not a data package time" in found
    assert "services[0].status: 'open' is not one of" in found
    assert "'categories' was unexpected" in found
    assert "phones[0].id: 'phone-1' is not a 'uuid'" in found
    assert "attributes[0].link_entity: missing (tabular_required)" in found


@pytest.mark.parametrize("fixture", ["shipped", "mini_doc"])
def test_every_link_points_at_a_record(fixture: str, request: pytest.FixtureRequest) -> None:
    document = request.getfixturevalue(fixture)
    ids = {table: set(by_id(document, table)) for table in TABLES}
    for table in TABLES:
        for record in document[table]:
            for field, target in FOREIGN_KEYS.items():
                if field in record:
                    assert record[field] in ids[target], (table, field)


def test_phones_carry_the_numbers(shipped: dict[str, Any], kb: KnowledgeBase) -> None:
    for entry in kb.services:
        phones = records_of(shipped, "phones", entry.id)
        if entry.phone is None:
            assert phones == []
        else:
            assert [p["number"] for p in phones] == [entry.phone]
            assert phones[0]["organization_id"] == hsds_id("organization", entry.id)
            assert phones[0].get("description") == english(entry.phone_note)
    assert {"999", "111", "101"} <= {p["number"] for p in shipped["phones"]}


def test_schedules_match_opening_hours(shipped: dict[str, Any], kb: KnowledgeBase) -> None:
    codes = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
    with_hours = 0
    for entry in kb.services:
        weekly = [s for s in records_of(shipped, "schedules", entry.id) if "freq" in s]
        expected = [
            ("WEEKLY", ",".join(codes[d] for d in hours.days), f"{hours.opens:%H:%M:%S}", f"{hours.closes:%H:%M:%S}")
            for hours in entry.opening_hours
        ]
        if entry.open_24_7:
            expected = [("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "00:00:00", "23:59:59")]
        assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in weekly] == expected, entry.id
        with_hours += bool(expected)
    assert with_hours >= 5


def test_mini_schedule_and_notes(mini_doc: dict[str, Any]) -> None:
    (schedule,) = records_of(mini_doc, "schedules", "food-place")
    assert schedule["byday"] == "MO,TU,WE,TH,FR"
    assert (schedule["opens_at"], schedule["closes_at"]) == ("10:00:00", "16:00:00")
    assert records_of(mini_doc, "schedules", "yarmouth-advice") == []


def test_hours_note_without_hours_is_a_schedule_description(shipped: dict[str, Any], kb: KnowledgeBase) -> None:
    entry = kb.entry("bridge-plus")
    assert entry is not None
    (schedule,) = records_of(shipped, "schedules", "bridge-plus")
    assert "freq" not in schedule
    assert schedule["description"] == english(entry.hours_note)  # type: ignore[attr-defined]


def test_physical_address_where_we_have_one(mini_doc: dict[str, Any]) -> None:
    location_id = hsds_id("location", "food-place")
    location = by_id(mini_doc, "locations")[location_id]
    assert location["location_type"] == "physical"
    (address,) = [a for a in mini_doc["addresses"] if a["location_id"] == location_id]
    assert address == {
        "id": hsds_id("address", "food-place"),
        "location_id": location_id,
        "address_1": "1 Test Street",
        "city": "Norwich",
        "state_province": "Norfolk",
        "postal_code": "NR1 1AA",
        "country": "GB",
        "address_type": "physical",
    }
    (link,) = mini_doc["service_at_locations"]
    assert link["service_id"] == hsds_id("service", "food-place")
    assert link["location_id"] == location_id
    assert hsds_id("location", "yarmouth-advice") not in by_id(mini_doc, "locations")


def test_address_without_postcode_stays_text_on_the_location(shipped: dict[str, Any]) -> None:
    location = by_id(shipped, "locations")[hsds_id("location", "ncls")]
    assert location["description"].startswith("Colegate, Norwich.")
    assert not [a for a in shipped["addresses"] if a["location_id"] == location["id"]]


def test_addresses_are_split_without_guessing(kb: KnowledgeBase) -> None:
    places = _Places(kb.places)
    assert parse_address("44-48 Magdalen Street, Sackville Business Place, Norwich, Norfolk, NR3 1JU", [], places) == {
        "address_1": "44-48 Magdalen Street, Sackville Business Place",
        "city": "Norwich",
        "state_province": "Norfolk",
        "postal_code": "NR3 1JU",
    }
    kings_lynn = parse_address("King's Court, Chapel Street, King's Lynn PE30 1EX", ["kings-lynn"], places)
    assert kings_lynn is not None
    assert (kings_lynn["city"], kings_lynn["state_province"]) == ("King's Lynn", "Norfolk")
    assert parse_address("Colegate, Norwich", ["norwich"], places) is None  # no postcode
    assert parse_address("Norwich NR1 1AA", ["norwich"], places) is None  # no street
    assert parse_address("1 High Street, Nowhere AB1 2CD", [], places) is None  # county unknown


def test_service_areas_and_needs(mini_doc: dict[str, Any]) -> None:
    areas = records_of(mini_doc, "service_areas", "yarmouth-advice")
    assert [a["name"] for a in areas] == ["Great Yarmouth"]
    terms = {t["id"]: t for t in mini_doc["taxonomy_terms"]}
    service_id = hsds_id("service", "yarmouth-advice")
    needs = [terms[a["taxonomy_term_id"]]["code"] for a in mini_doc["attributes"] if a["link_id"] == service_id]
    assert needs == ["legal-advice", "housing"]


def test_languages_note_is_interpretation_services(shipped: dict[str, Any], kb: KnowledgeBase) -> None:
    noted = [e for e in kb.services if e.languages_note]
    assert noted
    services = by_id(shipped, "services")
    for entry in noted:
        assert services[hsds_id("service", entry.id)]["interpretation_services"] == english(entry.languages_note)
    assert shipped["languages"] == []


def test_cli_writes_valid_json_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "hsds.json"
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", "--format", "hsds", "--output", str(target), "--knowledge", str(MINI)], out, err)
    assert code == 0, err.getvalue()
    assert f"Wrote {target}" in out.getvalue()
    document = json.loads(target.read_text(encoding="utf-8"))
    assert len(document["organizations"]) == 5
    assert document == json.loads(json.dumps(export(load(MINI))))


def test_cli_prints_json_without_output() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["export", "--format", "hsds", "--knowledge", str(MINI)], out, err) == 0
    assert json.loads(out.getvalue())["hsds_version"] == "3.0"


def test_plain_json_export_is_unchanged_and_can_go_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "kb.json"
    out, err = io.StringIO(), io.StringIO()
    assert main(["export", "--knowledge", str(MINI), "--output", str(target)], out, err) == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert set(document) == {"organisations", "helplines", "events"}
