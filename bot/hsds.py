"""The knowledge base as Open Referral HSDS 3.0 (Human Services Data Specification) JSON.

`python run_bot.py export --format hsds` writes one JSON object with a list per HSDS object:
organizations, services, locations, addresses, service_at_locations, phones, schedules,
service_areas, languages, taxonomies, taxonomy_terms and attributes. Records are flat and linked
by their `*_id` fields, as in HSDS's tabular data package; object and field names are HSDS 3.0's.

Each of our organisations and helplines becomes an organization with one service. Events have no
HSDS object and are left out. Every id is a UUID derived from our id (a UUIDv5 in a namespace of
our own), so the same entry keeps the same id in every export and a directory that imports it can
update its records instead of duplicating them.

What goes where:

- `description` is the English text; `assured_date` (on the service) is our `checked_on`, the day a
  volunteer confirmed the details with the organisation (absent where nobody has);
  `alert` is our `caution`; `interpretation_services` is our `languages_note`;
  `eligibility_description` says so for an entry that is for people seeking sanctuary.
- A location exists where we have an address or coordinates. Its address record is filled only
  when the address ends in a postcode (HSDS requires street, city, county and postcode); otherwise
  the address text is in the location's description. Nothing is guessed.
- Opening hours become weekly schedules (`freq` WEEKLY, `byday` MO,TU..., `opens_at`/`closes_at`
  as HH:MM:SS, the data package type `time` that HSDS gives them, in local Europe/London time, so
  no UTC offset is given: it changes with the clocks). Open 24/7 is every day 00:00:00-23:59:59.
  A `hours_note` is each schedule's description.
- Our needs are a taxonomy; each service has an attribute per need it serves.
- `languages` stays empty: we note languages in words (`languages_note`), not as codes.
"""

from __future__ import annotations

import re
import uuid
from datetime import time
from typing import Any

from bot.knowledge import KnowledgeBase
from bot.schema import Place, Service, english

HSDS_VERSION = "3.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://sanctuary-bot.example/hsds")
"""The namespace of every id we publish: uuid5(NAMESPACE, "organization/<our id>") and so on."""

TIMEZONE = "Europe/London"
COUNTRY = "GB"
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
TABLES = (
    "organizations",
    "services",
    "locations",
    "addresses",
    "service_at_locations",
    "phones",
    "schedules",
    "service_areas",
    "languages",
    "taxonomies",
    "taxonomy_terms",
    "attributes",
)
NEEDS_TAXONOMY = "Sanctuary Bot needs"
FOR_SANCTUARY_SEEKERS = "People seeking sanctuary: refugees and people seeking asylum."

_POSTCODE = re.compile(r"[,\s]*\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\s*$", re.IGNORECASE)


def hsds_id(kind: str, *parts: str) -> str:
    """The stable UUID of one record: `kind` is the HSDS object, `parts` our ids that identify it."""
    return str(uuid.uuid5(NAMESPACE, "/".join((kind, *parts))))


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if value is not None and value != ""}


def _key(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").casefold().split())


class _Places:
    """Places by every name and alias, and the county each lies in (uk > england > norfolk > ...)."""

    def __init__(self, places: tuple[Place, ...]) -> None:
        self.by_id = {place.id: place for place in places}
        self.by_name = {_key(name): place for place in places for name in (place.name, *place.aliases)}

    def find(self, name: str) -> Place | None:
        return self.by_name.get(_key(name))

    def chain(self, place: Place) -> list[Place]:
        """The place and what it lies within, following the first `within` each time, top first."""
        found = [place]
        while found[-1].within and found[-1].within[0] in self.by_id and len(found) < 20:
            parent = self.by_id[found[-1].within[0]]
            if parent in found:
                break
            found.append(parent)
        return found[::-1]

    def county(self, place: Place) -> Place | None:
        """The third level of places.yaml (the UK, a nation, then a county), if the place is that deep."""
        chain = self.chain(place)
        return chain[2] if len(chain) > 2 else None


def parse_address(text: str, areas: list[str], places: _Places) -> dict[str, str] | None:
    """address_1, city, state_province and postal_code of a UK address that ends in a postcode, else None.

    "44-48 Magdalen Street, Norwich, Norfolk, NR3 1JU": the part before the postcode is the city,
    unless it is a place that the part before it lies within (then that is the county). Without a
    county in the text, it is the county that places.yaml puts the city (or the entry's area) in.
    """
    match = _POSTCODE.search(text)
    if match is None:
        return None
    postal_code = f"{match.group(1)} {match.group(2)}".upper()
    parts = [part.strip() for part in text[: match.start()].split(",") if part.strip()]
    county: str | None = None
    if len(parts) >= 3:
        outer, inner = places.find(parts[-1]), places.find(parts[-2])
        if outer is not None and inner is not None and outer != inner and outer in places.chain(inner):
            county = parts.pop()
    if len(parts) < 2:
        return None
    city = parts.pop()
    if county is None:
        known = places.find(city) or next((places.by_id[a] for a in areas if a in places.by_id), None)
        found = places.county(known) if known is not None else None
        county = found.name if found is not None else None
    if county is None:
        return None
    return {"address_1": ", ".join(parts), "city": city, "state_province": county, "postal_code": postal_code}


def export(kb: KnowledgeBase) -> dict[str, Any]:
    """The whole knowledge base as one HSDS 3.0 JSON object (see the module's docstring)."""
    places = _Places(kb.places)
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    taxonomy_id = hsds_id("taxonomy", "needs")
    tables["taxonomies"].append(
        {
            "id": taxonomy_id,
            "name": NEEDS_TAXONOMY,
            "description": "The kinds of help people seeking sanctuary in Norfolk ask Sanctuary Bot about.",
        }
    )
    for need in kb.needs:
        label = english(need.label) or need.id
        tables["taxonomy_terms"].append(
            _clean(
                {
                    "id": hsds_id("taxonomy_term", need.id),
                    "code": need.id,
                    "name": label,
                    "description": label,
                    "taxonomy": NEEDS_TAXONOMY,
                    "taxonomy_id": taxonomy_id,
                    "language": "en",
                }
            )
        )
    for service in kb.services:
        _add_service(service, tables, places)
    return {"hsds_version": HSDS_VERSION, "timezone": TIMEZONE, "knowledge_version": kb.version, **tables}


def _add_service(entry: Service, tables: dict[str, list[dict[str, Any]]], places: _Places) -> None:
    organization_id = hsds_id("organization", entry.id)
    service_id = hsds_id("service", entry.id)
    description = english(entry.description) or ""
    alternate_name = entry.aliases[0] if entry.aliases else None
    tables["organizations"].append(
        _clean(
            {
                "id": organization_id,
                "name": entry.name,
                "alternate_name": alternate_name,
                "description": description,
                "email": entry.email,
                "website": entry.website,
            }
        )
    )
    tables["services"].append(
        _clean(
            {
                "id": service_id,
                "organization_id": organization_id,
                "name": entry.name,
                "alternate_name": alternate_name,
                "description": description,
                "url": entry.website,
                "email": entry.email,
                "status": "active",
                "interpretation_services": english(entry.languages_note),
                "eligibility_description": FOR_SANCTUARY_SEEKERS if entry.for_sanctuary_seekers else None,
                "assured_date": entry.checked_on.isoformat() if entry.checked_on else None,
                "alert": english(entry.caution),
            }
        )
    )
    if entry.phone is not None:
        tables["phones"].append(
            _clean(
                {
                    "id": hsds_id("phone", entry.id),
                    "service_id": service_id,
                    "organization_id": organization_id,
                    "number": entry.phone,
                    "type": "voice",
                    "description": english(entry.phone_note),
                }
            )
        )
    _add_location(entry, organization_id, service_id, tables, places)
    _add_schedules(entry, service_id, tables)
    for area in entry.areas:
        place = places.by_id.get(area)
        tables["service_areas"].append(
            _clean(
                {
                    "id": hsds_id("service_area", entry.id, area),
                    "service_id": service_id,
                    "name": place.name if place is not None else area,
                }
            )
        )
    for need in entry.needs:
        tables["attributes"].append(
            {
                "id": hsds_id("attribute", entry.id, need),
                "link_id": service_id,
                "link_entity": "service",
                "taxonomy_term_id": hsds_id("taxonomy_term", need),
            }
        )


def _add_location(
    entry: Service, organization_id: str, service_id: str, tables: dict[str, list[dict[str, Any]]], places: _Places
) -> None:
    if entry.address is None and entry.coordinates is None:
        return
    location_id = hsds_id("location", entry.id)
    address = parse_address(entry.address, list(entry.areas), places) if entry.address else None
    notes = (
        [english(entry.address_note)]
        if address is not None or entry.address is None
        else [entry.address, english(entry.address_note)]
    )
    tables["locations"].append(
        _clean(
            {
                "id": location_id,
                "location_type": "physical",
                "organization_id": organization_id,
                "name": entry.name,
                "description": " ".join(_sentence(n) for n in notes if n) or None,
                "latitude": entry.coordinates.lat if entry.coordinates else None,
                "longitude": entry.coordinates.lon if entry.coordinates else None,
            }
        )
    )
    if address is not None:
        tables["addresses"].append(
            {
                "id": hsds_id("address", entry.id),
                "location_id": location_id,
                **address,
                "country": COUNTRY,
                "address_type": "physical",
            }
        )
    tables["service_at_locations"].append(
        {"id": hsds_id("service_at_location", entry.id), "service_id": service_id, "location_id": location_id}
    )


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _clock(value: time) -> str:
    """A time as HSDS's `time` (the data package type, ISO 8601): HH:MM:SS."""
    return f"{value:%H:%M:%S}"


def _add_schedules(entry: Service, service_id: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    def schedule(index: int, **fields: Any) -> dict[str, Any]:
        return _clean(
            {"id": hsds_id("schedule", entry.id, str(index)), "service_id": service_id, **fields}
            | {"description": fields.get("description", english(entry.hours_note))}
        )

    if entry.open_24_7:
        note = english(entry.hours_note) or "Open 24 hours a day, 7 days a week."
        tables["schedules"].append(
            schedule(
                0,
                freq="WEEKLY",
                byday=",".join(BYDAY.values()),
                opens_at=_clock(time.min),
                closes_at=_clock(time(23, 59, 59)),
                description=note,
            )
        )
        return
    for index, hours in enumerate(entry.opening_hours):
        tables["schedules"].append(
            schedule(
                index,
                freq="WEEKLY",
                byday=",".join(BYDAY[day] for day in hours.days),
                opens_at=_clock(hours.opens),
                closes_at=_clock(hours.closes),
            )
        )
    if not entry.opening_hours and entry.hours_note:
        tables["schedules"].append(schedule(0))
