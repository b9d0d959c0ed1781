"""Which organisations are nearest to a shared location, by their town (or own coordinates).

Organisations carry coordinates only when their address is sourced; otherwise the town in their
address, or the one town they serve, stands in, at its centre (rounded to about 1 km). Replies
therefore say "about N km", and never pretend to walking directions.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import asin, cos, radians, sin, sqrt

from bot.knowledge import KnowledgeBase
from bot.schema import Coordinates, Organisation, Place
from bot.text import tokenize

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Nearby:
    organisation: Organisation
    km: float
    town: Place | None  # the town whose centre stood in; None when the organisation has coordinates


def distance_km(a: Coordinates, b: Coordinates) -> float:
    """Great-circle distance (haversine)."""
    dlat, dlon = radians(b.lat - a.lat), radians(b.lon - a.lon)
    h = sin(dlat / 2) ** 2 + cos(radians(a.lat)) * cos(radians(b.lat)) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(h))


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def town_of(organisation: Organisation, kb: KnowledgeBase) -> Place | None:
    """The town (a place with a centre) named in the address, else the only such town it serves."""
    towns = [p for p in kb.places if p.centre is not None]
    if organisation.address:
        words = tokenize(organisation.address)
        for town in towns:
            if any(_contains(words, tokenize(name)) for name in (town.name, *town.aliases)):
                return town
        return None
    served = [t for t in towns if t.id in organisation.areas]
    return served[0] if len(served) == 1 else None


def nearest(kb: KnowledgeBase, here: Coordinates, limit: int = 3) -> list[Nearby]:
    found: list[Nearby] = []
    for organisation in kb.organisations:
        if organisation.coordinates is not None:
            found.append(Nearby(organisation, distance_km(here, organisation.coordinates), None))
            continue
        town = town_of(organisation, kb)
        if town is not None and town.centre is not None:
            found.append(Nearby(organisation, distance_km(here, town.centre), town))
    found.sort(key=lambda n: (round(n.km), n.organisation.name))
    return found[:limit]
