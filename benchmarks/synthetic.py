"""Synthetic knowledge bases of any size, in the shipped YAML format, generated deterministically.

Every file but organisations.yaml is copied from the shipped knowledge base. The organisations have
realistic names ("Thetford Community Food Hub") but contact details that cannot be mistaken for real
ones: example.org addresses and phone numbers from Ofcom's range reserved for drama (01632 960xxx).
"""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SHIPPED = Path(__file__).resolve().parent.parent / "knowledge"
COPIED = (
    "needs.yaml",
    "crisis.yaml",
    "crisis-groups.yaml",
    "words.yaml",
    "places.yaml",
    "helplines.yaml",
    "events.yaml",
)
VERIFIED = date(2024, 1, 15)
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

KINDS: dict[str, tuple[str, ...]] = {
    "legal-advice": ("Refugee Advice Centre", "Immigration Law Clinic", "Asylum Legal Advice Project"),
    "housing": ("Housing Advice Service", "Night Shelter", "Homeless Support Project"),
    "asylum-support": ("Asylum Support Drop-in", "Asylum Seekers' Help Desk"),
    "food": ("Community Food Hub", "Food Bank", "Community Pantry", "Community Fridge"),
    "health": ("Health Access Project", "Community Health Drop-in"),
    "mental-health": ("Wellbeing Service", "Mental Health Support Group"),
    "money": ("Money Advice Centre", "Debt and Benefits Advice"),
    "english-classes": ("ESOL Centre", "English Conversation Club", "English Language School"),
    "education": ("Learning Centre", "Education Support Project"),
    "work": ("Employment Hub", "Jobs Club", "Volunteering Centre"),
    "community": ("Community Centre", "Friendship Café", "Welcome Café", "Sports Club"),
    "children-families": ("Family Hub", "Children's Centre", "Parents' Group"),
    "women": ("Women's Centre", "Women's Group"),
    "emergency": ("Crisis Support Service",),
    "interpreting": ("Interpreting Service", "Community Interpreters"),
    "welcome-training": ("Sanctuary Training Network", "Welcome Volunteers"),
}
QUALIFIERS = (
    "",
    "St Mary's",
    "Riverside",
    "Northgate",
    "Westfield",
    "Trinity",
    "Oak Tree",
    "Unity",
    "Hope",
    "Open Door",
    "Market Place",
    "Station Road",
    "Friends",
    "Meeting House",
    "All Saints",
    "Orchard",
    "Millfield",
    "Eastgate",
    "Priory",
    "Heartsease",
    "Phoenix",
    "Lighthouse",
    "Rainbow",
    "Harbour",
    "Beacon",
    "Springwood",
    "Willow",
    "Cedar",
    "Greenacre",
    "Castle",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat")


def generate(directory: Path, organisations: int, seed: int = 2024) -> Path:
    """Write a knowledge base with `organisations` synthetic organisations into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(SHIPPED / name, directory / name)
    places = _load(SHIPPED / "places.yaml")["places"]
    labels = {n["id"]: _english(n["label"]).lower() for n in _load(SHIPPED / "needs.yaml")["needs"]}
    organisers = list(
        dict.fromkeys(e["organiser"] for e in _load(SHIPPED / "events.yaml")["events"] if "organiser" in e)
    )
    rng = random.Random(seed)
    entries = _organisations(rng, organisations, places, labels, organisers)
    lines = [f"# Synthetic: {organisations} made-up organisations (seed {seed}). Not real services.", "organisations:"]
    for entry in entries:
        lines += ["", *_yaml_entry(entry)]
    (directory / "organisations.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def _yaml_entry(entry: dict[str, Any]) -> list[str]:
    """One entry in the shipped style (flow lists, quoted text). yaml.dump is ~100 times slower."""
    lines: list[str] = []
    for key, value in entry.items():
        prefix = "  - " if not lines else "    "
        if key == "opening_hours":
            lines.append(f"{prefix}{key}:")
            for hours in value:
                lines.append(f"      - days: {_flow(hours['days'])}")
                lines.append(f"        opens: {_quoted(hours['opens'])}")
                lines.append(f"        closes: {_quoted(hours['closes'])}")
        elif key == "sources":
            lines.append(f"{prefix}{key}:")
            lines += [f"      - {source}" for source in value]
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: {_flow(value)}")
        elif isinstance(value, bool):
            lines.append(f"{prefix}{key}: {'true' if value else 'false'}")
        elif isinstance(value, date) or key in ("id", "email", "website"):
            lines.append(f"{prefix}{key}: {value}")
        else:
            lines.append(f"{prefix}{key}: {_quoted(str(value))}")
    return lines


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(item if _SLUG.fullmatch(item) else _quoted(item) for item in items) + "]"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _english(label: str | dict[str, str]) -> str:
    return label if isinstance(label, str) else label["en"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def _organisations(
    rng: random.Random, count: int, places: list[dict[str, Any]], labels: dict[str, str], organisers: list[str]
) -> list[dict[str, Any]]:
    """`count` organisations; the first ones carry the ids events name as organiser, and between them
    they serve every need (the loader rejects a need nobody serves)."""
    needs = list(labels)
    towns = [p for p in places if "centre" in p]
    parents = {p["id"]: p.get("within", []) for p in places}
    kinds = {need: KINDS.get(need, ("Support Service",)) for need in needs}  # a need added later still works
    combos = [(town, q, need, kind) for town in towns for q in QUALIFIERS for need in needs for kind in kinds[need]]
    rng.shuffle(combos)
    # Round-robin by need first, so that even a tiny knowledge base serves every need.
    by_need: dict[str, list[tuple[Any, str, str, str]]] = {n: [] for n in needs}
    for combo in combos:
        by_need[combo[2]].append(combo)
    ordered = [by_need[n][i] for i in range(max(map(len, by_need.values()))) for n in needs if i < len(by_need[n])]
    used: set[str] = set()
    entries: list[dict[str, Any]] = []
    for number in range(count):
        town, qualifier, need, kind = ordered[number % len(ordered)]
        name = " ".join(part for part in (town["name"], qualifier, kind) if part)
        if number >= len(ordered):
            name = f"{name} {number // len(ordered) + 1}"
        slug = organisers[number] if number < len(organisers) else _slug(name)
        while slug in used:
            slug = f"{slug}-{number}"
        used.add(slug)
        entries.append(_organisation(rng, number, slug, name, town, need, labels, parents))
    return entries


def _organisation(
    rng: random.Random,
    number: int,
    slug: str,
    name: str,
    town: dict[str, Any],
    need: str,
    labels: dict[str, str],
    parents: dict[str, list[str]],
) -> dict[str, Any]:
    served = [need, *rng.sample([n for n in labels if n != need], rng.randint(0, 3))]
    area = town["id"]
    if rng.random() < 0.2 and parents.get(area):
        area = parents[area][0]  # a district-wide service
    entry: dict[str, Any] = {
        "id": slug,
        "name": name,
        "description": (
            f"A made-up service for benchmarks. It helps with {'; '.join(labels[n] for n in served)} "
            f"for people in {town['name']} and nearby."
        ),
        "needs": served,
        "areas": [area],
        "for_sanctuary_seekers": rng.random() < 0.4,
        "phone": f"01632 960{number % 1000:03d}",
        "email": f"{slug}@example.org",
        "website": f"https://example.org/{slug}",
    }
    if rng.random() < 0.3:
        entry["aliases"] = ["".join(word[0] for word in name.split() if word[0].isalpha()).upper()]
    if rng.random() < 0.6:
        first = rng.randrange(len(DAYS) - 1)
        opens = rng.choice((9, 10, 11, 13))
        entry["opening_hours"] = [
            {
                "days": list(DAYS[first : first + rng.randint(1, 2)]),
                "opens": f"{opens:02d}:00",
                "closes": f"{opens + rng.choice((2, 3, 4)):02d}:00",
            }
        ]
    entry["sources"] = [f"https://example.org/sources/{slug}"]
    entry["information_from"] = VERIFIED
    return entry
