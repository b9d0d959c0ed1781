"""From a question to ranked organisations, helplines and events.

The index is built once per knowledge-base version and never reads files. A question is first
*understood* (crisis words, needs, names, places, event words, date windows: each found by the
same phrase matcher) and then every candidate entry is *scored* from that understanding.
Scores are on a 0-100 scale; below `ABSTAIN_BELOW` the bot says it does not know rather than
guess, because a wrong food bank is worse than an honest "I'm not sure" with a human to call.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise

from rapidfuzz.distance import OSA

from bot import lemmas
from bot.common_words import WORDFREQ_LANGUAGES, common_words
from bot.crisis import Assessment, CrisisDetector
from bot.events import DATE_WORDS, LONDON, Occurrence, Window, next_occurrence, occurrence_in, window
from bot.knowledge import KnowledgeBase
from bot.lexicon import FUZZY, NAME_MIN_FUZZY, NEIGHBOUR, Hit, Lexicon, WordMatch, WordMatcher
from bot.schema import Entry, Event, Service
from bot.text import asked_sentences, sentence_numbers, sound_key, sound_keys, token_script, tokenize

ABSTAIN_BELOW = 35.0
TENTATIVE_FROM = 20.0  # below ABSTAIN_BELOW, with a need understood: offered as "Is this what you need?"
SECOND_NEED_SHARE = 0.9  # a second need this strong beside the first is asked for too
SECOND_NEED_APART = 3  # words between them, so that a need that qualifies the other is not a second
AMBIGUOUS_WITHIN = 4.0

# Weights of the evidence, in points of the 0-100 score.
NAME_POINTS = 55.0  # the question names this entry
NEED_POINTS = 40.0  # the entry serves what the question asks for
PLACE_POINTS = 15.0  # the entry serves the town the question names
WRONG_PLACE_POINTS = -12.0  # the question names a town this entry does not serve
GENERAL_POINTS = 28.0  # "help for refugees in <town>": no need named, a town is
EVENT_WORD_POINTS = 20.0  # "when", "meeting", "party" ...
IN_WINDOW_POINTS = 20.0  # the event falls in the window asked about ("this week")
OUT_OF_WINDOW_POINTS = -30.0
PAST_POINTS = -15.0  # an event that is over, unless asked for by name
NAME_WORD_POINTS = 2.0  # per word of the name matched: "Thetford Town of Sanctuary" beats "Town of Sanctuary"
SCENE_WEIGHT = 0.4  # a need word that only sets the scene ("Home Office", "hotel")
REQUEST_WEIGHT = 1.5  # a need word next to how people ask ("I need", "where can I", "بدي")
REQUEST_REACH = 3  # words between the request and the need's word, either side (verb-final languages)
FIRST_WEIGHT = 2.0  # a need named right after "first thing", "right now", "головне": it comes first
FIRST_REACH = 6  # words from "first thing" to the need's word ("first thing we have had no food")
STORY_SENTENCES = 3  # sentences that only tell, before a message is a story with a question in it
ASKED_WEIGHT = 1.5  # a need named in the one question of a story ("... is there a place that gives food?")
LATER_WEIGHT = 0.5  # a need named after "later", "plus tard", "بعدين": it can wait
ELSEWHERE_WEIGHT = 0.4  # a need's single word in a question the bot is not for ("the weather with friends")
ASKED_LATER_WEIGHT = 0.9  # of two needs asked for equally clearly, the one asked for second
ALSO_REACH = 3  # words between "and also" and the request it adds ("یه کار هم میخوام")
LATER_REACH = 4  # words after "later" to the need's word ("later also help finding a job")
MORE_EVIDENCE = 0.25  # each further mention of a need, after its strongest
SECONDARY_WEIGHT = 0.5  # a "secondary" need's evidence beside another need's ("school place for my son")
EVENTS_NEED_WEIGHT = 0.9  # an events question's need (see Need.events): enough to answer, below an asked need
UNREACHABLE_POINTS = -6.0  # no phone, email, website or address
MAX_GENERAL = 10  # entries scored for a "help in <town>" question, best first by what the town gives them
MAX_LOCAL = 300  # need-serving entries in an asked town scored outright, before the best-first search
MAX_ECHOES = 10
ECHO_POINTS = 3.0  # "food bank" asked, "Norwich Food Bank" serves it: a tie-breaker, not a name
# An entry's main need counts most, then its second, third, and the rest.
POSITION_FACTORS = (1.0, 0.93, 0.88, 0.83)
MAX_COMPANION_HOLDERS = 20  # a name's word shared by more names vouches for none of their other words
APART_NAME = 0.85  # a whole name whose words are scattered through the message, not written as a name
MIN_NAME_COVERAGE = 0.6  # share of a name's weight a partial mention must cover


@dataclass(frozen=True, slots=True)
class NameMatch:
    entry_id: str
    coverage: float  # 0..1 of the name's weight the question covers
    full: bool  # every word of one of its names is in the question
    words: int = 1  # how many words of the name the question has: the longest name matched wins ties
    positions: frozenset[int] = frozenset()  # message words a full, multi-word name used up


@dataclass
class Understanding:
    """What a question is about, before any entry is scored."""

    tokens: list[str]
    crisis: list[str] = field(default_factory=list)  # topics of clear danger, in the order of the message
    safety_check: list[str] = field(default_factory=list)  # topics with some evidence only: ask "are you safe?"
    needs: dict[str, float] = field(default_factory=dict)  # need id -> evidence weight
    need_positions: dict[str, set[int]] = field(default_factory=dict)  # need id -> where its words are
    added: set[str] = field(default_factory=set)  # needs asked for "also", after another (a second answer)
    names: dict[str, NameMatch] = field(default_factory=dict)
    echoes: set[str] = field(default_factory=set)  # entries whose name repeats the question's common words
    places: list[str] = field(default_factory=list)
    unserved_places: list[str] = field(default_factory=list)  # asked, but nobody listed serves the need there
    windows: list[Window] = field(default_factory=list)
    event_words: bool = False  # "party", "what's on": the question is about events
    events_question: bool = False  # "what is on this week?": answered with the events list (see `understand`)
    activities: list[str] = field(default_factory=list)  # an events question's own needs ("activities")
    asks_when: bool = False  # "when", "what time": events score, but alone it names no need
    general: bool = False
    greeting: bool = False
    thanks: bool = False
    content: bool = False  # any word that is not a greeting, thanks or filler

    @property
    def top_needs(self) -> list[str]:
        return sorted(self.needs, key=lambda n: -self.needs[n])


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    score: float
    occurrence: Occurrence | None = None  # for events: the occurrence shown
    need: str | None = None  # the need this entry was matched for, if any

    @property
    def kind(self) -> str:
        return self.entry.kind


@dataclass(frozen=True)
class Ranking:
    understanding: Understanding
    matches: tuple[Match, ...]  # confident matches, best first (empty: abstain)
    ambiguous: tuple[Match, ...] = ()  # two close candidates: ask "did you mean"
    tentative: tuple[Match, ...] = ()  # no confident match, but a need was understood: "is this it?"
    second: Match | None = None  # the best for a second need asked in the same message

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def _words(mapping: dict[str, list[str]]) -> Iterable[str]:
    for words in mapping.values():
        yield from words


def _tagged(key: str, mapping: dict[str, list[str]]) -> Iterable[tuple[str, str, str]]:
    """(key, phrase, language) for every phrase of a words-by-language mapping."""
    for language, words in mapping.items():
        for text in words:
            yield key, text, language


class Index:
    """Everything needed to understand and rank questions against one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        w = kb.words
        self.stopwords = frozenset(t for text in _words(w.stopwords) for t in tokenize(text))
        self.stopwords_by_language = {
            lang: frozenset(t for text in words for t in tokenize(text)) for lang, words in w.stopwords.items()
        }
        conversation = [
            *_tagged("greeting", w.greetings),
            *_tagged("thanks", w.thanks),
            *_tagged("event", w.events),
            *_tagged("whats-on", w.event_questions),
            *_tagged("when", w.when),
            *_tagged("general", w.general_help),
            *_tagged("request", w.requests),
            *_tagged("first", w.first),
            *_tagged("later", w.later),
            *_tagged("also", w.also),
            *_tagged("scene", w.scene),
            *_tagged("elsewhere", w.elsewhere),
            *(p for key, words in w.dates.items() for p in _tagged(f"date:{key}", words)),
        ]
        needs = [p for n in kb.needs for p in _tagged(n.id, n.words)]
        excludes = [p for n in kb.needs for p in _tagged(f"!{n.id}", n.exclude)]
        crisis = [p for c in kb.crisis for p in _tagged(c.topic, c.words)]
        crisis += [p for g in kb.crisis_groups for p in _tagged(g.id, g.words)]
        crisis += [p for x in kb.not_crisis for p in _tagged("", x.words)]
        places = [(p.id, x) for p in kb.places for x in (p.name, *p.aliases)]
        names = [(e.id, x) for e in self.entries for x in (e.name, *e.aliases, *e.name_translations.values())]
        vocabulary = {t for _, x, *_ in (*conversation, *needs, *crisis, *places, *names) for t in tokenize(x)}
        # An everyday word spelled right is not a typo of a listed one: "shouting" is not "shooting",
        # "horse" is not "house".
        everyday = frozenset(vocabulary).union(*(common_words(language) for language in WORDFREQ_LANGUAGES))
        known = everyday | self.stopwords  # one set for every lexicon, rather than a copy in each
        lemmas.prepare((language, text) for _, text, language in (*conversation, *needs, *excludes))  # one reading
        self.conversation = Lexicon(conversation, self.stopwords, known, forgiving=True)
        self.needs = Lexicon([*needs, *excludes], self.stopwords, known, forgiving=True)
        self.crisis = CrisisDetector(kb.crisis, kb.crisis_groups, kb.not_crisis, self.stopwords, known)
        # Each language's listed words: where one claims a word, another language's same letters do not count.
        self.claims: dict[str, frozenset[str]] = {
            language: frozenset(words | self.stopwords_by_language.get(language, frozenset()))
            for language, words in self._listed_by_language([*conversation, *needs, *crisis]).items()
        }
        self.places = Lexicon(places, self.stopwords, known)
        listed = frozenset().union(*self.claims.values())
        self.names = NameIndex(names, weak=self._weak_words(needs, places), known=everyday, listed=listed)
        self.filler = self.stopwords | {
            t for key, x, _ in conversation if key in ("greeting", "thanks") for t in tokenize(x)
        }
        self.place_parents = {p.id: tuple(p.within) for p in kb.places}
        self.secondary = frozenset(n.id for n in kb.needs if n.secondary)
        self.for_events = tuple(n.id for n in kb.needs if n.events)
        # Static per-entry facts, computed once so that a question only scores its candidates.
        self.services: tuple[Service, ...] = (*kb.organisations, *kb.helplines)
        self.need_position = {e.id: {n: i for i, n in enumerate(e.needs)} for e in self.entries}
        self.by_need: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            for need in entry.needs:
                self.by_need[need].append(entry)
        self.quality = {s.id: self._quality(s) for s in self.services}
        self.ancestors = {p.id: tuple(self._ancestors(p.id)) for p in kb.places}
        self.place_fit: dict[str, dict[str, float]] = {
            p.id: {e.id: fit for e in self.entries if (fit := self._fit_one(e, p.id)) > 0} for p in kb.places
        }
        # Each need's entries in each place, for "X in <town>": None where they are too many to
        # score them all (a county), so a question never walks a need's whole list to find them.
        local: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for place, fits in self.place_fit.items():
            for entry_id in fits:
                if (served := self.kb.entry(entry_id)) is not None:
                    for need in served.needs:
                        local[(need, place)].append(served)
        self.served: frozenset[tuple[str, str]] = frozenset(local)  # (need, place) someone serves
        self._next: dict[tuple[str, int], Occurrence] = {}
        self.local: dict[tuple[str, str], list[Entry] | None] = {
            key: entries if len(entries) <= MAX_LOCAL else None for key, entries in local.items()
        }
        # For the best-first search: each need's services by their position for it (main need,
        # second, third, later), best quality first.
        self.need_groups: dict[tuple[str, int], list[tuple[float, Entry]]] = defaultdict(list)
        for service in self.services:
            for position, need in enumerate(service.needs):
                group = min(position, len(POSITION_FACTORS) - 1)
                self.need_groups[(need, group)].append((self.quality[service.id], service))
        for members in self.need_groups.values():
            members.sort(key=lambda pair: -pair[0])
        self.general_by_place: dict[str, list[str]] = {}
        for place, fits in self.place_fit.items():
            values = {entry_id: self._general_value(entry_id, [place]) for entry_id in fits}
            self.general_by_place[place] = heapq.nlargest(MAX_GENERAL, values, key=values.__getitem__)
        self.words_by_language = self._words_by_language([*conversation, *needs, *crisis])

    @staticmethod
    def _listed_by_language(phrases: list[tuple[str, str, str]]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for _, text, language in phrases:
            found[language].update(t.rstrip("*") for t in tokenize(text))
        return found

    def _words_by_language(self, phrases: list[tuple[str, str, str]]) -> dict[str, frozenset[str]]:
        """Each language's words that no other language lists: evidence of the language of a message.

        Little words (stopwords) count even when shared, as before: they are how a sentence is built."""
        found = {
            language: {t for t in words if len(t) > 2} for language, words in self._listed_by_language(phrases).items()
        }
        exclusive = {
            language: {t for t in words if not any(t in other for lang, other in found.items() if lang != language)}
            for language, words in found.items()
        }
        return {
            language: frozenset(exclusive.get(language, set()) | self.stopwords_by_language.get(language, set()))
            for language in {*exclusive, *self.stopwords_by_language}
        }

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.kb.organisations, *self.kb.helplines, *self.kb.events)

    def _weak_words(self, needs: list[tuple[str, str, str]], places: list[tuple[str, str]]) -> frozenset[str]:
        """Words too common to identify an organisation on their own ("help", "food", "norwich")."""
        general = {t for x in _words(self.kb.words.general_help) for t in tokenize(x)}
        need_words = {t for _, x, _ in needs for t in tokenize(x)}
        place_words = {t for _, x in places for t in tokenize(x)}
        return frozenset(general | need_words | place_words | self.stopwords)

    # -----------------------------------------------------------------------------------------
    # Understanding

    def danger(self, text: str, language: str | None = None) -> Assessment:
        """The crisis check alone, for a message that would otherwise not be answered (flood limit)."""
        return self._assess(tokenize(text), sentence_numbers(text), language)

    def _assess(self, tokens: list[str], numbers: list[int], language: str | None) -> Assessment:
        own = self.claims.get(language or "", frozenset())
        return self.crisis.assess(tokens, language, own, numbers)

    @staticmethod
    def _asked_positions(text: str, tokens: list[str], numbers: list[int]) -> frozenset[int]:
        """Positions of the words in a story's questions: empty unless some sentences ask and a few
        others only tell (two requests, one with a question mark, are not a story and its question).
        `numbers`: each token's sentence (`sentence_numbers`)."""
        asked = asked_sentences(text)
        told = set(numbers) - asked
        if len(numbers) != len(tokens) or not asked or len(told) < STORY_SENTENCES:
            return frozenset()
        return frozenset(i for i, n in enumerate(numbers) if n in asked)

    def understand(self, text: str, now: datetime, language: str | None = None) -> Understanding:
        """What the question is about. `language`, when the message's language is known for sure,
        keeps another language's look-alike words out ("poisson" is not "poison")."""
        tokens = tokenize(text)
        u = Understanding(tokens)
        own = self.stopwords_by_language.get(language or "", frozenset())
        numbers = sentence_numbers(text)
        danger = self._assess(tokens, numbers, language)
        u.crisis, u.safety_check = list(danger.certain), list(danger.uncertain)
        place_hits = self.places.find(tokens)
        towns = frozenset(p for hit in place_hits for p in hit.positions)
        u.names, u.echoes = self.names.find(tokens, towns), self.names.echoes(tokens)
        # Words that are part of a name the question gives in full are that name, not a need
        # ("New Routes housewarming" is not about housing).
        named = frozenset(p for match in u.names.values() for p in match.positions)
        talk = self.conversation.find(tokens, language, own)
        asking = [p for hit in talk if hit.key == "request" for p in hit.positions]
        first = [hit.positions[-1] for hit in talk if hit.key == "first"]
        scene = frozenset(p for hit in talk if hit.key == "scene" for p in hit.positions)
        later = [p for hit in talk if hit.key == "later" for p in hit.positions]
        also = [p for hit in talk if hit.key == "also" for p in hit.positions]
        elsewhere = any(hit.key == "elsewhere" for hit in talk)
        asked = self._asked_positions(text, tokens, numbers)
        evidence: dict[str, list[float]] = defaultdict(list)
        asked_at: dict[str, int] = {}  # where each need was first asked for with a request
        setting: list[tuple[str, float]] = []  # need words that only set the scene
        need_hits = [
            h
            for h in self.needs.find(tokens, language, own)
            if not h.key.startswith("!") and not named.issuperset(h.positions)
        ]
        # What a request asks for is the need said nearest it, in its own sentence and not among what
        # only sets the scene: "I need an interpreter, my English is not good" asks for an interpreter
        # (the English only says why); "I got my status. I need ..." does not ask for status.
        told = [p for h in need_hits if not scene.issuperset(h.positions) for p in h.positions]
        together = len(numbers) == len(tokens)
        asked_for = {
            q: min((abs(p - q) for p in told if not together or numbers[p] == numbers[q]), default=0) for q in asking
        }

        def added(hit: Hit, near: Iterable[int]) -> bool:
            """Whether "also", beside the request or the need, adds this need after another one named
            before it ("the ASPEN card doesn't work, and also I want English classes")."""
            return any(
                abs(a - q) <= ALSO_REACH and any(t < a and t not in hit.positions for t in told)
                for q in near
                for a in also
            )

        for hit in need_hits:
            u.need_positions.setdefault(hit.key, set()).update(hit.positions)
            # One phrase is one piece of evidence, however many words it has. What is asked for
            # outweighs what only tells the story ("I need an interpreter for the Home Office letter").
            weight = min(1.0, hit.weight)
            if elsewhere and (hit.weight < 1.75 or not asking):
                # "who won the game": one word of a need, or a need's name with nothing asked for,
                # is not the question
                weight *= ELSEWHERE_WEIGHT
            if asked.issuperset(hit.positions):
                weight *= ASKED_WEIGHT
            if any(0 < p - q <= LATER_REACH for p in hit.positions for q in later):
                weight *= LATER_WEIGHT  # "later also help finding a job"
            near = [  # the requests that ask for this need
                q
                for p in hit.positions
                for q in asking
                if abs(p - q) <= min(REQUEST_REACH, asked_for[q]) and (not together or numbers[p] == numbers[q])
            ]
            # "a translator for my appointment, and also English lessons"
            also_before = any(0 < p - a <= ALSO_REACH for p in hit.positions for a in also) and added(
                hit, hit.positions
            )
            if also_before:
                weight *= ASKED_LATER_WEIGHT
                u.added.add(hit.key)
            in_scene = scene.issuperset(hit.positions)
            if not in_scene and any(0 < p - q <= FIRST_REACH for p in hit.positions for q in first):
                evidence[hit.key].append(weight * FIRST_WEIGHT)
            elif near and (not asked or asked.issuperset(hit.positions)):  # in a story, only its question asks
                if added(hit, near):  # asked for, but after what was named first (weighed down once)
                    evidence[hit.key].append(weight if also_before else weight * ASKED_LATER_WEIGHT)
                    u.added.add(hit.key)
                else:
                    evidence[hit.key].append(weight * REQUEST_WEIGHT)
                    asked_at[hit.key] = min(asked_at.get(hit.key, len(tokens)), *hit.positions)
            elif in_scene:
                setting.append((hit.key, weight))
            else:
                evidence[hit.key].append(weight)
        asked_needs = set(evidence)
        for need, weight in setting:
            # The scene counts in full only when nothing else was asked ("hotel in Thetford").
            evidence[need].append(weight * SCENE_WEIGHT if asked_needs - {need} else weight)
        for need, weights in evidence.items():
            # Telling more of the story does not make it the question: the strongest piece counts,
            # the others a little.
            weights.sort(reverse=True)
            u.needs[need] = weights[0] + MORE_EVIDENCE * sum(weights[1:])
        # "My wife is looking for a women's group, and I want to play football": of two requests as
        # clear as each other, the one asked first comes first.
        earlier: list[float] = []
        for need in sorted(asked_at, key=asked_at.__getitem__):
            if any(abs(u.needs[need] - value) < 1e-9 for value in earlier):
                u.needs[need] *= ASKED_LATER_WEIGHT
            else:
                earlier.append(u.needs[need])
        if any(n not in self.secondary for n in u.needs):
            for need in self.secondary & u.needs.keys():
                u.needs[need] *= SECONDARY_WEIGHT
        u.places = list(dict.fromkeys(h.key for h in place_hits))
        if u.needs and u.places and not any((n, p) in self.served for n in u.needs for p in u.places):
            # "An interpreter in Dereham" when nobody listed serves Dereham for it: the services that
            # do exist are still the answer, not a penalty for the town (the reply says so).
            u.unserved_places, u.places = u.places, []
        whats_on = False
        dated: set[int] = set()
        for hit in talk:
            if hit.key.startswith("date:"):
                key = hit.key.removeprefix("date:")
                if key in DATE_WORDS:
                    u.windows.append(window(key, now))
                    dated.update(hit.positions)
            elif hit.key == "whats-on":
                whats_on = True
            elif hit.key == "event":
                u.event_words = True
            elif hit.key == "when":
                u.asks_when = True
            elif hit.key == "general":
                u.general = True
            elif hit.key == "greeting":
                u.greeting = True
            elif hit.key == "thanks":
                u.thanks = True
        if elsewhere and not u.event_words:
            u.windows = []  # "what time is the game on saturday" asks for no event of ours that day
        only_dates = all(t in self.filler or i in dated for i, t in enumerate(tokens))
        u.events_question = self._events_question(u, whats_on, only_dates)
        if u.events_question:
            u.activities = list(u.needs)
        if u.event_words and not u.needs and not u.names:
            # "What is on this week?": events first, and those who run activities when none is.
            u.needs.update(dict.fromkeys(self.for_events, EVENTS_NEED_WEIGHT))
        u.content = any(t not in self.filler for t in tokens)
        return u

    def _events_question(self, u: Understanding, whats_on: bool, only_dates: bool) -> bool:
        """Whether the question asks what is on ("what events are coming up", "any activities this
        weekend", "what is there this week", "/events"): no entry named, no need but those of people
        who run activities ("activities" is one), and event words, or days asked about with the
        activities or with nothing else ("I'm scared today" is not one)."""
        if u.names or u.crisis or not set(u.needs) <= set(self.for_events):
            return False
        if u.event_words or whats_on:
            return True
        return bool(u.windows) and (bool(u.needs) or (only_dates and not (u.greeting or u.thanks)))

    # -----------------------------------------------------------------------------------------
    # Ranking

    def rank(self, text: str, now: datetime, limit: int = 3, language: str | None = None) -> Ranking:
        u = self.understand(text, now, language)
        scored = self.best_matches(u, now, limit + 1)
        confident = [m for m in scored if m.score >= ABSTAIN_BELOW]
        ambiguous: tuple[Match, ...] = ()
        if len(confident) >= 2 and self._ambiguous(u, confident[0], confident[1]):
            ambiguous = (confident[0], confident[1])
        if not confident:
            # Something was understood, not enough to be sure: offer it, never a bare "sorry".
            tentative = tuple(m for m in scored if m.score >= TENTATIVE_FROM)[:limit] if u.needs else ()
            return Ranking(u, (), ambiguous, tentative)
        second = None if ambiguous else self._second_need(u, confident[:limit], now)
        return Ranking(u, tuple(confident[:limit]), ambiguous, second=second)

    def _second_need(self, u: Understanding, shown: list[Match], now: datetime) -> Match | None:
        """The best entry for another need the message asks for nearly as clearly as the one
        answered ("my son is sick and we have no food"), or asks for "also", when none of the matches
        shown serves it."""
        if not u.needs:
            return None
        floor = max(1.0, SECOND_NEED_SHARE * max(u.needs.values()))
        answered = u.need_positions.get(shown[0].need or "", set())
        for other in u.top_needs:
            if other not in u.added and u.needs[other] < floor:
                continue  # (what is asked for "also" is asked for, however weak beside the first)
            if any(other in m.entry.needs for m in shown):
                continue
            if any(abs(a - b) < SECOND_NEED_APART for a in answered for b in u.need_positions.get(other, ())):
                return None  # "an English class for women" is one request, not two
            best = self.best_matches(replace(u, needs={other: u.needs[other]}), now, 1)
            return best[0] if best and best[0].score >= ABSTAIN_BELOW else None
        return None

    def score_all(self, u: Understanding, now: datetime) -> list[Match]:
        """Every candidate with its score, best first (including those below the threshold)."""
        if not u.content and not u.names:
            return []
        strength, confidence = self._strength(u)
        matches: list[Match] = []
        for entry in self._candidates(u, strength):
            match = self._score(entry, u, strength, confidence, now)
            if match is not None:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.entry.name))
        return matches

    def _general_value(self, entry_id: str, places: list[str]) -> float:
        """What a "help in <town>" question can give an entry, known before scoring it."""
        entry = self.kb.entry(entry_id)
        quality = self.quality.get(entry_id, 0.0)
        breadth = 0.5 * min(len(entry.needs), 6) if entry is not None else 0.0
        return PLACE_POINTS * max(self.place_fit.get(p, {}).get(entry_id, 0.0) for p in places) + quality + breadth

    def next_occurrence(self, event: Event, now: datetime) -> Occurrence:
        """next_occurrence, remembered for the minute: recurring events are expanded once, not per question."""
        key = (event.id, int(now.timestamp()) // 60)
        found = self._next.get(key)
        if found is None:
            if len(self._next) > 10_000:
                self._next.clear()
            found = self._next[key] = next_occurrence(event, now)
        return found

    @staticmethod
    def _strength(u: Understanding) -> tuple[dict[str, float], float]:
        """Each asked need's evidence relative to the strongest (0..1), and how sure we are of it."""
        strongest = max(u.needs.values(), default=0.0)
        strength = {n: w / strongest for n, w in u.needs.items()} if strongest else {}
        return strength, min(1.0, strongest)

    def best_matches(self, u: Understanding, now: datetime, k: int) -> list[Match]:
        """The k best matches, the same as `score_all(u, now)[:k]`, without scoring every candidate.

        Entries found only through a need are visited best-first by an upper bound of their score
        (their position for that need, their quality, the best a place can add), and the search
        stops when no unvisited entry can beat the k-th best found. This is what keeps an answer in
        milliseconds with 10,000 organisations."""
        if not u.content and not u.names:
            return []
        strength, confidence = self._strength(u)
        found: list[Match] = []
        seen: set[str] = set()
        top: list[tuple[float, str]] = []  # (-score, name) of the k best so far, in the order of the answer

        def consider(entry: Entry) -> None:
            seen.add(entry.id)
            match = self._score(entry, u, strength, confidence, now)
            if match is not None:
                found.append(match)
                insort(top, (-match.score, entry.name))
                del top[k:]

        special = self._candidates(u, {})  # named, events, "help in <town>": always scored
        place_max = 0.0
        if u.places:
            nearby = self._nearby(strength, u.places)
            if nearby is not None:
                # Those serving an asked need in the asked town are few and likely the best: score
                # them all; every other entry is then outside the town.
                special += nearby
                place_max = WRONG_PLACE_POINTS
            else:  # a county: nearly everyone serves it
                place_max = PLACE_POINTS
        # An entry whose name echoes the question gets points no bound allows for: few, scored here.
        echoes = u.echoes if len(u.echoes) <= MAX_ECHOES else set()
        special += [e for entry_id in sorted(echoes) if (e := self.kb.entry(entry_id)) is not None]
        for entry in special:
            if entry.id not in seen:
                consider(entry)
        bonus = min(0.2, 0.1 * (len(strength) - 1))  # the most serving several asked needs can add
        # (-bound, tie-breaker, the need group's members, index in them, the group's need points)
        heap: list[tuple[float, int, list[tuple[float, Entry]], int, float]] = []
        for need, s in strength.items():
            for group, factor in enumerate(POSITION_FACTORS):
                members = self.need_groups.get((need, group))
                if members:
                    need_term = NEED_POINTS * confidence * (s * factor + bonus)
                    heapq.heappush(heap, (-(need_term + members[0][0] + place_max), len(heap), members, 0, need_term))
        while heap:
            negative, tie, members, index, need_term = heapq.heappop(heap)
            if len(top) >= k and -negative < -top[-1][0]:
                break
            quality, entry = members[index]
            if entry.id not in seen:
                most = -negative  # the most it can score; with several needs asked, the group's bound
                if bonus:  # allows for serving more than one: its own need fit is closer
                    most = NEED_POINTS * confidence * self._need_fit(entry, strength)[1] + quality + place_max
                if len(top) >= k and _behind(most, entry.name, top[-1]):
                    seen.add(entry.id)  # as good as scored: it could not be among the k best
                else:
                    consider(entry)
            if index + 1 < len(members):
                bound = need_term + members[index + 1][0] + place_max
                heapq.heappush(heap, (-bound, tie, members, index + 1, need_term))
        found.sort(key=lambda m: (-m.score, m.entry.name))
        return found[:k]

    def _nearby(self, needs: Iterable[str], places: list[str]) -> list[Entry] | None:
        """The entries serving each asked need in any asked place (once per need), or None when
        they are more than MAX_LOCAL: then the place is a county and nearly everyone serves it."""
        nearby: list[Entry] = []
        for need in needs:
            ids: set[str] = set()
            for place in places:
                entries = self.local.get((need, place), [])
                if entries is None:
                    return None
                for entry in entries:
                    if entry.id not in ids:
                        ids.add(entry.id)
                        nearby.append(entry)
            if len(nearby) > MAX_LOCAL:
                return None
        return nearby

    def _candidates(self, u: Understanding, strength: dict[str, float]) -> list[Entry]:
        """The only entries that can score: named ones, events, those serving an asked need and,
        for "help in <town>", those serving the town. At 10,000 organisations this is what keeps
        an answer in milliseconds."""
        ids: set[str] = set(u.names)
        if u.event_words or u.asks_when or u.windows:  # otherwise an event scores only when named
            ids.update(e.id for e in self.kb.events)
        for need in strength:
            ids.update(e.id for e in self.by_need.get(need, ()))
        if u.general and not strength:
            # "Help in <town>": the town's best few (see MAX_GENERAL).
            for place in u.places:
                ids.update(self.general_by_place.get(place, ()))
        return [entry for entry_id in ids if (entry := self.kb.entry(entry_id)) is not None]

    def _score(
        self,
        entry: Entry,
        u: Understanding,
        strength: dict[str, float],
        confidence: float,
        now: datetime,
    ) -> Match | None:
        name = u.names.get(entry.id)
        need, fit = self._need_fit(entry, strength)
        score = 0.0
        if name:
            score += NAME_POINTS * name.coverage + NAME_WORD_POINTS * min(name.words, 5)
        elif entry.id in u.echoes and fit and len(u.echoes) <= MAX_ECHOES:
            score += ECHO_POINTS  # when hundreds of names share the words, they tell nothing
        if fit:
            score += NEED_POINTS * confidence * fit
        place = self._place_fit(entry, u.places)
        if u.places:
            score += PLACE_POINTS * place if place > 0 else WRONG_PLACE_POINTS
        occurrence: Occurrence | None = None
        if isinstance(entry, Event):
            if u.needs and not name and not fit:
                return None  # "an interpreter for a meeting next week": an event that serves none of it
            occurrence = occurrence_in(entry, u.windows) or self.next_occurrence(entry, now)
            event_score = self._event_points(occurrence, u, now, named=name is not None)
            if event_score is None:
                return None
            score += event_score
        elif isinstance(entry, Service):
            if not name and not fit:
                if not (u.general and not strength and u.places and place > 0):
                    return None
                score += GENERAL_POINTS + 0.5 * min(len(entry.needs), 6)
            score += self.quality[entry.id]
        if score <= 0:
            return None
        return Match(entry, round(score, 2), occurrence, need)

    def _need_fit(self, entry: Entry, strength: dict[str, float]) -> tuple[str | None, float]:
        """How well the entry serves the needs asked about: its main needs count most."""
        positions = self.need_position[entry.id]
        best_need, best, others = None, 0.0, 0.0
        for need, s in strength.items():
            position = positions.get(need)
            if position is None:
                continue
            value = s * POSITION_FACTORS[min(position, len(POSITION_FACTORS) - 1)]
            if value > best:
                if best_need is not None:
                    others += best
                best_need, best = need, value
            else:
                others += value
        return best_need, best + min(0.2, 0.1 * others) if best_need else 0.0

    def _ancestors(self, place: str) -> list[str]:
        out, todo = [], list(self.place_parents.get(place, ()))
        while todo:
            parent = todo.pop()
            if parent not in out:
                out.append(parent)
                todo.extend(self.place_parents.get(parent, ()))
        return out

    def _place_fit(self, entry: Entry, asked: list[str]) -> float:
        """1 when the entry serves the very place asked about; less for a county- or UK-wide one."""
        return max((self.place_fit.get(place, {}).get(entry.id, 0.0) for place in asked), default=0.0)

    def _fit_one(self, entry: Entry, place: str) -> float:
        best = 0.0
        ancestors = self.ancestors.get(place, ())
        for area in entry.areas:
            if area == place:
                best = max(best, 1.0)
            elif place in self.ancestors.get(area, ()):
                best = max(best, 0.8)  # serves a town inside the county asked about
            elif area in ancestors:
                best = max(best, 0.35 if area in ("uk", "england") else 0.6)
        return best

    @staticmethod
    def _quality(service: Service) -> float:
        """Small tie-breakers: services for sanctuary seekers, reachable ones, current ones. One that
        nobody can contact is a poor answer unless it was asked for by name."""
        unreachable = UNREACHABLE_POINTS if service.contact_count == 0 else 0.0
        return (
            3.0 * service.for_sanctuary_seekers
            + 0.8 * service.contact_count
            - 1.5 * (service.caution is not None)
            + unreachable
        )

    @staticmethod
    def _event_points(occurrence: Occurrence, u: Understanding, now: datetime, *, named: bool) -> float | None:
        """Events are candidates when named, or when the question asks about events or dates."""
        asked = u.event_words or u.asks_when
        if not (named or asked or (u.windows and not u.needs)):
            return None
        points = EVENT_WORD_POINTS if asked else 0.0
        if u.windows:
            inside = any(occurrence.overlaps(w) for w in u.windows)
            points += IN_WINDOW_POINTS if inside else OUT_OF_WINDOW_POINTS
        if occurrence.is_past(now):
            # Named, a past event may still be what is meant ("what was the celebration?"),
            # but an upcoming one of the same name comes first.
            points += PAST_POINTS / 3 if named else PAST_POINTS
        elif (occurrence.start - now).days <= 30:
            points += 3.0
        if not named and not u.needs and points < EVENT_WORD_POINTS + IN_WINDOW_POINTS:
            return None  # "when?" alone is not a question about every event
        return points

    @staticmethod
    def _ambiguous(u: Understanding, first: Match, second: Match) -> bool:
        """Two different entries named about equally, neither named in full: ask, don't guess."""
        a, b = u.names.get(first.entry.id), u.names.get(second.entry.id)
        return (
            a is not None
            and b is not None
            and not a.full
            and not b.full
            and first.score - second.score < AMBIGUOUS_WITHIN
        )

    # -----------------------------------------------------------------------------------------
    # Lists for menus and buttons

    def services_for(self, need: str) -> list[Service]:
        """Every service for a need, main providers first."""
        services = [s for s in self.kb.services if need in s.needs]
        return sorted(services, key=lambda s: (s.needs.index(need), -self._quality(s), s.name))


class NameIndex:
    """Finds organisations, helplines and events named in a question, in full or in part."""

    def __init__(
        self,
        names: list[tuple[str, str]],
        weak: frozenset[str],
        known: Iterable[str],
        listed: frozenset[str] = frozenset(),
    ) -> None:
        self.listed = listed  # words the word lists give a meaning: never heard as a name by sound
        self.aliases: list[tuple[str, tuple[str, ...]]] = []
        holders: dict[str, set[str]] = defaultdict(set)
        for entry_id, text in names:
            tokens = tuple(tokenize(text))
            if tokens:
                self.aliases.append((entry_id, tokens))
                for t in tokens:
                    holders[t].add(entry_id)
        # A word shared by many entries' names says little about which one is meant.
        self.weight = {t: (0.35 if t in weak else 1.0) / len(ids) ** 0.5 for t, ids in holders.items()}
        self.weak = weak
        self.alias_weight = [sum(self.weight[t] for t in tokens) for _, tokens in self.aliases]
        self.by_token: dict[str, list[int]] = defaultdict(list)
        for i, (_, tokens) in enumerate(self.aliases):
            for t in set(tokens):
                self.by_token[t].append(i)
        self.words = WordMatcher(holders, known=known, min_fuzzy=NAME_MIN_FUZZY)
        self.by_rarest: dict[str, list[int]] = defaultdict(list)
        for i, (_, tokens) in enumerate(self.aliases):
            self.by_rarest[min(tokens, key=lambda t: (len(holders[t]), t))].append(i)
        # Names spelled by ear in another script ("سامریتنز", "Самарітанс", "ሳምራታንስ" for "Samaritans"),
        # or misspelt as heard ("inclusen"): the same sounds meet under one key, for one word of a
        # name or two typed as one ("نیوروتز" for "نيو روتس").
        self.by_sound: dict[str, set[str]] = defaultdict(set)
        for _, tokens in self.aliases:
            heard = [(t, (t,)) for t in tokens] + [(a + b, (a, b)) for a, b in pairwise(tokens)]
            for written, words in heard:
                if key := sound_key(written):
                    self.by_sound[key].update(words)
        # A name's word -> its other words, by their short sound key. Only for words few names share:
        # beside "Norfolk" any of thousands of names' words could be heard, and none is likely.
        self.companions: dict[str, dict[str, set[str]]] = {}
        for _, tokens in self.aliases:
            for t in tokens:
                if len(t) >= 3 and len(holders[t]) <= MAX_COMPANION_HOLDERS:
                    by_key = self.companions.setdefault(t, {})
                    for w in tokens:
                        if w != t and (key := sound_key(w, shortest=2)):
                            by_key.setdefault(key, set()).add(w)
        self.by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)  # adjacent words of a name
        self.neighbours: dict[str, set[str]] = defaultdict(set)  # a name's word -> the words beside it
        self.by_joined: dict[str, set[str]] = defaultdict(set)  # one word of a name, typed as two
        # Two words of a name split elsewhere ("Croi-xRouge" for "Croix-Rouge"): the same letters joined.
        self.split_pairs: dict[str, tuple[str, str]] = {}
        for entry_id, tokens in self.aliases:
            for a, b in pairwise(tokens):
                self.by_pair[(a, b)].add(entry_id)
                self.neighbours[a].add(b)
                self.neighbours[b].add(a)
                self.split_pairs.setdefault(a + b, (a, b))
            for t in tokens:
                self.by_joined[t].add(entry_id)

    def _heard(self, token: str, joined: bool) -> list[WordMatch]:
        """Words of names that sound like this token, which no list knows. Two message words typed
        as one are heard only within Arabic script, where names are run together ("نیوروتز")."""
        script = token_script(token)
        out: list[WordMatch] = []
        for key in sound_keys(token):
            if script != "arabic" and (joined or len(key) < 4 or token in self.words.known):
                continue  # a Latin or Cyrillic word of everyday language is not a name misheard
            short = len(key) < 4 or joined
            words = self.by_sound.get(key, ())
            # Three sounds are few: heard only in the same script and with the same first letter
            # ("کروس" beside "بريتش" is "Cross", not "جيروس").
            out += [WordMatch(w, FUZZY) for w in words if not short or (token_script(w) == script and w[0] == token[0])]
        return out

    def echoes(self, tokens: list[str]) -> set[str]:
        """Entries with a name whose common words the question has, two or more of them in a row."""
        found: set[str] = set()
        for a, b in pairwise(tokens):
            found |= self.by_pair.get((a, b), set())
            found |= self.by_joined.get(a + b, set())
        return found

    def find(self, tokens: list[str], towns: frozenset[int] = frozenset()) -> dict[str, NameMatch]:
        """The names a question gives, in full or in part. `towns`: positions of places named, never
        heard by sound as the rest of a name ("Кінгс Лін" is the town, not "King's Lynn council")."""
        present: dict[str, float] = {}
        where: dict[str, set[int]] = defaultdict(set)  # message positions each name word came from
        # Two typed words may be one word of a name ("house warming" for "housewarming").
        typed = [(t, {i}) for i, t in enumerate(tokens)]
        typed += [(a + b, {i, i + 1}) for i, (a, b) in enumerate(pairwise(tokens)) if len(a) > 2 and len(b) > 2]
        for t, positions in typed:
            if len(positions) > 1 and (pair := self.split_pairs.get(t)):
                for word in pair:
                    present[word] = max(present.get(word, 0.0), FUZZY)
                    where[word] |= positions
                continue
            matches = [m for m in self.words.match(t) if m.quality != NEIGHBOUR]  # a name's word typed
            # right is not a typo of another name's
            if not matches and t not in self.listed:
                matches = self._heard(t, joined=len(positions) > 1)
            for m in matches:
                present[m.word] = max(present.get(m.word, 0.0), m.quality)
                where[m.word] |= positions
        # Beside a word of a name, a short word one slip from the name's next word is that word too
        # ("red crss", "migrent halp"): alone, four letters are too few to guess from.
        for i, t in enumerate(tokens):
            if t in present or len(t) < 4:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(tokens):
                    for word in [w for w, at in where.items() if j in at and len(w) >= 3]:  # not "i" of "i Cafe"
                        for near in self.neighbours.get(word, ()):
                            if near not in present and len(near) >= 4 and OSA.distance(t, near) <= 1:
                                present[near] = FUZZY
                                where[near].add(i)
        # Near a word of a name heard or read, a short word that sounds like another word of that
        # name is that word too ("بريتش ريد كروس": "كروس" beside "British" is its "Cross").
        for i, t in enumerate(tokens):
            key = sound_key(t, shortest=2)
            if not key or t in self.listed or t in present or i in towns:
                continue
            for j in range(max(0, i - 2), min(len(tokens), i + 3)):
                for word in [w for w, at in where.items() if j in at and j != i and w in self.companions]:
                    for near in self.companions[word].get(key, ()):
                        if near not in present:
                            present[near] = FUZZY
                            where[near].add(i)
        # A Latin word in a message written in another script is a name as it is written on the sign
        # ("رقم Shelter للسكن"): even a common word is distinctive there.
        if any(not t.isascii() for t in tokens):
            foreign = {w for w, at in where.items() if any(tokens[p].isascii() and tokens[p].isalpha() for p in at)}
        else:
            foreign = set()
        best: dict[str, NameMatch] = {}
        # Only names that can match: one with a distinctive word present, or whose rarest word is
        # present (a full match needs it). Names made of common words are thousands at scale.
        candidates = {
            i for word in present if word not in self.weak or word in foreign for i in self.by_token.get(word, ())
        }
        candidates.update(i for word in present for i in self.by_rarest.get(word, ()))
        for alias in candidates:
            entry_id, alias_tokens = self.aliases[alias]
            total = self.alias_weight[alias]
            covered = sum(self.weight[t] * present[t] for t in alias_tokens if t in present)
            full = all(t in present for t in alias_tokens)
            distinctive = any(t in present and (t not in self.weak or t in foreign) for t in alias_tokens)
            if full and (distinctive or (len(alias_tokens) > 1 and _in_a_row(alias_tokens, where))):
                coverage = covered / total
                if len(alias_tokens) > 1 and not _in_a_row(alias_tokens, where):
                    coverage *= APART_NAME  # "help finding a job ... for migrants" is not "Migrant Help"
            elif distinctive and covered / total >= MIN_NAME_COVERAGE:
                coverage = 0.85 * covered / total
            else:
                continue
            words = sum(t in present for t in alias_tokens)
            used = frozenset(p for t in alias_tokens if full for p in where[t])
            current = best.get(entry_id)
            if current is None or (coverage, words) > (current.coverage, current.words):
                best[entry_id] = NameMatch(entry_id, round(coverage, 3), full, words, used)
        # A name inside a longer name the question gives ("Town of Sanctuary" inside "Thetford
        # Town of Sanctuary") was not what the asker meant.
        for entry_id, match in list(best.items()):
            if match.positions and any(
                match.positions < other.positions or (match.positions <= other.positions and match.words < other.words)
                for other in best.values()
                if other.full
            ):
                best[entry_id] = NameMatch(entry_id, round(match.coverage / 2, 3), False, match.words)
        return best


def _behind(bound: float, name: str, last: tuple[float, str]) -> bool:
    """Whether an entry scoring at most `bound` ranks after `last` ((-score, name) of the k-th best so
    far) whatever its score: scores are rounded to hundredths, so a bound below the k-th score by
    more than half of one cannot reach it, and one above it by less than half at best ties with
    it, and then the name decides. At 10,000 organisations hundreds of a need's entries tie, and
    scoring each costs more than this."""
    score = -last[0]
    return bound < score - 0.006 or (bound <= score + 0.004 and name > last[1])


def _in_a_row(tokens: tuple[str, ...], where: Mapping[str, set[int]]) -> bool:
    """Whether a name made only of common words is written as a name, its words one after another
    (at most one other word between): "English+ Norwich" is not "in Norwich ... all in English"."""
    reach = set(where[tokens[0]])
    for token in tokens[1:]:
        reach = {p for p in where[token] if any(0 < p - q <= 2 for q in reach)}
        if not reach:
            return False
    return True


def local_now() -> datetime:
    """The current time in London; only the entry points call this, never the core."""
    return datetime.now(LONDON)
