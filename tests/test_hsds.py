"""`export --format hsds`: the knowledge base as Open Referral HSDS 3.0 JSON.

No HSDS JSON Schema is available offline, so the objects are checked against the fields of the HSDS
3.0 schema files (openreferral/specification, schema/*.json): every field we write is an HSDS field,
every required field is there, ids are UUIDs and every *_id points at a record.
"""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.hsds import NAMESPACE, TABLES, _Places, export, hsds_id, parse_address
from bot.knowledge import KnowledgeBase, load
from bot.schema import english
from tests.conftest import KNOWLEDGE, MINI

# HSDS 3.0: the object each table holds, its required fields, and all its (non-array) fields.
HSDS: dict[str, tuple[str, set[str], set[str]]] = {
    "organizations": (
        "organization",
        {"id", "name", "description"},
        {"id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
         "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"},
    ),
    "services": (
        "service",
        {"id", "name", "status"},
        {"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status",
         "interpretation_services", "application_process", "fees_description", "wait_time", "fees",
         "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date",
         "assurer_email", "licenses", "alert", "last_modified"},
    ),
    "locations": (
        "location",
        {"id", "location_type"},
        {"id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
         "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"},
    ),
    "addresses": (
        "address",
        {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
        {"id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province",
         "postal_code", "country", "address_type"},
    ),
    "service_at_locations": ("service_at_location", {"id"}, {"id", "service_id", "location_id", "description"}),
    "phones": (
        "phone",
        {"id", "number"},
        {"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number",
         "extension", "type", "description"},
    ),
    "schedules": (
        "schedule",
        {"id"},
        {"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart",
         "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday",
         "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"},
    ),
    "service_areas": (
        "service_area",
        {"id"},
        {"id", "service_id", "name", "description", "extent", "extent_type", "uri"},
    ),
    "languages": ("language", {"id"}, {"id", "service_id", "location_id", "phone_id", "name", "code", "note"}),
    "taxonomies": ("taxonomy", {"id", "name", "description"}, {"id", "name", "description", "uri", "version"}),
    "taxonomy_terms": (
        "taxonomy_term",
        {"id", "name", "description"},
        {"id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"},
    ),
    "attributes": (
        "attribute",
        {"id"},
        {"id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label"},
    ),
}  # fmt: skip
FOREIGN_KEYS = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "taxonomy_id": "taxonomies",
    "taxonomy_term_id": "taxonomy_terms",
    "link_id": "services",
}
ENUMS = {
    ("services", "status"): {"active", "inactive", "defunct", "temporarily closed"},
    ("locations", "location_type"): {"physical", "postal", "virtual"},
    ("addresses", "address_type"): {"physical", "postal", "virtual"},
    ("schedules", "freq"): {"WEEKLY", "MONTHLY"},
}


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
def test_records_use_hsds_3_field_names_and_have_the_required_ones(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    document = request.getfixturevalue(fixture)
    assert document["hsds_version"] == "3.0"
    assert set(TABLES) == set(HSDS)
    for table, (_, required, allowed) in HSDS.items():
        for record in document[table]:
            assert required <= set(record), (table, record)
            assert set(record) <= allowed, (table, set(record) - allowed)
            for field, value in record.items():
                assert isinstance(value, str | int | float), (table, field)
                assert value != "", (table, field)
                if (table, field) in ENUMS:
                    assert value in ENUMS[table, field], (table, field, value)


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
            ("WEEKLY", ",".join(codes[d] for d in hours.days), f"{hours.opens:%H:%M}", f"{hours.closes:%H:%M}")
            for hours in entry.opening_hours
        ]
        if entry.open_24_7:
            expected = [("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")]
        assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in weekly] == expected, entry.id
        with_hours += bool(expected)
    assert with_hours >= 5


def test_mini_schedule_and_notes(mini_doc: dict[str, Any]) -> None:
    (schedule,) = records_of(mini_doc, "schedules", "food-place")
    assert schedule["byday"] == "MO,TU,WE,TH,FR"
    assert (schedule["opens_at"], schedule["closes_at"]) == ("10:00", "16:00")
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
