"""The JSON Schema of the knowledge files, for editors: autocomplete, hover help and red squiggles.

It is generated from the pydantic models in `bot/schema.py` (the single source of truth) by
`python run_bot.py schema`, and shipped as `knowledge/schema.json`. Each YAML file names it on its
first line (`# yaml-language-server: $schema=schema.json`), which VS Code's YAML extension reads.

Pydantic describes what the models *store*; volunteers write what the validators *accept*: a
plain string where a text per language is stored, `mon-fri` for a list of days, `"10:00"` for a
time, one source instead of a list. bot/schema.py says so itself, with pydantic's own means
(`json_schema_input_type` on a validator, `WithJsonSchema` with the very regex a validator uses,
named types for need and place ids), so the editor and `validate` accept the same things. This
module adds what the models cannot know: the need and place ids written in the knowledge folder
when the schema is made (as enums), help texts for volunteers (a field's own `description` in
bot/schema.py always wins), and the rules only `validate` can check, said in the descriptions.

The schema is draft-07, the draft VS Code's YAML extension supports best. Editors read YAML as
YAML 1.2 (`2024-01-31`, `9:00` and `yes` are text there), and so does the bot
(`bot.knowledge.Yaml12Loader`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.knowledge import declared_ids
from bot.schema import SECTIONS, WORDS_SECTION, ConversationWords

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
    "closes": (
        'The closing time, 24-hour clock, in quotes: "16:00". It must be after opens: '
        "`python run_bot.py validate` checks that, the editor cannot."
    ),
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

DEFINITION_HELP = {
    "TextByLanguage": "A text. Plain text is English; or write one line per language, like en: ... and ar: ...",
    "Words": "Words and phrases per language: one line per language code, like en: [hello, hi].",
    "NeedId": "The id of a need in needs.yaml, like food.",
    "PlaceId": "The id of a town or area in places.yaml, like norwich. Add a new place to places.yaml first.",
}

KNOWN_IDS = {"NeedId": "needs", "PlaceId": "places"}
"""Definitions that list the ids written in a section of the knowledge folder when the schema is made."""

ONLY_VALIDATE = (
    "'end' not before 'start', 'closes' after 'opens', a repeating event's start on one of its days, "
    "ids used once, an event's organiser in organisations.yaml, need_notes only for the entry's needs"
)
"""Rules JSON Schema cannot say (they compare two values), which only `validate` checks."""


def _tidy(value: Any) -> Any:
    """Objects keyed by a fixed list (propertyNames enum) list those keys as properties, for autocomplete
    (language codes with the language's name); keys that must match a pattern allow no others."""
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if not isinstance(value, dict):
        return value
    value = {k: _tidy(v) for k, v in value.items()}
    names = value.get("propertyNames")
    item = value.get("additionalProperties")
    if isinstance(names, dict) and "enum" in names and isinstance(item, dict):
        keys: list[str] = names["enum"]
        named = all(key in LANGUAGE_NAMES for key in keys)
        value = {k: v for k, v in value.items() if k not in ("propertyNames", "additionalProperties")}
        value["properties"] = {key: {**item, "description": LANGUAGE_NAMES[key]} if named else item for key in keys}
        value["additionalProperties"] = False
    elif isinstance(names, dict) and set(names) == {"patternErrorMessage"}:
        del value["propertyNames"]
    if "patternProperties" in value and "additionalProperties" not in value:
        value["additionalProperties"] = False  # pydantic's keys pattern: other keys are refused by validate too
    return value


def _models() -> list[type[BaseModel]]:
    return [*SECTIONS.values(), ConversationWords]


def _add_help(definitions: dict[str, JsonSchema]) -> None:
    for name, definition in definitions.items():
        help_text = MODEL_HELP.get(name) or DEFINITION_HELP.get(name)
        if "description" not in definition and help_text:
            definitions[name] = definition = {"description": help_text, **definition}
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


def _add_known_ids(definitions: dict[str, JsonSchema], knowledge: Path) -> None:
    """Need and place ids as the lists written in needs.yaml and places.yaml (a slug where none is written)."""
    for name, section in KNOWN_IDS.items():
        ids = declared_ids(knowledge, section)
        if name in definitions and ids:
            definitions[name] = {
                "description": DEFINITION_HELP[name],
                "type": "string",
                "enum": ids,
            }


def generate(knowledge: Path | None = None) -> JsonSchema:
    """The JSON Schema of one knowledge file: any of the sections, each a list of entries (words: one mapping).

    Need and place ids are listed from the knowledge folder `knowledge` (if given) as it is now."""
    _, top = models_json_schema([(model, "validation") for model in _models()], ref_template="#/$defs/{model}")
    definitions: dict[str, JsonSchema] = dict(sorted(_tidy(top.get("$defs", {})).items()))
    _add_help(definitions)
    _add_rules(definitions)
    if knowledge is not None:
        _add_known_ids(definitions, knowledge)
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
        "$comment": "Generated from bot/schema.py and the ids in knowledge/ by `python run_bot.py schema`: "
        "do not edit by hand.",
        "title": "Sanctuary Bot knowledge file",
        "description": (
            "A YAML file in knowledge/. Check your changes with: python run_bot.py validate. "
            f"It also checks what this schema cannot: {ONLY_VALIDATE}. "
            "The guide for volunteers is VOLUNTEERS.md."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": definitions,
    }


def render(knowledge: Path | None = None) -> str:
    """The schema as the text of knowledge/schema.json (ids from the folder `knowledge`)."""
    return json.dumps(generate(knowledge), ensure_ascii=False, indent=2) + "\n"
