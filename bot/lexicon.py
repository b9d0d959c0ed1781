"""Finding listed words and phrases in a message, tolerant of typos, endings and clitics.

One mechanism serves every word list (needs, crisis, greetings, event words), so a volunteer's
rule of thumb holds everywhere: "a phrase matches when its words appear in this order; a `*`
at the end of a word means any ending".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.lemmas import other_forms
from bot.text import fold, join_verb_prefixes, joins_verb_prefixes, token_script, tokenize

EXACT = 1.0
ENDING = 0.95  # a listed word with an ending added or removed ("lessons" for "lesson")
LEMMA = 0.92  # another form of a listed word, by the dictionary ("slept" for "sleep", "dors" for "dormir")
AFFIX = 0.9  # an Arabic-script or Ge'ez word with a clitic or suffix around it
FUZZY = 0.85  # a typo
NEIGHBOUR = 0.8  # a listed word read as another listed word it resembles: only inside a longer phrase
_MIN_FUZZY = {"latin": 5, "cyrillic": 5, "arabic": 6}
"""Letters in a word before one slip of a finger is forgiven."""
NAME_MIN_FUZZY = {"latin": 5, "cyrillic": 5, "arabic": 5, "ethiopic": 4}
"""The same for names, which are few and unlike everyday words: shorter Arabic-script words, and Ge'ez
(a Ge'ez letter is a whole syllable). Need and crisis words keep _MIN_FUZZY: there a short word's
slip is another word ("ይሓመኒ" it hurts me, "ይሃርመኒ" he hits me)."""
_MIN_SLIP = {"latin": 4}
"""A four-letter Latin word gets one slip forgiven when it makes a listed word of four or five letters
("hous", "lern", "wnat"); never one of three. Not for names (their own table)."""
SHORT_STEM = 3
"""A stem this many letters shorter than the word does not stop the word being read as a typo."""
_MIN_RATIO = {"latin": 5, "cyrillic": 5, "arabic": 6}
"""Letters before a looser likeness is (short Arabic-script words differ by a letter; never in Ge'ez)."""


def _folded_affixes(*codepoint_words: tuple[int, ...]) -> tuple[str, ...]:
    """Affixes written as code points (so a reader can check them), folded like message text, longest first."""
    words = {fold("".join(map(chr, word))) for word in codepoint_words}
    return ("", *sorted(words, key=len, reverse=True))


# Real clitics and inflections only: stripping any 1-3 letters turned Farsi "kar" (work) into a
# part of dozens of unrelated words. Arabic: wa-, fa-, bi-, li-, ka-, al- and their combinations;
# Farsi/Dari: mi-, nemi-, be-, na- verb prefixes; Sorani: de-, na-; pronoun and plural endings.
_GAF = 0x06AF
_ALEF, _LAM, _WAW, _FEH, _BEH, _KAF, _MEEM, _NOON, _YEH, _HEH, _TEH, _DAL, _SHEEN = (
    0x0627,
    0x0644,
    0x0648,
    0x0641,
    0x0628,
    0x0643,
    0x0645,
    0x0646,
    0x064A,
    0x0647,
    0x062A,
    0x062F,
    0x0634,
)
_AL = (_ALEF, _LAM)
_ARABIC_PREFIXES = _folded_affixes(
    (_WAW,),
    (_FEH,),
    (_BEH,),
    (_LAM,),
    (_KAF,),
    _AL,
    (_WAW, *_AL),
    (_FEH, *_AL),
    (_BEH, *_AL),
    (_KAF, *_AL),
    (_LAM, _LAM),
    (_WAW, _LAM, _LAM),
    (_WAW, _BEH),
    (_WAW, _LAM),
    (_FEH, _BEH),
    (_FEH, _LAM),
    (_MEEM, _YEH),
    (_NOON, _MEEM, _YEH),
    (_NOON,),
    (_DAL, _HEH),
)
_ARABIC_SUFFIXES = _folded_affixes(
    (_YEH,),
    (_KAF,),
    (_HEH,),
    (_HEH, _ALEF),
    (_NOON, _ALEF),
    (_HEH, _MEEM),
    (_KAF, _MEEM),
    (_NOON, _YEH),
    (_TEH,),
    (_ALEF, _TEH),
    (_YEH, _NOON),
    (_WAW, _NOON),
    (_ALEF, _NOON),
    (_WAW, _ALEF),
    (_MEEM,),
    (_SHEEN,),
    (_ALEF, _MEEM),
    (_ALEF, _SHEEN),
    (_MEEM, _ALEF, _NOON),
    (_TEH, _ALEF, _NOON),
    (_SHEEN, _ALEF, _NOON),
    (_HEH, _ALEF, _YEH),
    (_YEH, _ALEF, _NOON),
    (_HEH, _KAF, _HEH),
    (_HEH, _KAF, _ALEF, _NOON),
    (_YEH, _MEEM),
    (_NOON, _DAL),
    (_YEH, _DAL),
    (_WAW, _NOON, _HEH),
    (_ALEF, _YEH),
    # Farsi plural -ha, -haye, -haym
    (_HEH, _ALEF),
    (_HEH, _ALEF, _YEH, _MEEM),
    # Sorani: -ye (is), -eke/-ekan (the), -ekem (my), -ek (a), -ewe, -da
    (_YEH, _HEH),
    (_HEH, _KAF, _HEH),
    (_HEH, _KAF, _ALEF, _NOON),
    (_HEH, _KAF, _HEH, _MEEM),
    (_HEH, _KAF, _HEH, _YEH),
    (_HEH, _KAF, _ALEF, _NOON, _MEEM),
    (_YEH, _KAF),
    (_HEH, _WAW, _HEH),
    (_DAL, _ALEF),
    # Pashto plurals -una, -ano, -gane
    (_WAW, _NOON, _HEH),
    (_ALEF, _NOON, _WAW),
    (_GAF, _ALEF, _NOON, _YEH),
)
# Tigrinya prepositions and possessive endings fuse with the word they belong to.
_ETHIOPIC_PREFIXES = _folded_affixes(
    (0x1295,), (0x1265,), (0x12A3, 0x1265), (0x12AB, 0x1265), (0x121D, 0x1235), (0x12D8,), (0x12A8,), (0x1295, 0x12DD)
)
_ETHIOPIC_SUFFIXES = _folded_affixes(
    (0x1292,),
    (0x12AB,),
    (0x12AA,),
    (0x1293,),
    (0x12A9, 0x121D),
    (0x12A9,),
    (0x12CB,),
    (0x12EE,),
    (0x1275,),
    (0x1273,),
    (0x1295,),  # -n, "and": መግብን ክዳንን (food and clothes)
)
_AFFIXES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "arabic": (_ARABIC_PREFIXES, _ARABIC_SUFFIXES),
    "ethiopic": (_ETHIOPIC_PREFIXES, _ETHIOPIC_SUFFIXES),
}


def _with_vowels(core: str) -> tuple[str, ...]:
    """A Ge'ez word whose ending was cut: its last letter is left vowelless (sixth order), so the
    listed word may end in the same consonant with any vowel ("መግብ|ን" is "መግቢ", food)."""
    offset = ord(core[-1]) - 0x1200
    if not 0 <= offset < 0x158 or offset % 8 != 5:
        return (core,)
    base = 0x1200 + offset - 5
    return (core, *(core[:-1] + chr(base + order) for order in range(8) if order != 5))


LATIN_LANGUAGES = frozenset({"en", "fr"})
_FRENCH_NE = frozenset({"ne", "n"})  # languages whose words can look alike across the two


def _fuzzy_cutoff(length: int) -> float:
    """Minimum rapidfuzz ratio for a typo: stricter for short words, where one letter matters."""
    return 86.0 if length <= 6 else 82.0


@dataclass(frozen=True, slots=True)
class WordMatch:
    word: str  # the listed word (with its trailing '*' for a stem)
    quality: float


class WordMatcher:
    """Matches one message token against a fixed vocabulary of listed words and stems."""

    def __init__(
        self,
        words: Iterable[str],
        known: Iterable[str] = (),
        min_fuzzy: Mapping[str, int] = _MIN_FUZZY,
        forms: Mapping[str, frozenset[str]] | None = None,
        short_slips: bool = False,
        end_slips: bool = True,
    ) -> None:
        self.min_fuzzy = min_fuzzy
        self.short_slips = short_slips  # one slip forgiven in a four-letter Latin word
        # False: in Arabic script a word with another first or last letter is another word, never a
        # slip: Pashto "جوړونه" (building) is not "پورونه" (debts), Farsi "نمیتونه" (he can't) is not
        # "نمیتونم" (I can't).
        self.end_slips = end_slips
        self.forms = forms or {}  # another form of a word -> the listed words it is a form of
        self.exact: set[str] = set()
        self.stems: set[str] = set()
        for word in words:
            (self.stems if word.endswith("*") else self.exact).add(word.rstrip("*"))
        # Words that are right as typed and must not be "corrected" into a listed word
        # (a weekday is not a typo for "money"). A listed word is matched before this is asked, so
        # every matcher can share one set of 150,000 everyday words instead of copying it.
        self.known = known if isinstance(known, frozenset) else frozenset(known)
        by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in sorted(self.exact):  # in one order, or a tie between typos is read another way per run
            by_shape[(token_script(word), len(word))].append(word)
        self._by_shape = dict(by_shape)
        self._cache: dict[str, tuple[WordMatch, ...]] = {}

    def match(self, token: str) -> tuple[WordMatch, ...]:
        """Every listed word this token may be, best first; empty when none."""
        cached = self._cache.get(token)
        if cached is None:
            cached = self._match(token)
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[token] = cached
        return cached

    def _stem_matches(self, token: str, quality: float) -> list[WordMatch]:
        return [WordMatch(token[:k] + "*", quality) for k in range(2, len(token) + 1) if token[:k] in self.stems]

    def _match(self, token: str) -> tuple[WordMatch, ...]:
        found: dict[str, float] = {}

        def add(matches: Iterable[WordMatch]) -> None:
            for m in matches:
                found[m.word] = max(found.get(m.word, 0.0), m.quality)

        if token in self.exact:
            add([WordMatch(token, EXACT)])
        add(self._stem_matches(token, EXACT))
        if not found:
            add(WordMatch(word, LEMMA) for word in self.forms.get(token, ()))
        script = token_script(token)
        if not found or script in _AFFIXES:
            # In Arabic script and Ge'ez a listed word may also be inside a longer listed one
            # (Sorani "ماڵەوە" in "ماڵەوەیە"): the clitics are tried even when the token is listed.
            add(self._affix_matches(token, script))
        if token in self.exact:
            # A listed word may itself be a misspelling ("englsh" in "englsh class*"): its correct
            # neighbours may complete a longer phrase ("englsh clases" meets "english clas*"), but
            # never stand alone, or "support" would be read as "sport".
            add(WordMatch(m.word, NEIGHBOUR) for m in self._fuzzy_matches(token, script) if m.word != token)
        elif not self._everyday(token, script):
            # Nothing, or only a short stem ("ingl*" says little of "inglish"): it may be a typo. Under
            # a longer stem, only the words that stem begins ("englis" is "engl*" and "english").
            stems = [w.rstrip("*") for w in found if w.endswith("*")]
            if not any(len(w.rstrip("*")) > len(token) - SHORT_STEM for w in found):
                add(self._fuzzy_matches(token, script))
            elif stems and len(stems) == len(found):
                add(m for m in self._fuzzy_matches(token, script) if m.word.startswith(tuple(stems)))
        return tuple(WordMatch(w, q) for w, q in sorted(found.items(), key=lambda kv: -kv[1]))

    def _everyday(self, token: str, script: str) -> bool:
        """An everyday word, or one behind an article ("بالعمر", "in age", is not a slip of "بالكمر").
        A one-letter clitic is not enough: "لوياي" is a slip of "ليواي" (Leeway), not "ل" + a word."""
        if token in self.known:
            return True
        if script != "arabic":
            return False
        return any(
            len(p) >= 2 and token.startswith(p) and len(token) - len(p) >= 3 and token[len(p) :] in self.known
            for p in _AFFIXES[script][0]
        )

    def _affix_matches(self, token: str, script: str) -> list[WordMatch]:
        """A listed word inside the token, with a clitic, prefix or ending around it."""
        out: list[WordMatch] = []
        if script in ("arabic", "ethiopic"):
            prefixes, suffixes = _AFFIXES[script]
            for prefix in prefixes:
                if not token.startswith(prefix):
                    continue
                for suffix in suffixes:
                    if (prefix or suffix) and token.endswith(suffix):
                        core = token[len(prefix) : len(token) - len(suffix)]
                        # A Ge'ez letter is a syllable: "ገዛ|ን" (house-and) leaves a two-letter word.
                        if len(core) >= (2 if script == "ethiopic" and not prefix else 3):
                            for whole in _with_vowels(core) if suffix and script == "ethiopic" else (core,):
                                if whole in self.exact:
                                    out.append(WordMatch(whole, AFFIX))
                                out.extend(self._stem_matches(whole, AFFIX))
        elif script in ("latin", "cyrillic"):
            for after in range(1, 4):
                core = token[: len(token) - after]
                if len(core) >= 4 and core in self.exact:
                    out.append(WordMatch(core, ENDING))
            for ending in ("s", "es"):
                if token + ending in self.exact:
                    out.append(WordMatch(token + ending, ENDING))
        return out

    def _fuzzy_matches(self, token: str, script: str) -> list[WordMatch]:
        # A digit in a romanised word is a letter ("ra2ed", "mo7ami"): a word written without such
        # letters is another word, not a slip ("ra2ed" is not "raped").
        romanised = any(c.isdigit() for c in token)
        return [m for m in self._near(token, script) if any(c.isdigit() for c in m.word) == romanised]

    def _near(self, token: str, script: str) -> list[WordMatch]:
        if len(token) < self.min_fuzzy.get(script, len(token) + 1):
            if self.short_slips and len(token) == _MIN_SLIP.get(script):
                return self._slips(token, script, range(len(token), len(token) + 2))
            return []
        out: list[WordMatch] = []
        if len(token) >= _MIN_RATIO.get(script, len(token) + 1):
            cutoff = _fuzzy_cutoff(len(token))
            spread = 1 if script == "arabic" else 2  # short Arabic-script words differ by a letter, not two
            for length in range(len(token) - spread, len(token) + spread + 1):
                candidates = self._by_shape.get((script, length))
                if not candidates:
                    continue
                for word, _score, _ in process.extract(
                    token, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
                ):
                    out.append(WordMatch(word, FUZZY))
        out = self._not_clitic_swaps(token, script, out)
        if not out:
            # One slip of a finger, which ratio judges harshly in a short word: a letter swapped
            # with its neighbour ("Zaniab") or mistyped ("Shwlter").
            out = self._slips(token, script, range(len(token) - 1, len(token) + 2))
        return out

    def _slips(self, token: str, script: str, lengths: range) -> list[WordMatch]:
        """Listed words of these lengths one slip away (OSA distance 1)."""
        out = [
            WordMatch(word, FUZZY)
            for length in lengths
            for word, _distance, _ in process.extract(
                token, self._by_shape.get((script, length), ()), scorer=OSA.distance, score_cutoff=1, limit=3
            )
        ]
        return self._not_clitic_swaps(token, script, out)

    def _not_clitic_swaps(self, token: str, script: str, out: list[WordMatch]) -> list[WordMatch]:
        if script == "arabic":
            # Another one-letter clitic is another word, not a typo: "ومستني" (and waiting) is not
            # "لمستني" (she touched me).
            out = [m for m in out if not _clitic_swap(token, m.word)]
            if not self.end_slips:
                out = [m for m in out if m.word[:1] == token[:1] and m.word[:-1] != token[:-1]]
        return out


_ONE_LETTER_CLITICS = frozenset(fold(chr(c)) for c in (_WAW, _FEH, _BEH, _LAM, _KAF))


def _clitic_swap(token: str, word: str) -> bool:
    """Whether `word` is `token` with its first letter, a one-letter clitic, swapped for another."""
    return (
        len(token) == len(word)
        and token[1:] == word[1:]
        and token[0] != word[0]
        and {token[0], word[0]} <= _ONE_LETTER_CLITICS
    )


@dataclass(frozen=True, slots=True)
class Phrase:
    key: str  # what the phrase stands for: a need id, a crisis topic, "greeting" ...
    tokens: tuple[str, ...]
    text: str  # as written in the YAML, for explanations
    language: str | None = None

    @property
    def words(self) -> frozenset[str]:
        """Its tokens as a set (not kept: a set each for 55,000 phrases is 14 MB)."""
        return frozenset(self.tokens)

    def __reduce__(self) -> tuple[type[Phrase], tuple[str, tuple[str, ...], str, str | None]]:
        # Read back from the index cache through the constructor: dataclasses' own way for a frozen
        # class with slots looks the fields up again for each phrase.
        return (Phrase, (self.key, self.tokens, self.text, self.language))


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    positions: tuple[int, ...]  # message token positions the phrase's words matched
    weight: float
    phrase: Phrase


VERB_FINAL = frozenset({"fa", "ps", "ku", "ti"})
"""Languages whose verb ends the sentence: what is said about the verb comes between."""


class Lexicon:
    """A list of phrases, each standing for a key; finds the best non-overlapping hits in a message."""

    MAX_GAP = 1  # one other word may sit between a phrase's words

    def __init__(
        self,
        phrases: Iterable[tuple[str, str] | tuple[str, str, str]],
        stopwords: Iterable[str] = (),
        known: Iterable[str] = (),
        *,
        forgiving: bool = False,
    ) -> None:
        """`forgiving`: other forms of the listed words (`bot.lemmas`) and one slip in a four-letter
        word count too. Not for crisis words: their lists spell out each form ("lying" is never
        "lie"), and there a short word's slip is another word."""
        self.stopwords = frozenset(stopwords)
        self.strict = not forgiving
        self.phrases: list[Phrase] = []
        for key, text, *language in phrases:
            tokens = tuple(_pattern_tokens(text))
            if language and language[0] == "fr" and len(tokens) > 1:
                # Spoken and typed French drops the "ne" of "ne ... pas": listed or not, it may be there.
                tokens = tuple(t for t in tokens if t not in _FRENCH_NE) or tokens
            variants = _run_together(tokens) if forgiving else []  # a crisis list spells out each form
            for written in (tokens, *variants) if tokens else ():
                self.phrases.append(Phrase(key, written, text, language[0] if language else None))
        self.by_first: dict[str, list[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            self.by_first[phrase.tokens[0]].append(phrase)
        forms = other_forms((p.language or "", p.text) for p in self.phrases) if forgiving else None
        self.words = WordMatcher(
            (t for p in self.phrases for t in p.tokens),
            known=known if isinstance(known, frozenset) and known >= self.stopwords else self.stopwords.union(known),
            forms=forms,
            short_slips=forgiving,
            end_slips=forgiving,
        )

    def __len__(self) -> int:
        return len(self.phrases)

    def keys(self) -> set[str]:
        return {p.key for p in self.phrases}

    def find(self, tokens: Sequence[str], language: str | None = None, own: frozenset[str] = frozenset()) -> list[Hit]:
        """Best hits first; a word of the message counts for one phrase only (the longest)."""
        candidates = self.hits(tokens, language, own)
        candidates.sort(key=lambda h: (-len(h.positions), -h.weight))
        taken: set[int] = set()
        hits: list[Hit] = []
        for hit in candidates:
            if taken.isdisjoint(hit.positions):
                hits.append(hit)
                taken.update(hit.positions)
        return hits

    def hits(self, tokens: Sequence[str], language: str | None = None, own: frozenset[str] = frozenset()) -> list[Hit]:
        """Every phrase found in the message, overlapping ones included, in the order of their first word.

        With the message's `language` known, a phrase of another language counts only where that
        language does not claim the words (`own`: its listed words) and they are typed as listed,
        not as a typo: French "son" (his) is not English "son", nor "poisson" a typo of "poison",
        nor the Arabic "ما" (what) the Pashto "ما" (me)."""
        matches = [{m.word: m.quality for m in self.words.match(t)} for t in tokens]
        present = set().union(*matches)
        found: list[Hit] = []
        for start, words in enumerate(matches):
            for word in words:
                for phrase in self.by_first.get(word, ()):
                    if not present.issuperset(phrase.tokens):  # a word of it is missing: cannot match
                        continue
                    hit = self._extend(phrase, start, matches)
                    if hit is not None and not self._foreign(hit, tokens, matches, language, own):
                        found.append(hit)
        return found

    @staticmethod
    def _foreign(
        hit: Hit, tokens: Sequence[str], matches: list[dict[str, float]], language: str | None, own: frozenset[str]
    ) -> bool:
        other = hit.phrase.language
        if language is None or other is None or other == language:
            return False
        if language in LATIN_LANGUAGES and other in LATIN_LANGUAGES:
            floor = ENDING  # English and French share many words and endings: only exact ones cross
        else:
            floor = AFFIX
        for word, position in zip(hit.phrase.tokens, hit.positions, strict=True):
            if tokens[position] in own or matches[position][word] < floor:
                return True
        return False

    def _extend(self, phrase: Phrase, start: int, matches: list[dict[str, float]]) -> Hit | None:
        # Where the verb comes last, the place or the object sits between a phrase's words ("یوازې
        # انګلستان ته راغلی یم", alone to England I came): two words may, where a need is meant.
        gap = self.MAX_GAP + (not self.strict and phrase.language in VERB_FINAL)
        positions = [start]
        qualities = [matches[start][phrase.tokens[0]]]
        for word in phrase.tokens[1:]:
            last = positions[-1]
            for pos in range(last + 1, min(last + 2 + gap, len(matches))):
                if word in matches[pos]:
                    positions.append(pos)
                    qualities.append(matches[pos][word])
                    break
            else:
                return None
        if NEIGHBOUR in qualities and not any(
            q > NEIGHBOUR and (self.strict or phrase.tokens[i].rstrip("*") not in self.stopwords)
            for i, q in enumerate(qualities)
        ):
            # A listed word's neighbour needs a word typed right beside it; in a need, a word of
            # substance ("my cafe" is not "my case"); in a crisis, any ("c'est asser").
            return None
        content = sum(
            q if phrase.tokens[i].rstrip("*") not in self.stopwords else 0.25 * q for i, q in enumerate(qualities)
        )
        return Hit(phrase.key, tuple(positions), content, phrase)


def _run_together(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """An Arabic-script phrase with two of its words typed as one, as they often are ("خەوم لێناکەوێت"
    for "خەوم لێ ناکەوێت", "میخوام" for "می خوام"): the space is a habit of the writer, not a word."""
    return [
        (*tokens[:i], a + b, *tokens[i + 2 :])
        for i, (a, b) in enumerate(pairwise(tokens))
        if token_script(a) == token_script(b) == "arabic" and not a.endswith("*")
    ]


def _pattern_tokens(text: str) -> list[str]:
    """Tokens of a listed phrase; a trailing '*' on a word survives tokenising."""
    out: list[str] = []
    for part in text.split():
        star = part.endswith("*")
        tokens = tokenize(part)
        if tokens and star:
            tokens[-1] += "*"
        out.extend(tokens)
    return join_verb_prefixes(out) if joins_verb_prefixes(text, out) else out  # as tokenize does
