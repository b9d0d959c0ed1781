"""The command line: ask, console, validate, export, schema; and the choice of what to run by default."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.assistant import Assistant, User
from bot.config import SHIPPED_KNOWLEDGE, Settings
from bot.events import LONDON, occurrences
from bot.freshness import DEFAULT_STALE_DAYS, stale_entries
from bot.index_cache import cached_for, cached_index
from bot.knowledge import KnowledgeBase, check
from bot.matching import Match, local_now
from bot.problems import Problem
from bot.replies import Button, Reply
from bot.schema import LANGUAGES, Entry, Event

DEFAULT_KNOWLEDGE = SHIPPED_KNOWLEDGE
log = logging.getLogger("sanctuary")
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def knowledge_dir(option: str | None) -> Path:
    return Path(option or os.environ.get("BOT_KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE)


def load_or_explain(option: str | None, err: TextIO) -> KnowledgeBase | None:
    """The knowledge base, or None after printing every problem for the volunteer to fix."""
    directory = knowledge_dir(option)
    kb, problems = check(directory)
    if kb is None:
        print(f"The knowledge base in {directory} has problems:", file=err)
        for problem in sorted(problems):
            if problem.severity == "error":
                print(f"  {problem}", file=err)
        print("Fix them, then check with: python run_bot.py validate", file=err)
    return kb


def parse_now(value: str | None) -> datetime:
    if not value:
        return local_now()
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2024-01-31, got '{value}'") from None


def days_option(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number of days like 180 (0 turns it off), got '{value}'")
    return int(value)


def write_output(text: str, option: str | None, out: TextIO) -> Path | None:
    """Write `text` to the file named by --output (and return its path), or to `out` without one."""
    if not option or option == "-":
        out.write(text)
        return None
    target = Path(option)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


# ---- ask -------------------------------------------------------------------------------------


def match_json(match: Match) -> dict[str, Any]:
    entry = match.entry
    out: dict[str, Any] = {
        "kind": entry.kind,
        "id": entry.id,
        "name": entry.name,
        "categories": list(entry.needs),
        "score": match.score,
    }
    if match.occurrence is not None:
        out["start"] = match.occurrence.start.isoformat()
    return out


def answer_json(question: str, reply: Reply) -> dict[str, Any]:
    return {
        "question": question,
        "language": reply.language,
        "emergency": reply.emergency,
        "safety_check": reply.safety_check,
        "matches": [match_json(m) for m in reply.matches],
        "reply": reply.text,
    }


def assistant_for(option: str | None, err: TextIO) -> Assistant | None:
    """An Assistant on the YAML in the folder; from the index cache when the files are unchanged."""
    saved = cached_for(knowledge_dir(option))
    if saved is not None:
        return Assistant(saved.kb, saved)
    kb = load_or_explain(option, err)
    return None if kb is None else Assistant(kb, cached_index(kb))


def cmd_ask(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    assistant = assistant_for(args.knowledge, err)
    if assistant is None:
        return EXIT_PROBLEMS
    now = parse_now(args.now)
    questions = [" ".join(args.question)] if args.question else (line.rstrip("\n") for line in sys.stdin)
    for question in questions:
        reply = assistant.respond(question, now, language=args.lang)
        if args.json:
            out.write(json.dumps(answer_json(question, reply), ensure_ascii=False) + "\n")
        else:
            out.write(render_console(reply) + "\n\n")
        out.flush()
    return EXIT_OK


# ---- console ---------------------------------------------------------------------------------


def numbered(buttons: Sequence[Sequence[Button]]) -> list[Button]:
    return [b for row in buttons for b in row]


def render_console(reply: Reply) -> str:
    lines = [reply.text]
    flat = numbered(reply.buttons)
    if flat:
        lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(flat, 1)))
    return "\n".join(lines)


def cmd_console(args: argparse.Namespace, out: TextIO, err: TextIO, hint: str = "") -> int:
    assistant = assistant_for(args.knowledge, err)
    if assistant is None:
        return EXIT_PROBLEMS
    print("Sanctuary Bot console: write a question, or a number to tap a button. Ctrl-D to leave.", file=out)
    if hint:
        print(hint, file=out)
    user = User(chosen_language=args.lang)
    reply = assistant.welcome(args.lang or "en")
    print(render_console(reply), file=out)
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return EXIT_OK
        if not line:
            continue
        buttons = numbered(reply.buttons)
        now = local_now()
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            reply = assistant.act(buttons[int(line) - 1].action, now, reply.language)
        else:
            reply = assistant.respond(line, now, user)
            user = User(user.chosen_language, reply.language)
        print(render_console(reply), file=out)


# ---- validate and export ---------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Errors (exit 1) and warnings, such as entries whose newest information is more than --stale-days old (exit 0)."""
    directory = knowledge_dir(args.knowledge)
    today = args.today or local_now().date()
    kb, problems = check(directory, today=today, stale_days=args.stale_days, review=True)
    for problem in sorted(problems):
        print(problem, file=err if problem.severity == "error" else out)
    errors = sum(p.severity == "error" for p in problems)
    if kb is None:
        print(f"{errors} problem(s) to fix in {directory}.", file=err)
        return EXIT_PROBLEMS
    stale = stale_entries(kb, today, args.stale_days)
    if stale:
        print(
            f"The newest information of {len(stale)} entries is more than {args.stale_days} days old: "
            "confirm them with the organisations (see the warnings above).",
            file=out,
        )
    print(f"OK: {kb.summary()}.", file=out)
    return EXIT_OK


def entry_json(entry: Entry) -> dict[str, Any]:
    data = entry.model_dump(mode="json", exclude_none=True)
    data = {"kind": entry.kind, **data}
    data["categories"] = data.pop("needs")
    if isinstance(entry, Event):
        occurrence = occurrences(entry)[0]
        data["start"] = occurrence.start.isoformat()
        data["end"] = occurrence.end.isoformat()
    return data


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    kb = load_or_explain(args.knowledge, err)
    if kb is None:
        return EXIT_PROBLEMS
    if args.format == "hsds":
        from bot import hsds  # imported by the commands that use them: a quick start for `ask`

        document = hsds.export(kb)
    else:
        document = {
            "organisations": [entry_json(e) for e in kb.organisations],
            "helplines": [entry_json(e) for e in kb.helplines],
            "events": [entry_json(e) for e in kb.events],
        }
    target = write_output(json.dumps(document, ensure_ascii=False, indent=2) + "\n", args.output, out)
    if target is not None:
        print(f"Wrote {target} ({args.format}).", file=out)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the JSON Schema that editors use for the YAML files (knowledge/schema.json), listing its ids."""
    from bot import jsonschema

    directory = knowledge_dir(args.knowledge)
    text = jsonschema.render(directory)
    option = args.output or str(directory / "schema.json")
    if option != "-" and Path(option).is_file() and Path(option).read_text(encoding="utf-8") == text:
        print(f"{option} is up to date.", file=out)
        return EXIT_OK
    target = write_output(text, option, out)
    if target is not None:
        print(f"Wrote {target}.", file=out)
    return EXIT_OK


# ---- the default: Telegram if there is a token, else the console ------------------------------


def cmd_calendar(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Every upcoming event as one iCalendar file (RFC 5545), for calendar apps and websites."""
    from bot.calendar import calendar_ics

    kb = load_or_explain(args.knowledge, err)
    if kb is None:
        return EXIT_PROBLEMS
    data = calendar_ics(kb.events, parse_now(args.now))
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8"))
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """What several people asked that the bot could not answer (needs BOT_LOG_UNANSWERED=1)."""
    import asyncio
    from datetime import timedelta

    from bot.store import KEEP_UNANSWERED_DAYS, Store, StoreError
    from bot.unanswered import frequent_wordings

    path = Path(args.db or os.environ.get("BOT_DB_PATH") or "data/bot.sqlite3")
    if not path.exists():
        print(f"No database at {path}: run the bot first, or give --db PATH.", file=err)
        return EXIT_USAGE

    async def read() -> list[tuple[str, str]]:
        store = await Store.open(path)
        try:
            return await store.unanswered_since(local_now().date() - timedelta(days=KEEP_UNANSWERED_DAYS))
        finally:
            await store.close()

    try:
        rows = asyncio.run(read())
    except StoreError as exc:
        print(exc, file=err)
        return EXIT_PROBLEMS
    wordings = frequent_wordings(rows)
    print(f"Unanswered questions in the last {KEEP_UNANSWERED_DAYS} days: {len(rows)}.", file=out)
    if not wordings:
        print("No wording was asked by three or more different people.", file=out)
    for text, people in wordings:
        print(f"{people:4d} people: {text}", file=out)
    return EXIT_OK


def cmd_telegram(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run on Telegram with long polling until SIGTERM or Ctrl-C."""
    from bot.config import Settings, SettingsError
    from bot.store import StoreError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Cannot start: {exc}", file=err)
        return EXIT_USAGE
    from bot.logsafe import setup_logging
    from handlers.app import TokenRejected, build_application, run  # Telegram is imported only when used
    from handlers.jobs import report_knowledge_problems

    setup_logging(settings.token)
    start = start_checks(settings, knowledge_dir(args.knowledge or str(settings.knowledge_dir)), err)
    if start is None:
        return EXIT_USAGE
    kb, problems = start
    application = build_application(settings, kb)
    report_knowledge_problems(application, problems)
    try:
        run(application)
    except TokenRejected as exc:
        print(exc, file=err)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"Cannot start: {exc}", file=err)
        return EXIT_PROBLEMS
    return EXIT_OK


def start_checks(settings: Settings, directory: Path, err: TextIO) -> tuple[KnowledgeBase, list[Problem]] | None:
    """Before going live: the database opened and written once, and a knowledge base to answer from
    (the last good version when a file is broken, with its problems). None after one sentence."""
    from bot.index_cache import knowledge_for_start
    from bot.store import Store, StoreError

    try:
        Store.probe(settings.db_path)
    except StoreError as exc:
        print(f"Cannot start: {exc}", file=err)
        return None
    kb, problems = knowledge_for_start(directory)
    if kb is None:
        first = f": {problems[0]}" if problems else ""
        print(
            f"Cannot start: the knowledge base in {directory} has {len(problems)} problem(s) and no earlier version "
            f"was ever good{first} (see them all with: python run_bot.py validate).",
            file=err,
        )
        return None
    for problem in problems:
        log.error("knowledge problem, answering from the last good version: %s", problem)
    return kb, problems


def cmd_default(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        return cmd_telegram(args, out, err)
    if not sys.stdin.isatty():
        print(
            "No TELEGRAM_BOT_TOKEN is set and there is no terminal to chat in. "
            "Set TELEGRAM_BOT_TOKEN to run on Telegram, or run `python run_bot.py console` in a terminal.",
            file=err,
        )
        return EXIT_USAGE
    hint = "(To go live on Telegram, set TELEGRAM_BOT_TOKEN and run python run_bot.py again: see README.)"
    return cmd_console(args, out, err, hint)


def build_parser() -> argparse.ArgumentParser:
    knowledge = argparse.ArgumentParser(add_help=False)
    knowledge.add_argument(
        "--knowledge", metavar="DIR", help="folder of YAML files (default: $BOT_KNOWLEDGE_DIR or ./knowledge)"
    )
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", choices=LANGUAGES, help="reply in this language")

    parser = argparse.ArgumentParser(
        prog="run_bot.py",
        parents=[knowledge, language],
        description="Sanctuary Bot: where people seeking sanctuary in Norfolk can get help.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    ask = sub.add_parser("ask", parents=[knowledge, language], help="answer questions (one, or one per line of stdin)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer (JSON Lines)")
    ask.add_argument("--now", metavar="ISO", help="pretend it is this time, e.g. 2024-02-01T12:00:00+00:00")
    ask.add_argument("question", nargs="*", help="the question; without it, questions are read from stdin")
    ask.set_defaults(run=cmd_ask)
    console = sub.add_parser("console", parents=[knowledge, language], help="chat with the bot in this terminal")
    console.set_defaults(run=cmd_console)
    validate = sub.add_parser("validate", parents=[knowledge], help="check the knowledge base and list every problem")
    validate.add_argument(
        "--stale-days",
        type=days_option,
        default=DEFAULT_STALE_DAYS,
        metavar="N",
        help=(
            "warn about entries whose newest information (checked_on, else information_from, else read_on) "
            f"is more than N days old (default {DEFAULT_STALE_DAYS}: two years; 0 turns it off)"
        ),
    )
    validate.add_argument(
        "--today", type=parse_date, metavar="DATE", help="pretend today is this date, e.g. 2024-02-01"
    )
    validate.set_defaults(run=cmd_validate)
    export = sub.add_parser("export", parents=[knowledge], help="write the knowledge base as JSON")
    export.add_argument(
        "--format",
        choices=["json", "hsds"],
        default="json",
        help="json: our own shape (default); hsds: Open Referral HSDS 3.0",
    )
    export.add_argument("--output", metavar="FILE", help="write to this file instead of the screen")
    export.set_defaults(run=cmd_export)
    schema = sub.add_parser(
        "schema", parents=[knowledge], help="write the JSON Schema editors use to help with the YAML files"
    )
    schema.add_argument(
        "--output",
        metavar="PATH",
        help="where to write it (default: schema.json in the knowledge folder; - for the screen)",
    )
    schema.set_defaults(run=cmd_schema)
    calendar = sub.add_parser("calendar", parents=[knowledge], help="write every upcoming event as an .ics file")
    calendar.add_argument("--now", metavar="ISO", help="pretend it is this time")
    calendar.set_defaults(run=cmd_calendar)
    report = sub.add_parser(
        "report", help="unanswered questions asked by three or more people (counts, no one's identity)"
    )
    report.add_argument("--db", metavar="PATH", help="the bot's database (default: $BOT_DB_PATH or data/bot.sqlite3)")
    report.set_defaults(run=cmd_report)
    telegram = sub.add_parser("telegram", parents=[knowledge], help="run on Telegram (needs TELEGRAM_BOT_TOKEN)")
    telegram.set_defaults(run=cmd_telegram)
    parser.set_defaults(run=cmd_default)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    out, err = out or sys.stdout, err or sys.stderr
    try:
        result: int = args.run(args, out, err)
    except BrokenPipeError:
        result = EXIT_OK
    return result
