"""What people asked that the bot could not answer, grouped, shown only when several people asked.

A wording reaches volunteers only once three different people asked something like it, so no
single person's question can be read back. Different people are told apart by a keyed hash of
their chat id; the key lives in a file beside the database, never in it, and is replaced every 30
days: a copy of the database alone links no row to anyone, and once a key is destroyed (with the
last of its rows) nothing can.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.crisis import _GROUP, _PHRASE, _UNCERTAIN  # the crisis lexicon's key prefixes
from bot.text import fold, tokenize

if TYPE_CHECKING:
    from bot.matching import Index

SIMILAR = 80.0  # rapidfuzz token_set_ratio for "something like it"
MIN_PEOPLE = 3
KEEP_DAYS = 30
"""Days an unanswered question is kept, and days a key is used before it is replaced."""
HARM_GROUPS = frozenset(
    {
        "kill", "die", "hopeless", "despair", "end-all", "goodbye", "last-thanks", "jump", "hang", "cut",
        "swallow", "pills", "poison", "bleed", "unresponsive", "body-emergency", "hit", "threat", "danger",
        "fear", "weapon", "sexual", "touch", "forced", "abuse-topic", "held", "took", "missing", "grooming",
        "fire", "gas",
    }
)  # fmt: skip
"""Crisis word groups whose words alone mean harm: a question with one of them is never kept, even
when the crisis detector found too little to ask whether the person is safe. ("abuser", "not-want"
are left out: "partner", "people", "can't pay" are in most questions.)"""


def harm_words(index: Index, text: str) -> bool:
    """Whether the message has a word of a crisis phrase or of a harm group, whatever its context:
    wider than the crisis detector, which needs words together before it asks."""
    for hit in index.crisis.lexicon.hits(tokenize(text)):
        if hit.key.startswith((_PHRASE, _UNCERTAIN)) or hit.key.removeprefix(_GROUP) in HARM_GROUPS:
            return True
    return False


@dataclass(frozen=True)
class AskerKey:
    id: str
    created: date
    secret: bytes = field(repr=False)

    def hash(self, chat_id: int) -> str:
        return hmac.new(self.secret, str(chat_id).encode(), hashlib.sha256).hexdigest()[:16]


class AskerKeys:
    """The keys of the per-person hash, in one file (mode 0600) beside the database.

    The newest key is used for KEEP_DAYS days, then replaced. An older key is kept only while rows
    made with it may remain (KEEP_DAYS after it was replaced), so that /forget still finds them; the
    store deletes the rows of a key that is gone. Used from the store's one writer thread only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[AskerKey]:
        """The keys, oldest first; none when there is no file (or an unreadable one: a new key is
        made, and the rows of the lost ones are deleted as unlinkable)."""
        try:
            lines = self.path.read_text(encoding="ascii").splitlines()
        except FileNotFoundError:
            return []
        keys = []
        for line in lines:
            try:
                key_id, created, secret = line.split()
                keys.append(AskerKey(key_id, date.fromisoformat(created), bytes.fromhex(secret)))
            except ValueError:
                continue
        return sorted(keys, key=lambda k: k.created)

    def save(self, keys: list[AskerKey]) -> None:
        """Written whole to a new file that only this user may read, then moved over the old one."""
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.writelines(f"{k.id} {k.created.isoformat()} {k.secret.hex()}\n" for k in keys)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def retire(self, today: date) -> list[AskerKey]:
        """Destroy the keys none of whose rows can be left: replaced KEEP_DAYS days ago or more."""
        keys = self.load()
        live = [key for key, newer in pairwise(keys) if self._recent(newer, today)] + keys[-1:]
        if len(live) != len(keys):
            self.save(live)
        return live

    def current(self, today: date) -> AskerKey:
        """The key to hash with today: a new one when the newest is KEEP_DAYS days old."""
        keys = self.retire(today)
        if keys and self._recent(keys[-1], today):
            return keys[-1]
        key = AskerKey(secrets.token_hex(4), today, secrets.token_bytes(32))
        self.save([*keys, key])
        return key

    def hashes(self, chat_id: int) -> list[str]:
        """This chat's hash under every key that may still have rows: what /forget deletes."""
        return [key.hash(chat_id) for key in self.load()]

    @staticmethod
    def _recent(key: AskerKey, today: date) -> bool:
        return key.created > today - timedelta(days=KEEP_DAYS)


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
