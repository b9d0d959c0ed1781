"""The JSON Schema of the knowledge files, for editors: autocomplete, hover help and red squiggles.

It is generated from the pydantic models in `bot/schema.py` (the single source of truth) by
`python run_bot.py schema`, and shipped as `knowledge/schema.json`. Each YAML file names it on its
first line (`# yaml-language-server: $schema=schema.json`), which VS Code's YAML extension reads.

Pydantic describes what the models *store*; volunteers write what the validators *accept*: a
plain string where a text per language is stored, `mon-fri` for a list of days, `"10:00"` for a
time, one source instead of a list. `_Generator` turns each of bot/schema.py's validators into
the JSON Schema of what it accepts, so the editor never flags what `validate` would accept. Help
texts for volunteers live here as long as the models carry none: a field's own `description` in
bot/schema.py always wins.

The schema is draft-07, the draft VS Code's YAML extension supports best. Editors read YAML as
YAML 1.2 (`2024-01-31` and `10:00` are text there, not a date and a number of minutes), and so do
`load_yaml_12` and the tests that check every shipped file against the schema.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from bot import schema as schema_module
from bot.schema import DAYS, SECTIONS, WORDS_SECTION, ConversationWords

JsonSchema = dict[str, Any]

LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "fa": "Farsi (Persian, also Dari)",
    "uk": "Ukrainian",
    "ps": "Pashto",
    "ku": "Kurdish (Sorani)",
    "ti": "Tigrinya",
    "fr": "French",
    "translit": "Romanised spellings typed in Latin letters (Arabizi such as 'mehtaj akl', Finglish)",
}

_DAY = "(" + "|".join(DAYS) + ")"
_TIME = r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_LOCAL_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?$"

SECTION_HELP = {
    "organisations": "Organisations people can contact or visit. Each entry starts with '- id: ...'.",
    "helplines": "Phone lines people can call. Each entry starts with '- id: ...'.",
    "events": "Things happening on a date. Each entry starts with '- id: ...'.",
    "sessions": (
        "Regular sessions whose source gives no day or date ('three times a week'); one with a day is an "
        "event with repeat. Each entry starts with '- id: ...'."
    ),
    "needs": "The kinds of help people ask for, and the words they use for each. Each starts with '- id: ...'.",
    "crisis": (
        "How to recognise each kind of danger: phrases and combinations of word groups. "
        "Each starts with '- topic: ...'."
    ),
    "crisis_groups": "Word groups that crisis combinations are made of ('kill', 'myself'). Each: '- id: ...'.",
    "translations": "Entries' texts in another language, by entry id. Each starts with '- language: ...'.",
    "not_crisis": (
        "Harmless words that contain crisis words ('kitchen knife'): they cancel them. Each starts with '- about: ...'."
    ),
    "places": "Towns and areas that entries serve and that people name. Each entry starts with '- id: ...'.",
    "words": "Words for the conversation itself: greetings, thanks, event and date words, stopwords.",
}

MODEL_HELP = {
    "Organisation": "An organisation: someone a person can contact or visit for help.",
    "Helpline": "A phone line people can call.",
    "Event": "Something happening on a date: a celebration, a meeting, a drop-in.",
    "RegularSession": "A regular session whose source gives no day or date: listed as one to ask about.",
    "OpeningHours": "One line of a weekly timetable: these days, from 'opens' to 'closes'.",
    "Coordinates": "A point on the map, in decimal degrees.",
}

FIELD_HELP: dict[str, str] = {
    "id": (
        "A short name for this entry that never changes: lower-case letters, digits and hyphens, "
        "like bridge-plus. Other entries use it to refer to this one."
    ),
    "name": "The name people know it by, as the bot shows it.",
    "aliases": "Other names and spellings people use, so the bot finds it when they write them.",
    "description": (
        "What it does, in one to three short sentences. Plain text is English; to add other languages "
        "write 'en: ...' and 'ar: ...' etc. on separate lines."
    ),
    "needs": "The need ids (from needs.yaml) it helps with, main ones first, like [food, housing].",
    "areas": "The place ids (from places.yaml) it serves, like [norwich] or [norfolk].",
    "caution": (
        "A warning shown with the details, such as 'These details are from 2017: call before you travel.' "
        "Use it when facts are old or uncertain."
    ),
    "sources": (
        "The web pages these details come from. Every phone number, address and time must be on one of "
        "them. Never guess: leave a detail out if no source shows it."
    ),
    "last_verified": (
        "The date the sources show, or the day you checked the details with the organisation: "
        "year-month-day like 2024-01-31. `validate` warns when it is old."
    ),
    "need_notes": "For some of its needs, one sentence on what exactly it does for that need.",
    "for_sanctuary_seekers": "true if it is specially for refugees and people seeking asylum.",
    "phone": (
        'The phone number, digits and spaces only, in quotes: "01603 617076". Never guess a number: '
        "leave the line out if no source shows it."
    ),
    "phone_note": "Words about the phone line, like 'Press 2 for advice' or 'Free from mobiles'.",
    "email": "Just the email address, like info@example.org.uk.",
    "email_note": "Words about the email, like 'Replies within a week'.",
    "website": "The web address, starting with https://.",
    "address": "The street address with the postcode, like 44-48 Magdalen Street, Norwich NR3 1JU.",
    "address_note": "Words about the address, like 'Side door, first floor'.",
    "coordinates": "Where it is on the map (lat and lon), only if a source gives them.",
    "opening_hours": "When it is open: one line per group of days with the same times.",
    "open_24_7": "true if it is open all day and night, every day. Then leave out opening_hours.",
    "hours_note": "Words about the hours, like 'Closed on bank holidays'.",
    "languages_note": "Languages spoken or interpreters offered, like 'Interpreter available: just ask.'",
    "crisis_topics": (
        "For crisis lines only: the kinds of crisis it is shown first for (suicide, abuse, violence, "
        "sexual-violence, medical, child, mental-health, fire)."
    ),
    "human_contact": "true to offer it as a person to talk to when the bot cannot help.",
    "days": "The days, like [mon, tue, wed] or mon-fri.",
    "opens": 'The opening time, 24-hour clock, in quotes: "10:00".',
    "closes": 'The closing time, 24-hour clock, in quotes: "16:00". It must be after opens.',
    "lat": "Latitude, like 52.63.",
    "lon": "Longitude, like 1.30 (negative west of Greenwich).",
    "organiser": "The id of the organisation (from organisations.yaml) that runs it.",
    "start": "When it starts, Norfolk time: 2024-02-05 18:00, or just the date 2024-06-10 for all day.",
    "end": "When it ends, like 2024-02-05 20:30, or the last day 2024-06-30 for an event of several days.",
    "venue": "The name of the place, like Norwich Arts Centre, or Online.",
    "online": "true if it happens online.",
    "repeat": "For an event that happens again, like {every: week, on: [tue]}. start is the first time.",
    "booking": "How to book, like 'Free registration' or 'Email events@example.org'.",
    "label": "The short name of the need, as on its button: 'Food and clothes'.",
    "words": (
        "Words and phrases people write for it, per language. A phrase matches when its words come in this "
        "order. A * at the end means any ending: solicitor* matches solicitors."
    ),
    "exclude": "Phrases that look like this need but are not: 'home office' is not housing.",
    "topic": "The kind of crisis these words are about.",
    "name_translations": (
        "The name in other languages, shown first in replies in that language, with the name as written "
        "after it: ar: السامريون."
    ),
    "meaning": "What the group's words mean, in English, so that words of every language can be added to it.",
    "together": (
        "Combinations of crisis groups, like 'kill + myself': a word of each group within a few words of each "
        "other, in any order and in one language, means this danger."
    ),
    "uncertain": (
        "Combinations that are some evidence only, like 'hopeless': the bot starts with 999 and asks "
        "'Are you safe right now?'."
    ),
    "uncertain_words": "Phrases that are some evidence only, per language: the bot asks 'Are you safe right now?'.",
    "language": "The language of these texts: ar, fa, uk, ps, ku, ti or fr.",
    "entries": "The texts of each organisation, helpline or event, under its id: name, description, caution ...",
    "about": "What these harmless words are, like 'everyday things and idioms'.",
    "within": "The ids of the larger places it is part of, like [norfolk].",
    "centre": "The town centre on the map, to sort organisations by distance. Needs centre_source.",
    "centre_source": "The web page the centre's coordinates come from.",
    "greetings": "Greetings such as hello and salam.",
    "thanks": "Thanks and goodbyes.",
    "events": "Words that ask about events: when, what time, meeting, party.",
    "event_questions": "Words that ask what is on: what's on, coming up, what is there this week.",
    "general_help": "General words for help that name no particular need.",
    "stopwords": "Little words that carry no meaning for matching: a, the, I, please.",
    "dates": "Words for the times people ask about: today, this week, in March ...",
}

MODEL_FIELD_HELP: dict[str, dict[str, str]] = {
    "Event": {
        "address": "The street address of the venue, if a source gives it.",
        "description": "What happens, in one to three short sentences.",
    },
    "Need": {
        "id": "A short name for the need, like food. Entries list it in their needs; never change it.",
    },
    "Place": {
        "id": "A short name for the place, like great-yarmouth. Entries list it in their areas.",
        "name": "The name as the bot writes it, like Great Yarmouth.",
        "aliases": "Other spellings people use, in any language or script.",
    },
    "Repeat": {
        "every": "How often: day, week or month.",
        "interval": "2 for every other week (or day, or month); leave it out for every one.",
        "on": "The days, like [tue] or [mon, thu]. With every: month, also write nth.",
        "nth": "With every: month: 1 for the first of the month, 2 for the second ... or -1 for the last.",
        "until": "The last date it may happen, like 2024-12-31. Leave it out if it goes on.",
        "count": "How many times it happens in all, instead of until.",
        "except": "Dates when it does not happen, like [2024-12-24, 2024-12-31].",
    },
    "CrisisWords": {
        "words": "Specific phrases meaning someone is in danger now, per language: 'my husband hits me'.",
    },
    "CrisisGroup": {
        "id": "A short name for the group, like myself. Crisis combinations use it: 'kill + myself'.",
        "words": "The group's words in each language, every form people type. A * at the end means any ending.",
    },
    "EntryTexts": {
        "name": "The name in this language, as a heading: what it means, or how it sounds.",
        "need_notes": "The entry's need notes in this language, by need id.",
    },
    "NotCrisis": {
        "words": "Harmless phrases that contain crisis words, per language: 'kitchen knife', 'my phone died'.",
        "together": "Combinations of crisis groups that are harmless together, like 'long-ago + hit'.",
    },
}

Validator = Callable[..., Any]


def _is(function: Validator, name: str) -> bool:
    """Whether `function` is bot/schema.py's validator `name` (by identity: a renamed one is just skipped)."""
    return function is getattr(schema_module, name, None)


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, describing what each of bot/schema.py's validators accepts."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"]["function"]
        if _is(function, "_as_text_by_language"):
            return {"anyOf": [{"type": "string", "minLength": 1}, self.generate_inner(schema["schema"])]}
        if _is(function, "_as_list"):
            inner = self.generate_inner(schema["schema"])
            return {"anyOf": [{**inner.get("items", {"type": "string"})}, inner]}
        if _is(function, "_days") or _is(function, "_weekdays"):
            return {
                "anyOf": [
                    self.generate_inner(schema["schema"]),
                    {
                        "type": "string",
                        "pattern": f"^{_DAY}(-{_DAY})?$",
                        "patternErrorMessage": "write days like mon-fri, or a list like [mon, wed]",
                    },
                ]
            }
        if _is(function, "_every"):
            words = sorted(getattr(schema_module, "_FREQUENCY_WORDS", {}))
            inner = self.generate_inner(schema["schema"])
            return {"anyOf": [inner, {"enum": words}]} if words else inner
        if _is(function, "_time"):
            return {"type": "string", "pattern": _TIME, "patternErrorMessage": 'write a time in quotes like "10:00"'}
        if _is(function, "_local_datetime"):
            return {
                "type": "string",
                "pattern": _LOCAL_TIME,
                "patternErrorMessage": "write a date and time like 2024-02-05 18:00, or a date like 2024-06-10",
            }
        if _is(function, "_phone"):
            return {
                "type": ["string", "integer"],
                "pattern": r"^\+?[0-9 ]+$",
                "patternErrorMessage": 'write digits and spaces in quotes, like "01603 617076"',
            }
        return super().function_before_schema(schema)

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        function = schema["function"]["function"]
        inner = self.generate_inner(schema["schema"])
        if _is(function, "_slug"):
            return {
                **inner,
                "pattern": _schema_pattern("_SLUG"),
                "patternErrorMessage": "lower-case letters, digits and hyphens, like bridge-plus",
            }
        if _is(function, "_text"):
            # The loader reads every value as text, so an unquoted 999 in a word list is the text "999".
            return {**inner, "type": ["string", "number"], "minLength": 1}
        if _is(function, "_url"):
            return {**inner, "pattern": "^https?://", "patternErrorMessage": "start with https://"}
        if _is(function, "_email"):
            return {**inner, "format": "email"}
        allowed = _allowed_languages(function)
        if allowed is not None:
            name = next((n for n, codes in _LANGUAGE_DEFS.items() if codes() == allowed), None)
            value = _only_languages(inner, allowed)
            return {**value, _DEF: name} if name else value
        return inner


_DEF = "x-definition"
"""A marker on a generated schema that `_factor` moves into $defs under this name."""

_LANGUAGE_DEFS: dict[str, Callable[[], tuple[str, ...] | None]] = {
    "TextByLanguage": lambda: getattr(schema_module, "LANGUAGES", None),
    "Words": lambda: getattr(schema_module, "WORD_LANGUAGES", None),
}

DEFINITION_HELP = {
    "TextByLanguage": "A text. Plain text is English; or write one line per language, like en: ... and ar: ...",
    "Words": "Words and phrases per language: one line per language code, like en: [hello, hi].",
}

_ANNOTATIONS = ("title", "description", "examples", "default")


def _factor(value: Any, definitions: dict[str, JsonSchema]) -> Any:
    """Move each marked schema into `definitions` once, leaving a $ref (with the field's own annotations)."""
    if isinstance(value, list):
        return [_factor(v, definitions) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: _factor(v, definitions) for k, v in value.items()}
    name = value.pop(_DEF, None)
    if name is None:
        return value
    structure = {k: v for k, v in value.items() if k not in _ANNOTATIONS}
    if definitions.setdefault(name, structure) != structure:
        return value  # a different shape under the same name: keep it where it is
    return {"$ref": f"#/$defs/{name}", **{k: v for k, v in value.items() if k in _ANNOTATIONS}}


def _schema_pattern(name: str) -> str:
    pattern = getattr(schema_module, name)
    assert isinstance(pattern, re.Pattern)
    return str(pattern.pattern)


def _allowed_languages(function: Validator) -> tuple[str, ...] | None:
    """The language codes a `_languages(...)` check allows, read from its closure; None for other functions."""
    if not getattr(function, "__qualname__", "").startswith("_languages."):
        return None
    allowed = inspect.getclosurevars(function).nonlocals.get("allowed")
    return tuple(allowed) if isinstance(allowed, tuple) else None


def _only_languages(value: JsonSchema, allowed: tuple[str, ...]) -> JsonSchema:
    """Turn 'a mapping of anything to X' into 'a mapping of these language codes to X', for autocomplete."""
    if "anyOf" in value:
        return {**value, "anyOf": [_only_languages(branch, allowed) for branch in value["anyOf"]]}
    if value.get("type") != "object" or not isinstance(value.get("additionalProperties"), dict):
        return value
    item = value["additionalProperties"]
    properties = {code: {**item, "description": LANGUAGE_NAMES.get(code, code)} for code in allowed}
    return {**{k: v for k, v in value.items() if k != "additionalProperties"}, "properties": properties} | {
        "additionalProperties": False
    }


def _tidy(value: Any) -> Any:
    """Objects keyed by a fixed list (propertyNames enum) list those keys as properties, for autocomplete;
    a key pattern's error message goes where editors read it."""
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: _tidy(v) for k, v in value.items()}
    names = value.get("propertyNames")
    item = value.get("additionalProperties")
    if isinstance(names, dict) and "enum" in names and isinstance(item, dict):
        value = {k: v for k, v in value.items() if k not in ("propertyNames", "additionalProperties")}
        value["properties"] = {key: item for key in names["enum"]}
        value["additionalProperties"] = False
    elif isinstance(names, dict) and set(names) == {"patternErrorMessage"}:
        del value["propertyNames"]
    return value


def _models() -> list[type[BaseModel]]:
    return [*SECTIONS.values(), ConversationWords]


def _add_help(definitions: dict[str, JsonSchema]) -> None:
    for name, definition in definitions.items():
        if "description" not in definition and name in MODEL_HELP:
            definition["description"] = MODEL_HELP[name]
        for field, prop in definition.get("properties", {}).items():
            text = MODEL_FIELD_HELP.get(name, {}).get(field) or FIELD_HELP.get(field)
            if text and "description" not in prop:
                prop["description"] = text


def _add_rules(definitions: dict[str, JsonSchema]) -> None:
    """Rules the models check in code (model validators), where JSON Schema can say them too."""
    for name in ("Organisation", "Helpline"):
        definition = definitions.get(name)
        if definition is None:
            continue
        for field in ("needs", "areas"):
            if field in definition.get("properties", {}):
                definition["properties"][field]["minItems"] = 1
                if field not in definition.setdefault("required", []):
                    definition["required"].append(field)
    place = definitions.get("Place")
    if place is not None and {"centre", "centre_source"} <= set(place.get("properties", {})):
        place["dependencies"] = {"centre": ["centre_source"]}


def generate() -> JsonSchema:
    """The JSON Schema of one knowledge file: any of the sections, each a list of entries (words: one mapping)."""
    _, top = models_json_schema(
        [(model, "validation") for model in _models()], ref_template="#/$defs/{model}", schema_generator=_Generator
    )
    shared: dict[str, JsonSchema] = {}
    definitions: dict[str, JsonSchema] = _factor(_tidy(top.get("$defs", {})), shared)
    for name, definition in shared.items():
        definitions[name] = {"description": DEFINITION_HELP.get(name, name), **definition}
    definitions = dict(sorted(definitions.items()))
    _add_help(definitions)
    _add_rules(definitions)
    properties: dict[str, JsonSchema] = {}
    for section, model in SECTIONS.items():
        properties[section] = {
            "description": SECTION_HELP.get(section, section),
            "type": ["array", "null"],
            "items": {"$ref": f"#/$defs/{model.__name__}"},
        }
    properties[WORDS_SECTION] = {
        "description": SECTION_HELP[WORDS_SECTION],
        "allOf": [{"$ref": f"#/$defs/{ConversationWords.__name__}"}],
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": "Generated from bot/schema.py by `python run_bot.py schema`: do not edit by hand.",
        "title": "Sanctuary Bot knowledge file",
        "description": (
            "A YAML file in knowledge/. Check your changes with: python run_bot.py validate. "
            "The guide for volunteers is VOLUNTEERS.md."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": definitions,
    }


def render() -> str:
    """The schema as the text of knowledge/schema.json."""
    return json.dumps(generate(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Reading YAML as editors do (YAML 1.2 core schema)


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's core schema: no dates, no 'yes'/'no', no sexagesimal numbers."""


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", [*"-+0123456789"]),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        [*"-+.0123456789"],
    ),
):
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _int12(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)


def load_yaml_12(text: str) -> Any:
    """Plain data from YAML text, typed as YAML 1.2 (and so VS Code's YAML extension) reads it."""
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
