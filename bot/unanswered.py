"""What people asked that the bot could not answer, grouped, shown only when several people asked.

A wording reaches volunteers only once three different people asked something like it, so no
single person's question can be read back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.text import fold

SIMILAR = 80.0  # rapidfuzz token_set_ratio for "something like it"
MIN_PEOPLE = 3


@dataclass
class Group:
    wording: str
    people: set[str] = field(default_factory=set)
    wordings: dict[str, int] = field(default_factory=dict)


def frequent_wordings(rows: Iterable[tuple[str, str]], min_people: int = MIN_PEOPLE) -> list[tuple[str, int]]:
    """(most common wording, number of different people) for groups asked by at least `min_people`."""
    groups: list[Group] = []
    for text, asker in rows:
        key = fold(text)
        group = next((g for g in groups if fuzz.token_set_ratio(key, fold(g.wording)) >= SIMILAR), None)
        if group is None:
            group = Group(text)
            groups.append(group)
        group.people.add(asker)
        group.wordings[text] = group.wordings.get(text, 0) + 1
    found = []
    for group in groups:
        if len(group.people) >= min_people:
            wording = max(group.wordings.items(), key=lambda kv: kv[1])[0]
            found.append((wording, len(group.people)))
    return sorted(found, key=lambda item: -item[1])
