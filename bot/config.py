"""Settings from the environment (and an optional `.env` file), read once into one typed object.

A missing or malformed setting stops start-up with one sentence that names the variable: the
person starting the bot is often a volunteer, and a traceback tells them nothing.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_URL = "https://api.telegram.org/bot"
SHIPPED_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
MAX_RATE = 1000.0  # messages a second: Telegram's own ceiling, for paid broadcasts
MAX_ID = 2**53  # Telegram's ids fit in 52 bits


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one sentence for the operator."""


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    admin_ids: frozenset[int] = frozenset()
    db_path: Path = Path("data/bot.sqlite3")
    knowledge_dir: Path = SHIPPED_KNOWLEDGE
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    flood_limit: int = 20  # messages per user per minute before "please wait"
    send_rate: float = 30.0  # our own cap on messages per second to Telegram; 0 = none
    broadcast_rate: float = 25.0  # broadcast messages per second
    log_unanswered: bool = False
    reminder_time: time = time(18, 0)  # local time, the day before an event, when subscribers are reminded
    db_check_seconds: float = 60.0  # how often the bot checks that its database file is still the one it opened
    send_retry_seconds: float = 120.0  # how long a reply keeps trying while Telegram fails (5xx, dropped)
    read_timeout: float = 5.0  # seconds to wait for Telegram's answer; after it a message may have arrived

    @property
    def file_api_url(self) -> str:
        """The file endpoint beside the API (".../bot" -> ".../file/bot")."""
        base = self.api_url.rstrip("/")
        head, _, tail = base.rpartition("/")
        return f"{head}/file/{tail}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        """Read the settings; values in the environment win over those in `.env`."""
        env = {**read_dotenv(dotenv), **(os.environ if environ is None else environ)}
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in it.")
        if not TOKEN_SHAPE.match(token):
            raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a token from @BotFather (digits:letters).")
        api_url = env.get("TELEGRAM_API_URL", DEFAULT_API_URL).strip() or DEFAULT_API_URL
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", api_url):
            raise SettingsError(f"TELEGRAM_API_URL must be a URL like {DEFAULT_API_URL}.")
        send_rate = _number(env, "BOT_SEND_RATE", 30, minimum=0, maximum=MAX_RATE)
        broadcast_rate = _number(env, "BOT_BROADCAST_RATE", 25, minimum=0.1, maximum=MAX_RATE)
        if 0 < send_rate < broadcast_rate:
            raise SettingsError(
                f"BOT_BROADCAST_RATE ({broadcast_rate:g}) is above BOT_SEND_RATE ({send_rate:g}), which caps every "
                "message: lower BOT_BROADCAST_RATE or raise BOT_SEND_RATE."
            )
        db_path = Path(env.get("BOT_DB_PATH", "").strip() or "data/bot.sqlite3")
        problem = database_path_problem(db_path)
        if problem is not None:
            raise SettingsError(f"BOT_DB_PATH cannot be used: {problem}; choose another path, or fix the permissions.")
        return cls(
            token=token,
            api_url=api_url,
            admin_ids=_ids(env.get("BOT_ADMIN_IDS", "")),
            db_path=db_path,
            knowledge_dir=Path(env.get("BOT_KNOWLEDGE_DIR", "").strip() or SHIPPED_KNOWLEDGE),
            timezone=_zone(env.get("BOT_TIMEZONE", "").strip() or "Europe/London"),
            flood_limit=int(_number(env, "BOT_FLOOD_LIMIT", 20, minimum=1, maximum=1000, whole=True)),
            send_rate=send_rate,
            broadcast_rate=broadcast_rate,
            log_unanswered=_flag(env, "BOT_LOG_UNANSWERED"),
            reminder_time=_clock(env.get("BOT_REMINDER_TIME", "").strip() or "18:00"),
            db_check_seconds=_number(env, "BOT_DB_CHECK_SECONDS", 60, minimum=1, maximum=3600),
            send_retry_seconds=_number(env, "BOT_SEND_RETRY_SECONDS", 120, minimum=0, maximum=3600),
            read_timeout=_number(env, "BOT_READ_TIMEOUT", 5, minimum=0.1, maximum=120),
        )


def database_path_problem(path: Path) -> str | None:
    """Why SQLite could not make or write a database at `path`, judged without touching anything;
    None when it looks possible (the first write at start-up has the last word)."""
    try:
        existing = next((p for p in (path, *path.parents) if p.exists()), Path.cwd())
    except PermissionError as exc:  # a folder on the way that this user may not enter
        return f"{Path(str(exc.filename)).parent} cannot be entered by this user"
    if existing != path and not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if existing == path and path.is_dir():
        return f"{path} is a folder, not a file"
    folder = path.parent if existing == path else existing
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable by this user"
    if existing == path and not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is read-only for this user"
    return None


def read_dotenv(path: Path | None) -> dict[str, str]:
    """KEY=VALUE lines of a `.env` file; comments and blank lines skipped, quotes removed."""
    if path is None or not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise SettingsError(
                f"BOT_ADMIN_IDS must be Telegram user ids separated by commas, like 12345,67890; got {part!r}."
            )
        if not 0 < abs(int(part)) < MAX_ID:
            raise SettingsError(f"BOT_ADMIN_IDS must be Telegram user ids from 1 to {MAX_ID - 1}; got {part!r}.")
        ids.add(int(part))
    return frozenset(ids)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"BOT_TIMEZONE must be a time zone name like Europe/London; got {name!r}.") from None


def _number(
    env: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float, whole: bool = False
) -> float:
    """A number within [minimum, maximum]; nan, inf (and "1e400", which is inf) are refused."""
    raw = env.get(name, "").strip()
    if not raw:
        return float(default)
    kind = "a whole number" if whole else "a number"
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and minimum <= value <= maximum and (not whole or value.is_integer())):
        allowed = f"{kind} from {minimum:g} to {maximum:g} (default {default:g})"
        raise SettingsError(f"{name} must be {allowed}; got {raw!r}.")
    return value


def _clock(raw: str) -> time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if not match:
        raise SettingsError(f"BOT_REMINDER_TIME must be a time like 18:00; got {raw!r}.")
    return time(int(match[1]), int(match[2]))


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1 (on) or 0 (off); got {raw!r}.")
