"""Loading the YAML knowledge base into a frozen, cross-checked model.

Every problem is reported as `file:line: what is wrong, and what to write instead`, all at once,
because the people who edit these files are volunteers, not programmers: a stack trace helps
nobody, and fixing one mistake per run is slow.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from rapidfuzz import process

from bot.freshness import DEFAULT_STALE_DAYS, age_if_stale, stale_entries, stale_message
from bot.problems import Problem, Severity
from bot.schema import (
    LANGUAGES,
    RETIRED_FIELDS,
    SECTIONS,
    WORDS_SECTION,
    ConversationWords,
    CrisisGroup,
    CrisisWords,
    Entry,
    Event,
    Frozen,
    Helpline,
    Need,
    NotCrisis,
    Organisation,
    Place,
    RegularSession,
    Service,
    Translations,
    combination_groups,
)
from bot.text import tokenize
from bot.word_review import ListedWord, everyday_words, review_words

Path_ = tuple[str | int, ...]

_NULL, _BOOL, _INT = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int"
_CORE_SCHEMA = (
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", [*"-+0123456789"]),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        [*"-+.0123456789"],
    ),
)
"""YAML 1.2's core schema: how a plain (unquoted) scalar is typed. Everything else is text, so unlike
YAML 1.1 (PyYAML's own) yes/no/on/off are not booleans, 9:00 is not 540 and 2024-01-31 is not a date."""


def _int12(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    """YAML 1.2 integers: 010 is ten (YAML 1.1 reads eight), 0o10 is eight."""
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text)


def _yaml12(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """`base` (PyYAML's safe loader, in C when libyaml is there) reading YAML 1.2 as editors do."""
    loader: type[yaml.SafeLoader] = type("Yaml12Loader", (base,), {"yaml_implicit_resolvers": {}})
    for tag, pattern, first in _CORE_SCHEMA:
        loader.add_implicit_resolver(tag, re.compile(pattern), first)
    loader.add_constructor(_INT, _int12)
    return loader


Yaml12Loader = _yaml12(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_yaml_12(text: str) -> Any:
    """Plain data from YAML text, typed as YAML 1.2 (and so VS Code's YAML extension) reads it."""
    return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 - a SafeLoader with other implicit types


class KnowledgeError(Exception):
    """The knowledge base cannot be used; `problems` says why, each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, validated and cross-checked. Never changes once built."""

    organisations: tuple[Organisation, ...]
    helplines: tuple[Helpline, ...]
    events: tuple[Event, ...]
    needs: tuple[Need, ...]
    crisis: tuple[CrisisWords, ...]
    places: tuple[Place, ...]
    words: ConversationWords
    crisis_groups: tuple[CrisisGroup, ...] = ()
    not_crisis: tuple[NotCrisis, ...] = ()
    sessions: tuple[RegularSession, ...] = ()  # regular sessions with no day known (never found by `entry`)
    version: str = ""
    warnings: tuple[Problem, ...] = ()
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({e.id: e for e in (*self.organisations, *self.helplines, *self.events)})

    @property
    def services(self) -> tuple[Service, ...]:
        return (*self.organisations, *self.helplines)

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def need(self, need_id: str) -> Need | None:
        return next((n for n in self.needs if n.id == need_id), None)

    def place(self, place_id: str) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def summary(self) -> str:
        return (
            f"{len(self.organisations)} organisations, {len(self.helplines)} helplines, "
            f"{len(self.events)} events, "
            + (f"{len(self.sessions)} regular sessions with no day, " if self.sessions else "")
            + f"{len(self.needs)} needs, {len(self.places)} places"
        )


# ---------------------------------------------------------------------------------------------
# Reading YAML with line numbers


@dataclass
class _Document:
    """One YAML file turned into plain data, remembering the line of every value and key."""

    name: str
    data: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    key_lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_, *, key: bool = False) -> int:
        """The line of the value at `path`, or of the nearest enclosing value we know."""
        if key and path in self.key_lines:
            return self.key_lines[path]
        while path:
            if path in self.lines:
                return self.lines[path]
            if path in self.key_lines:
                return self.key_lines[path]
            path = path[:-1]
        return 1


def _scalar(node: yaml.ScalarNode) -> Any:
    """Null and true/false as YAML 1.2 types them; every other scalar stays the text as written.

    pydantic converts the text by field type: a number keeps its digits ("01603 617076", an id
    like 999), and a time or date is read as what the volunteer wrote, never as YAML 1.1's 540 for
    9:00. (The tag is set only for a plain scalar: a quoted "true" stays text.)
    """
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        return node.value.lower() == "true"
    return node.value


def _convert(node: yaml.Node, path: Path_, doc: _Document, problems: list[Problem]) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), doc, problems) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                problems.append(
                    Problem(doc.name, key_node.start_mark.line + 1, "a field name must be a word like 'phone'")
                )
                continue
            if key in out:
                problems.append(
                    Problem(
                        doc.name,
                        key_node.start_mark.line + 1,
                        f"'{key}' is written twice here (first on line {doc.key_lines[(*path, key)]}): "
                        "keep one and delete the other",
                    )
                )
                continue
            doc.key_lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, (*path, key), doc, problems)
        return out
    return None


_UNREADABLE = ("YAML syntax error", "not saved as UTF-8", "the file is empty")

_YAML_HINTS = {
    "mapping values are not allowed": "a ':' inside a text confuses YAML: put the whole text in double quotes",
    "found character '\\t' that cannot start any token": "use spaces, not tabs, to indent",
    "found a tab character": "use spaces, not tabs, to indent",
    "could not find expected ':'": "a field needs a ':' after its name, like 'phone: 01603 123456'",
    "did not find expected key": "check the indentation: fields of one entry line up under each other",
    "did not find expected '-' indicator": "check the indentation of the list items ('- ...')",
    "found undefined alias": "remove the '*' at the start of the value, or put the value in quotes",
    "expected <block end>, but found '-'": "check the indentation: list items must line up",
}


def _read(path: Path, problems: list[Problem]) -> _Document | None:
    doc = _Document(path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(doc.name, 1, f"not saved as UTF-8 text ({exc.reason}): save it as UTF-8"))
        return None
    try:
        node = yaml.compose(text, Loader=Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = str(exc.problem or exc.context or "YAML syntax error")
        hint = next((h for k, h in _YAML_HINTS.items() if k in what or k in str(exc)), None)
        message = f"YAML syntax error: {what}" + (f"; {hint}" if hint else "")
        problems.append(Problem(doc.name, line, message))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(doc.name, 1, f"YAML syntax error: {exc}"))
        return None
    if node is None:
        problems.append(Problem(doc.name, 1, "the file is empty: delete it or add a section"))
        return None
    doc.data = _convert(node, (), doc, problems)
    return doc


# ---------------------------------------------------------------------------------------------
# Turning pydantic's errors into sentences for volunteers


def _example(model: type[BaseModel], name: str) -> str | None:
    info = model.model_fields.get(name)
    if info is None or not info.examples:
        return None
    value = info.examples[0]
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _field_model(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The (nested) model that the last field of `loc` belongs to."""
    current = model
    for part in loc[:-1]:
        if isinstance(part, str) and part in current.model_fields:
            annotation = current.model_fields[part].annotation
            for candidate in (*getattr(annotation, "__args__", ()), annotation):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    current = candidate
                    break
    return current


def _describe(error: Any, model: type[BaseModel]) -> tuple[tuple[Any, ...], str, bool]:
    """(location, sentence, about-the-key?) for one pydantic error."""
    loc = tuple(error["loc"])
    kind = error["type"]
    fields = [p for p in loc if isinstance(p, str) and p != "[key]"]
    name = fields[-1] if fields else "entry"
    owner = _field_model(model, loc)
    value = error.get("input")
    if kind == "missing":
        example = _example(owner, name)
        hint = f": add a line like `{name}: {example}`" if example else ""
        return loc[:-1], f"'{name}' is missing{hint}", False
    if kind == "extra_forbidden" and name in RETIRED_FIELDS:
        return loc, RETIRED_FIELDS[name].format(value=value), True
    if kind == "extra_forbidden":
        allowed = [f.alias or n for n, f in owner.model_fields.items()]
        best = process.extractOne(name, allowed, score_cutoff=60)
        guess = f"did you mean '{best[0]}'? " if best else ""
        return loc, f"unknown field '{name}': {guess}Fields allowed here: {', '.join(allowed)}", True
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        expected = error.get("ctx", {}).get("expected", "")
        return loc, f"'{value}' is not allowed as a key here: use one of {expected}", True
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return loc, f"'{value}' is not allowed in '{name}': write one of {expected}", False
    if kind in ("value_error", "assertion_error"):
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return loc, (f"'{name}' {message}" if fields and not message.startswith("'") else message), False
    friendly = {
        "date_from_datetime_parsing": "must be a date like 2024-01-31",
        "date_parsing": "must be a date like 2024-01-31",
        "date_type": "must be a date like 2024-01-31",
        "time_parsing": 'must be a time in quotes like "10:00"',
        "time_type": 'must be a time in quotes like "10:00"',
        "string_type": "must be text",
        "list_type": "must be a list like [first, second]",
        "dict_type": "must be a set of 'name: value' lines",
        "model_type": "must be a set of 'name: value' lines",
        "bool_parsing": "must be true or false",
        "bool_type": "must be true or false",
        "float_parsing": "must be a number like 52.63",
        "too_short": "must list at least one item",
        "greater_than_equal": "is too small here",
        "less_than_equal": "is too large here",
    }.get(kind)
    shown = f", got '{value}'" if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    if friendly is None:
        friendly = str(error["msg"]).lower()
    example = _example(owner, name)
    suggestion = f" (for example `{name}: {example}`)" if example and kind != "too_short" else ""
    return loc, f"'{name}' {friendly}{shown}{suggestion}", False


# ---------------------------------------------------------------------------------------------
# Loading and cross-checking


@dataclass
class _Located:
    """A validated entry and where it came from, for cross-checks that name file and line."""

    model: Frozen
    doc: _Document
    path: Path_

    def line(self, *parts: str | int, key: bool = False) -> int:
        return self.doc.line((*self.path, *parts), key=key)

    def problem(self, message: str, *parts: str | int, severity: Severity = "error") -> Problem:
        return Problem(self.doc.name, self.line(*parts), message, severity)


def yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def declared_ids(directory: Path, section: str) -> list[str]:
    """The ids the entries of `section` have in the YAML files of `directory`, sorted, as written.

    For the editor schema's lists of need and place ids: read without validating, so that a
    knowledge base with mistakes still gets a schema that helps to fix them.
    """
    ids: set[str] = set()
    top_level = re.compile(rf"^{re.escape(section)}[ \t]*:", re.MULTILINE)
    for path in yaml_files(directory):
        if not top_level.search(path.read_text(encoding="utf-8", errors="replace")):
            continue  # a section is a key at the start of a line: the large word files need not be parsed
        doc = _read(path, [])
        entries = doc.data.get(section) if doc is not None and isinstance(doc.data, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                ids.add(entry["id"])
    return sorted(ids)


def content_version(directory: Path) -> str:
    """The hash of every YAML file's name and bytes: the KnowledgeBase.version they would load as."""
    digest = hashlib.sha256()
    for path in yaml_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def check(
    directory: Path | str, *, today: date | None = None, stale_days: int = DEFAULT_STALE_DAYS, review: bool = False
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load and cross-check; return the knowledge base (None if any error) and every problem.

    Given `today`, entries last verified more than `stale_days` days before it are warnings too.
    With `review`, words to look at again are warnings too (a crisis word of one language that is an
    everyday word of another): `validate` asks for them, a start or reload does not.
    """
    # The YAML node tree is many small objects that live until the end: the cyclic garbage
    # collector would scan them again and again (half the load time at 10,000 organisations).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(Path(directory), today, stale_days, review)
    finally:
        if collecting:
            gc.enable()


def _check(
    directory: Path, today: date | None, stale_days: int, review: bool
) -> tuple[KnowledgeBase | None, list[Problem]]:
    problems: list[Problem] = []
    if not directory.is_dir():
        return None, [Problem(str(directory), 1, "this folder does not exist: check --knowledge")]
    files = yaml_files(directory)
    if not files:
        return None, [Problem(str(directory), 1, "no .yaml files in this folder")]
    # A file saved as ".yml" is never read: say so rather than answer without it.
    problems += [
        Problem(p.name, 1, f"this file is not read (only .yaml files are): rename it to {p.stem}.yaml")
        for p in sorted(directory.glob("*.yml"))
    ]
    sections: dict[str, list[_Located]] = {name: [] for name in SECTIONS}
    invalid: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    words: list[_Located] = []
    for path in files:
        doc = _read(path, problems)
        if doc is None:
            continue
        _collect(doc, sections, invalid, words, problems)
    if len(words) > 1:
        problems.append(words[1].problem(f"a second 'words' section (the first is in {words[0].doc.name}): merge them"))
    conversation = words[0].model if words else ConversationWords()
    assert isinstance(conversation, ConversationWords)
    if not any(p.message.startswith(_UNREADABLE) for p in problems):
        # Cross-checks against a file that could not be read would only report false alarms.
        problems.extend(_cross_check(sections, invalid))
        problems.extend(_translate(sections))
    if today is not None:
        problems.extend(_check_freshness(sections, today, stale_days))
    if review:
        problems.extend(review_words(_listed_words(sections), everyday_words(conversation.stopwords)))
        problems.extend(_check_shared_need_words(sections))
        problems.extend(_check_repeated_words(sections))
    if any(p.severity == "error" for p in problems):
        return None, problems

    def models(name: str) -> tuple[Any, ...]:
        return tuple(item.model for item in sections[name])

    kb = KnowledgeBase(
        organisations=models("organisations"),
        helplines=models("helplines"),
        events=models("events"),
        needs=models("needs"),
        crisis=models("crisis"),
        places=models("places"),
        words=conversation,
        crisis_groups=models("crisis_groups"),
        not_crisis=models("not_crisis"),
        sessions=models("sessions"),
        version=content_version(directory),
        warnings=tuple(p for p in problems if p.severity == "warning"),
    )
    return kb, problems


def load(directory: Path | str) -> KnowledgeBase:
    """The knowledge base in `directory`, or KnowledgeError listing every problem."""
    kb, problems = check(directory)
    if kb is None:
        raise KnowledgeError([p for p in problems if p.severity == "error"])
    return kb


def _collect(
    doc: _Document,
    sections: dict[str, list[_Located]],
    invalid: dict[str, list[dict[str, Any]]],
    words: list[_Located],
    problems: list[Problem],
) -> None:
    if not isinstance(doc.data, dict):
        problems.append(Problem(doc.name, 1, f"the file must start with a section name such as {', '.join(SECTIONS)}"))
        return
    known = [*SECTIONS, WORDS_SECTION]
    for key, value in doc.data.items():
        if key == WORDS_SECTION:
            located = _validate(ConversationWords, value, doc, (key,), problems)
            if located:
                words.append(located)
            continue
        if key not in SECTIONS:
            best = process.extractOne(key, known, score_cutoff=60)
            guess = f"did you mean '{best[0]}'? " if best else ""
            problems.append(
                Problem(
                    doc.name,
                    doc.line((key,), key=True),
                    f"unknown section '{key}': {guess}Sections: {', '.join(known)}",
                )
            )
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(
                Problem(
                    doc.name, doc.line((key,)), f"'{key}' must be a list of entries, each starting with '- id: ...'"
                )
            )
            continue
        for index, item in enumerate(value):
            located = _validate(SECTIONS[key], item, doc, (key, index), problems)
            if located:
                sections[key].append(located)
            elif isinstance(item, dict):
                invalid[key].append(item)


def _validate(model: type[Frozen], item: Any, doc: _Document, path: Path_, problems: list[Problem]) -> _Located | None:
    if not isinstance(item, dict):
        problems.append(
            Problem(
                doc.name, doc.line(path), "each entry must be a set of 'name: value' lines starting with '- id: ...'"
            )
        )
        return None
    try:
        return _Located(model.model_validate(item), doc, path)
    except ValidationError as exc:
        for error in exc.errors():
            loc, message, about_key = _describe(error, model)
            problems.append(Problem(doc.name, doc.line((*path, *loc), key=about_key), message))
        return None


def _suggest(value: str, choices: Iterable[str]) -> str:
    best = process.extractOne(value, list(choices), score_cutoff=50)
    return f"did you mean '{best[0]}'?" if best else "no close match."


def _raw_ids(items: list[dict[str, Any]]) -> set[str]:
    return {str(item["id"]) for item in items if "id" in item}


def _cross_check(sections: dict[str, list[_Located]], invalid: dict[str, list[dict[str, Any]]]) -> Iterator[Problem]:
    """Checks that span entries and files: ids unique, references resolve, every need served.

    Entries that failed validation still count as existing (by their raw id and needs), so that
    one mistake is reported once, not again by every entry that refers to it.
    """
    need_ids = {item.model.id for item in sections["needs"]} | _raw_ids(invalid["needs"])  # type: ignore[attr-defined]
    place_ids = {item.model.id for item in sections["places"]} | _raw_ids(invalid["places"])  # type: ignore[attr-defined]
    seen: dict[str, _Located] = {}
    for section in ("organisations", "helplines", "events", "sessions", "needs", "places", "crisis_groups"):
        ids_here: dict[str, _Located] = {} if section in ("needs", "places", "crisis_groups") else seen
        for item in sections[section]:
            entry_id = item.model.id  # type: ignore[attr-defined]
            if entry_id in ids_here:
                first = ids_here[entry_id]
                yield item.problem(
                    f"id '{entry_id}' is already used in {first.doc.name}:{first.line('id')}: "
                    "give this entry a different id",
                    "id",
                )
            else:
                ids_here[entry_id] = item
    organisation_ids = {item.model.id for item in sections["organisations"]}  # type: ignore[attr-defined]
    organisation_ids |= _raw_ids(invalid["organisations"])
    served: set[str] = {
        str(need)
        for item in (*invalid["organisations"], *invalid["helplines"])
        for need in (item.get("needs") or [])
        if isinstance(item.get("needs"), list)
    }
    for section in ("organisations", "helplines", "events", "sessions"):
        for item in sections[section]:
            entry = item.model
            assert isinstance(entry, Entry)
            for i, need in enumerate(entry.needs):
                if need not in need_ids:
                    yield item.problem(
                        f"'{need}' is not a need id: {_suggest(need, need_ids)} "
                        f"Need ids: {', '.join(sorted(need_ids))}",
                        "needs",
                        i,
                    )
            for i, area in enumerate(entry.areas):
                if area not in place_ids:
                    yield item.problem(
                        f"'{area}' is not a place id from places.yaml: {_suggest(area, place_ids)} "
                        "Add the place to places.yaml if it is new.",
                        "areas",
                        i,
                    )
            if isinstance(entry, Service):
                served.update(entry.needs)
                for need in entry.need_notes:
                    if need not in entry.needs:
                        yield item.problem(
                            f"need_notes has '{need}', which is not in this entry's needs: "
                            "add it to needs or remove the note",
                            "need_notes",
                            need,
                        )
                if entry.contact_count == 0:
                    yield item.problem(
                        "no phone, email, website or address: people cannot contact it", "id", severity="warning"
                    )
            if (
                isinstance(entry, Event | RegularSession)
                and entry.organiser is not None
                and entry.organiser not in organisation_ids
            ):
                yield item.problem(
                    f"organiser '{entry.organiser}' is not an organisation id: "
                    f"{_suggest(entry.organiser, organisation_ids)} "
                    "Use the id of an entry in organisations.yaml.",
                    "organiser",
                )
    for item in sections["needs"]:
        need_model = item.model
        assert isinstance(need_model, Need)
        if need_model.id not in served and sections["organisations"]:
            yield item.problem(
                f"no organisation or helpline lists the need '{need_model.id}': "
                "add it to the needs of one that helps with it",
                "id",
            )
    for item in sections["places"]:
        place = item.model
        assert isinstance(place, Place)
        for i, parent in enumerate(place.within):
            if parent not in place_ids:
                yield item.problem(f"'{parent}' is not a place id: {_suggest(parent, place_ids)}", "within", i)
    yield from _check_crisis_combinations(sections, invalid)
    yield from _check_word_languages(sections)


def _check_crisis_combinations(
    sections: dict[str, list[_Located]], invalid: dict[str, list[dict[str, Any]]]
) -> Iterator[Problem]:
    """Every group a crisis combination names must exist in crisis_groups."""
    group_ids = {item.model.id for item in sections["crisis_groups"]}  # type: ignore[attr-defined]
    group_ids |= _raw_ids(invalid["crisis_groups"])
    for item in (*sections["crisis"], *sections["not_crisis"]):
        for field_name in ("together", "uncertain"):
            for i, combination in enumerate(getattr(item.model, field_name, ())):
                for group in combination_groups(combination)[0]:
                    if group not in group_ids:
                        yield item.problem(
                            f"'{group}' in '{combination}' is not a crisis group id: {_suggest(group, group_ids)} "
                            "Add it under crisis_groups, or use an existing group.",
                            field_name,
                            i,
                        )


_TRANSLATED_TEXTS: tuple[str, ...] = ("description", "caution", "caution_short", "phone_note", "email_note")
_TRANSLATED_TEXTS += ("address_note", "hours_note", "languages_note", "booking", "usually")


def _translate(sections: dict[str, list[_Located]]) -> Iterator[Problem]:
    """Put each translations file's texts into the entries they name, as their text in that language."""
    translatable = ("organisations", "helplines", "events", "sessions")
    by_id = {item.model.id: item for name in translatable for item in sections[name]}  # type: ignore[attr-defined]
    town_names = {tuple(tokenize(x)) for item in sections["places"] for x in (item.model.name, *item.model.aliases)}  # type: ignore[attr-defined]
    for located in sections["translations"]:
        translations = located.model
        assert isinstance(translations, Translations)
        language = translations.language
        for entry_id, texts in translations.entries.items():
            target = by_id.get(entry_id)
            if target is None:
                # A warning, not an error: the texts of an entry someone removed harm nobody, and
                # removing an entry must not stop the bot over its translations.
                yield located.problem(
                    f"'{entry_id}' is not the id of an organisation, helpline, event or session: "
                    f"{_suggest(entry_id, by_id)} (or delete these texts if the entry was removed)",
                    "entries",
                    entry_id,
                    severity="warning",
                )
                continue
            entry = target.model
            assert isinstance(entry, Entry)
            update: dict[str, Any] = {}
            if texts.name:
                update["name_translations"] = {**entry.name_translations, language: texts.name}
            towns = [a for a in texts.aliases if tuple(tokenize(a)) in town_names]
            if towns:
                yield located.problem(
                    f"'{entry_id}': {', '.join(towns)} only name a town, and a town names a place, never an"
                    " organisation: write the organisation's own name, or leave the alias out",
                    "entries",
                    entry_id,
                    "aliases",
                    severity="warning",
                )
            if texts.aliases:
                kept = (a for a in texts.aliases if a not in towns)
                update["aliases"] = list(dict.fromkeys((*entry.aliases, *kept)))
            for field_name in _TRANSLATED_TEXTS:
                text, english_text = getattr(texts, field_name), getattr(entry, field_name, None)
                if text is None:
                    continue
                if english_text is None:
                    yield located.problem(
                        f"'{entry_id}' has no {field_name} to translate: remove this line or add the English text",
                        "entries",
                        entry_id,
                        field_name,
                        severity="warning",
                    )
                    continue
                update[field_name] = {**english_text, language: text}
            notes = getattr(entry, "need_notes", {})
            for need, text in texts.need_notes.items():
                if need in notes:
                    update.setdefault("need_notes", dict(notes))[need] = {**notes[need], language: text}
            target.model = entry.model_copy(update=update)


def _words_in(items: list[_Located], fields: tuple[str, ...], where: Callable[[Any], str]) -> Iterator[ListedWord]:
    """The words of `fields` (language -> words) of each item, with where they are written."""
    for item in items:
        for field_name in fields:
            for language, texts in getattr(item.model, field_name).items():
                line = item.line(field_name, language)
                yield from (ListedWord(item.doc.name, line, language, t, where(item.model)) for t in texts)


def _need_words(sections: dict[str, list[_Located]]) -> Iterator[ListedWord]:
    return _words_in(sections["needs"], ("words",), lambda need: f"need '{need.id}'")


def _listed_words(sections: dict[str, list[_Located]]) -> Iterator[ListedWord]:
    """Every need and crisis word, with where it is written, for the word review."""
    yield from _need_words(sections)
    yield from _words_in(sections["crisis"], ("words", "uncertain_words"), lambda t: f"crisis topic '{t.topic}'")
    yield from _words_in(sections["crisis_groups"], ("words",), lambda group: f"crisis group '{group.id}'")


MAX_NEEDS_PER_WORD = 3
"""A word listed for more needs than this says little about which one is asked: review it."""


def _check_shared_need_words(sections: dict[str, list[_Located]]) -> Iterator[Problem]:
    """Warn about a word that several needs list in the same language ("help", "card")."""
    holders: dict[tuple[str, str], list[ListedWord]] = defaultdict(list)
    for word in _need_words(sections):
        holders[(word.language, word.text.casefold())].append(word)
    for (language, text), found in holders.items():
        needs = sorted({word.where for word in found})
        if len(needs) > MAX_NEEDS_PER_WORD:
            yield Problem(
                found[0].file,
                found[0].line,
                f"'{text}' ({language}) is listed for {len(needs)} needs ({', '.join(needs)}): it says little"
                " about which one is asked; keep it in the one or two it means most, or make a longer phrase",
                "warning",
            )


def _check_repeated_words(sections: dict[str, list[_Located]]) -> Iterator[Problem]:
    """Warn about a word written twice in one list: the second says nothing more, and hides that
    someone meant to add a new word."""
    first: dict[tuple[str, str, str], ListedWord] = {}
    for word in _listed_words(sections):
        key = (word.where, word.language, " ".join(word.text.casefold().split()))  # as the editor sees it
        if key not in first:
            first[key] = word
            continue
        yield Problem(
            word.file,
            word.line,
            f"'{word.text}' ({word.language}) is listed twice for {word.where} (first on line {first[key].line}):"
            " remove one",
            "warning",
        )


def _check_freshness(sections: dict[str, list[_Located]], today: date, days: int) -> Iterator[Problem]:
    """Warn about entries whose facts were last checked more than `days` days before `today`."""
    for section in ("organisations", "helplines", "events", "sessions"):
        for item in sections[section]:
            entry = item.model
            assert isinstance(entry, Entry)
            age = age_if_stale(entry, today, days)
            if age is not None:
                yield item.problem(stale_message(entry, age), "id", severity="warning")


def _check_word_languages(sections: dict[str, list[_Located]]) -> Iterator[Problem]:
    """Warn where a need has no words in one of the bot's languages: questions in it cannot find it."""
    for item in sections["needs"]:
        need = item.model
        assert isinstance(need, Need)
        missing = [lang for lang in LANGUAGES if not need.words.get(lang)]
        if missing:
            yield item.problem(
                f"need '{need.id}' has no words in {', '.join(missing)}: questions in those languages will not find it",
                "words",
                severity="warning",
            )


__all__ = [
    "Event",
    "Helpline",
    "KnowledgeBase",
    "KnowledgeError",
    "Need",
    "Organisation",
    "Place",
    "Problem",
    "Service",
    "check",
    "declared_ids",
    "load",
    "load_yaml_12",
    "stale_entries",
    "yaml_files",
]
