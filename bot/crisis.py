"""Recognising danger in a message: by phrases, and by word groups found close together.

A list of sentences misses what people actually write ("i took all my pills", "my friend wants to
jump from the bridge"), so most of the knowledge is in *combinations*: a word of each of a few
groups ("swallow + all-many + pills") within a few words of each other, in any order, in one
language. Phrases remain for what combinations cannot express. Exclusions ("kitchen knife",
"my phone died") cancel the crisis words they cover. Evidence that is real but not enough (a
combination spread over a long message, or one marked `uncertain`) asks "Are you safe right now?"
instead of the full crisis reply, so that an unclear message is never answered with silence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise, product

from bot.lexicon import Hit, Lexicon
from bot.schema import ROMANISED, CrisisGroup, CrisisWords, NotCrisis, combination_groups

WINDOW = 7
"""A combination's words lie within this many message words (at most five others between)."""

WIDE_WINDOW = 16
"""Farther apart than WINDOW but within this: some evidence only (a safety check)."""

EXCLUDE_WINDOW = 6
"""An exclusion's groups must be this close: "this homework is killing me", or with the verb at
the end as Farsi, Pashto and Sorani put it, "this English lesson really is killing me"."""

ORDERED_EXCLUDE_WINDOW = 2
"""An exclusion in a fixed order ("negation > hit") must be closer still: "he doesn't hit me" is not
"he doesn't stop hitting me"."""

_GROUP, _PHRASE, _UNCERTAIN, _EXCLUDE = "g:", "c:", "u:", "x"

TOPIC_NAMES = "abuse-topic"
"""The group of the names of kinds of abuse or harm ("sexual abuse", "suicide"): a message that
only names one ("where can I get help about sexual abuse") asks about a subject. Alone, such words
are some evidence (a safety check), not a clear crisis; "he sexually abused me" is clear."""

SERVICE_QUESTION = "service-question"
"""The group of asking about training, courses or volunteering: beside it, words that only name a
kind of abuse are the subject of the question, not evidence ("volunteer with women who lived
through domestic violence")."""
NEGATION = "negation"
RESOLVED = "resolved"
"""The group of "we found him", "now I'm ok": danger told in a sentence before it is over."""


PERSONAL = frozenset({"myself", "me", "want", "not-want", "hopeless", "despair", "now", "goodbye", "last-thanks"})
"""Groups that tie a message to the writer and the present: beside any of them, the name of a kind
of harm is not only the subject of a question about a service ("I want to talk about suicide")."""

TOLD_APART = frozenset({"suicide", "overdose"})
"""Topics whose weak evidence counts across sentences: "I bought rope today. Thank you for everything"."""


@dataclass(frozen=True, slots=True)
class Rule:
    topic: str
    groups: tuple[str, ...]
    certain: bool  # False: at most a safety check
    ordered: bool = False  # the groups' words must come in this order ("negation > hit")


@dataclass(frozen=True, slots=True)
class Assessment:
    """What a message shows of danger: topics that are clear, and topics with some evidence only."""

    certain: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()

    @property
    def level(self) -> str | None:
        """'crisis', 'check' (ask whether they are safe) or None."""
        return "crisis" if self.certain else "check" if self.uncertain else None

    @property
    def evidence(self) -> bool:
        return bool(self.certain or self.uncertain)


class CrisisDetector:
    """Built once per knowledge base; `assess` costs a few microseconds per message."""

    def __init__(
        self,
        topics: Sequence[CrisisWords],
        groups: Sequence[CrisisGroup],
        harmless: Sequence[NotCrisis] = (),
        stopwords: Iterable[str] = (),
        known: Iterable[str] = (),
    ) -> None:
        phrases: list[tuple[str, str, str]] = []
        for group in groups:
            phrases += [(_GROUP + group.id, text, lang) for lang, words in group.words.items() for text in words]
        self.rules: list[Rule] = []
        self.exclusions: list[tuple[tuple[str, ...], bool]] = []
        for topic in topics:
            phrases += [(_PHRASE + topic.topic, t, lang) for lang, words in topic.words.items() for t in words]
            phrases += [(_UNCERTAIN + topic.topic, t, lang) for lang, ws in topic.uncertain_words.items() for t in ws]
            for certain, combinations in ((True, topic.together), (False, topic.uncertain)):
                for combination in combinations:
                    groups_, ordered = combination_groups(combination)
                    self.rules.append(Rule(topic.topic, groups_, certain, ordered))
        for entry in harmless:
            phrases += [(_EXCLUDE, text, lang) for lang, words in entry.words.items() for text in words]
            self.exclusions += [combination_groups(c) for c in entry.together]
        self.lexicon = Lexicon(phrases, stopwords, known)
        self.topics = tuple(dict.fromkeys(t.topic for t in topics))

    def assess(
        self,
        tokens: Sequence[str],
        language: str | None = None,
        own: frozenset[str] = frozenset(),
        sentences: Sequence[int] | None = None,
    ) -> Assessment:
        """How much danger the message shows. `language` and `own` (that language's listed words)
        keep another language's words from counting where this one claims them; `sentences` (the
        sentence of each token) keeps weak evidence from being pieced together across sentences."""
        hits = self.lexicon.hits(tokens, language, own)
        if not hits:
            return Assessment()
        by_group: dict[str, list[Hit]] = defaultdict(list)
        excluded: set[int] = set()
        certain: dict[str, int] = {}  # topic -> first position, to keep the order of the message
        uncertain: dict[str, int] = {}
        findings: list[tuple[str, bool, tuple[int, ...]]] = []
        for hit in hits:
            key = hit.key
            if key.startswith(_GROUP):
                by_group[key[len(_GROUP) :]].append(hit)
            elif key == _EXCLUDE:
                excluded.update(hit.positions)
            else:
                findings.append((key[2:], key.startswith(_PHRASE), hit.positions))
        naming = {p for hit in by_group.get(TOPIC_NAMES, ()) for p in hit.positions}
        for groups, ordered in self.exclusions:
            # Romanised words with one other language: "film", claimed by English, beside a Finglish
            # "ghachagh-e ensan".
            # Not across a stop ("they will kill me. They are waiting outside" is not "waiting is
            # killing me"), except a question about a service, which is about the whole message.
            found = _combine(
                groups,
                by_group,
                ORDERED_EXCLUDE_WINDOW if ordered else EXCLUDE_WINDOW,
                ordered,
                one_language=False,
                sentences=None if SERVICE_QUESTION in groups else sentences,
            )
            if found is not None:
                excluded.update(found)
        for rule in self.rules:
            if not all(g in by_group for g in rule.groups):
                continue
            close = _combine(rule.groups, by_group, WINDOW, rule.ordered)
            if close is not None:
                named_only = naming.issuperset(close)
                if named_only and SERVICE_QUESTION in by_group:
                    continue  # "I want to volunteer with women who lived through domestic violence"
                findings.append((rule.topic, rule.certain and not (named_only and len(rule.groups) == 1), close))
                continue
            # Farther apart: some evidence only, in one sentence. Split between two sentences a
            # combination is usually two unrelated things ("take my tablets? the doctor gave me ...",
            # "it took me months. who can sort my papers"), except means and a farewell, told apart
            # ("I bought rope today. Thank you for everything").
            wide = _combine(rule.groups, by_group, WIDE_WINDOW, rule.ordered)
            if wide is None:
                continue
            if _one_sentence(wide, sentences) or (not rule.certain and rule.topic in TOLD_APART):
                findings.append((rule.topic, False, wide))
        # A volunteer's or an organiser's question about a subject ("a course on what to do if someone
        # talks about suicide", "who to call if a child discloses abuse"): the names it uses are not danger.
        # "I want to help people who feel suicidal": a wish that is part of the question about helping
        # others is not the writer's own.
        asking = {p for hit in by_group.get(SERVICE_QUESTION, ()) for p in hit.positions}
        personal = any(not asking.issuperset(hit.positions) for g in PERSONAL for hit in by_group.get(g, ()))
        about_service = bool(asking) and not personal
        # "I lost my son in Tesco and my heart stopped! We found him ... Everything is fine now": danger
        # told before a word that says it is over is past. Told after it, it still counts ("I was ok,
        # but he is back"), and so does a negated one ("ضاع ابني وما لقيناه", lost and not found).
        negated = {p for hit in by_group.get(NEGATION, ()) for p in hit.positions}
        settled = max(
            (
                h.positions[0]
                for h in by_group.get(RESOLVED, ())
                if negated.isdisjoint(range(h.positions[0] - 2, h.positions[-1] + 1))
            ),
            default=-1,
        )
        for topic, is_certain, positions in findings:
            if excluded.intersection(positions) or (about_service and naming.intersection(positions)):
                continue
            if settled > max(positions):
                continue
            target = certain if is_certain else uncertain
            target[topic] = min(target.get(topic, positions[0]), positions[0])
        clear = sorted(certain, key=certain.__getitem__)
        doubtful = sorted((t for t in uncertain if t not in certain), key=uncertain.__getitem__)
        return Assessment(tuple(clear), tuple(doubtful))


def _one_sentence(positions: Sequence[int], sentences: Sequence[int] | None) -> bool:
    return sentences is None or len({sentences[p] for p in positions}) == 1


def _combine(
    groups: tuple[str, ...],
    by_group: Mapping[str, list[Hit]],
    window: int,
    ordered: bool = False,
    one_language: bool = True,
    sentences: Sequence[int] | None = None,
) -> tuple[int, ...] | None:
    """Positions of one hit per group, all in one language (or, unless `one_language`, one language
    and romanised words), not overlapping, the nearest ends of
    the hits less than `window` words apart (and `ordered`: in the groups' order; with `sentences`:
    in one sentence); None when the message has no such choice."""
    if not all(g in by_group for g in groups):
        return None
    best: tuple[int, ...] | None = None
    best_gap = window
    for choice in product(*(by_group[g] for g in groups)):
        languages = {hit.phrase.language for hit in choice}
        if len(languages if one_language else languages - {ROMANISED}) > 1:
            continue
        positions = [p for hit in choice for p in hit.positions]
        if len(set(positions)) < len(positions) or not _one_sentence(positions, sentences):
            continue
        if ordered and any(a.positions[-1] >= b.positions[0] for a, b in pairwise(choice)):
            continue
        gap = max(hit.positions[0] for hit in choice) - min(hit.positions[-1] for hit in choice)
        if gap < best_gap:
            best, best_gap = tuple(sorted(positions)), gap
    return best
