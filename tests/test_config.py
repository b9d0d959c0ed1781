"""Settings: every variable read once, every mistake named in one sentence."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, Settings, SettingsError
from bot.flood import FloodLimiter, Verdict
from bot.logsafe import RedactingFilter, install_redaction
from tests.filesystem import read_only

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123"


def test_defaults_with_only_a_token() -> None:
    s = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, dotenv=None)
    assert s.api_url == DEFAULT_API_URL
    assert s.file_api_url == "https://api.telegram.org/file/bot"
    assert s.db_path == Path("data/bot.sqlite3")
    assert (s.knowledge_dir / "organisations.yaml").exists()  # the shipped folder, wherever the bot starts
    assert s.admin_ids == frozenset()
    assert str(s.timezone) == "Europe/London"
    assert s.send_rate == 30 and s.broadcast_rate == 25 and s.flood_limit == 20
    assert TOKEN not in repr(s)


def test_every_variable_is_read(tmp_path: Path) -> None:
    db = tmp_path / "x" / "bot.db"  # a fixed /tmp path would fail wherever /tmp/x is a file
    s = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
            "BOT_ADMIN_IDS": "12, 34;56",
            "BOT_DB_PATH": str(db),
            "BOT_KNOWLEDGE_DIR": "kb",
            "BOT_TIMEZONE": "Europe/Paris",
            "BOT_SEND_RATE": "0",
            "BOT_BROADCAST_RATE": "200",
            "BOT_FLOOD_LIMIT": "5",
            "BOT_LOG_UNANSWERED": "1",
        },
        dotenv=None,
    )
    assert s.file_api_url == "http://127.0.0.1:8081/file/bot"
    assert s.admin_ids == {12, 34, 56}
    assert s.db_path == db and s.knowledge_dir == Path("kb")
    assert str(s.timezone) == "Europe/Paris"
    assert (s.send_rate, s.broadcast_rate, s.flood_limit, s.log_unanswered) == (0, 200, 5, True)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"BOT_ADMIN_IDS": "12,alice"}, "BOT_ADMIN_IDS"),
        ({"BOT_TIMEZONE": "Norfolk/Norwich"}, "BOT_TIMEZONE"),
        ({"BOT_SEND_RATE": "fast"}, "BOT_SEND_RATE"),
        ({"BOT_BROADCAST_RATE": "0"}, "BOT_BROADCAST_RATE"),
        ({"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL"),
        ({"BOT_LOG_UNANSWERED": "maybe"}, "BOT_LOG_UNANSWERED"),
        ({"BOT_BROADCAST_RATE": "50", "BOT_SEND_RATE": "30"}, "BOT_BROADCAST_RATE"),
        ({"BOT_REMINDER_TIME": "6pm"}, "BOT_REMINDER_TIME"),
    ],
)
def test_a_bad_setting_is_named_in_one_sentence(env: dict[str, str], named: str) -> None:
    full = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if "TELEGRAM_BOT_TOKEN" not in env and env else env
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(full, dotenv=None)
    message = str(caught.value)
    assert message.startswith(named) and message.count("\n") == 0


NUMERIC = {
    "BOT_SEND_RATE": "from 0 to 1000",
    "BOT_BROADCAST_RATE": "from 0.1 to 1000",
    "BOT_FLOOD_LIMIT": "a whole number from 1 to 1000",
    "BOT_DB_CHECK_SECONDS": "from 1 to 3600",
}


@pytest.mark.parametrize("name", sorted(NUMERIC))
@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "1e400", "-1", "1e9", "", "fast", "0x10"])
def test_every_number_outside_its_range_is_refused_naming_the_variable_and_the_range(name: str, raw: str) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_SEND_RATE": "0", name: raw}
    if raw == "":  # empty means the default
        assert Settings.from_env(env, dotenv=None)
        return
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env, dotenv=None)
    message = str(caught.value)
    assert message.startswith(name) and NUMERIC[name] in message and repr(raw) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BOT_SEND_RATE": "0"}, ("send_rate", 0.0)),
        ({"BOT_SEND_RATE": "1000", "BOT_BROADCAST_RATE": "1000"}, ("broadcast_rate", 1000.0)),
        ({"BOT_BROADCAST_RATE": "0.1"}, ("broadcast_rate", 0.1)),
        ({"BOT_FLOOD_LIMIT": "1"}, ("flood_limit", 1)),
        ({"BOT_FLOOD_LIMIT": "1000"}, ("flood_limit", 1000)),
        ({"BOT_DB_CHECK_SECONDS": "2.5"}, ("db_check_seconds", 2.5)),
    ],
)
def test_the_ends_of_each_range_are_accepted(env: dict[str, str], expected: tuple[str, float]) -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, dotenv=None)
    assert getattr(settings, expected[0]) == expected[1]


def test_a_fraction_of_a_message_per_minute_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^BOT_FLOOD_LIMIT must be a whole number"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_FLOOD_LIMIT": "2.5"}, dotenv=None)


@pytest.mark.parametrize("ids", ["0", "99999999999999999999", "-99999999999999999999"])
def test_an_impossible_admin_id_is_refused(ids: str) -> None:
    with pytest.raises(SettingsError, match=r"^BOT_ADMIN_IDS must be Telegram user ids from 1 to"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_ADMIN_IDS": ids}, dotenv=None)


def test_a_database_path_under_a_file_is_one_sentence(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    for path in (afile / "bot.sqlite3", afile / "deeper" / "bot.sqlite3"):
        with pytest.raises(SettingsError) as caught:
            Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_PATH": str(path)}, dotenv=None)
        message = str(caught.value)
        assert message.startswith("BOT_DB_PATH") and f"{afile} is a file, not a folder" in message
        assert "\n" not in message


def test_a_database_path_that_is_a_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^BOT_DB_PATH cannot be used: .* is a folder, not a file"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_PATH": str(tmp_path)}, dotenv=None)


def test_a_database_path_in_an_unwritable_folder_is_one_sentence(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        for path in (locked / "bot.sqlite3", locked / "data" / "bot.sqlite3"):
            with pytest.raises(SettingsError) as caught:
                Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_PATH": str(path)}, dotenv=None)
            message = str(caught.value)
            assert message.startswith("BOT_DB_PATH") and f"the folder {locked} is not writable" in message


def test_a_database_path_in_a_folder_still_to_be_made_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.sqlite3"
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DB_PATH": str(path)}, dotenv=None).db_path == path
    assert not (tmp_path / "a").exists(), "checking makes nothing"


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f'# comment\nexport TELEGRAM_BOT_TOKEN="{TOKEN}"\nBOT_ADMIN_IDS=1\n\nBOT_FLOOD_LIMIT=3\n')
    s = Settings.from_env({"BOT_ADMIN_IDS": "2"}, dotenv=dotenv)
    assert s.token == TOKEN and s.admin_ids == {2} and s.flood_limit == 3


def test_flood_limit_answers_then_warns_once_then_stays_silent_then_recovers() -> None:
    limiter = FloodLimiter(per_minute=3)
    verdicts = [limiter.check(1, t) for t in (0, 1, 2, 3, 4, 5)]
    assert verdicts == [Verdict.ANSWER] * 3 + [Verdict.WARN] + [Verdict.IGNORE] * 2
    assert limiter.check(2, 5) is Verdict.ANSWER  # another user is not affected
    assert limiter.check(1, 61) is Verdict.ANSWER  # a minute later


def test_flood_limiter_memory_is_bounded() -> None:
    limiter = FloodLimiter(per_minute=3, max_keys=100)
    for key in range(1000):
        limiter.check(key, 0)
    assert len(limiter._seen) <= 100


def test_redaction_removes_the_token_from_messages_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    install_redaction(handler, TOKEN)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed for bot{TOKEN}")
        except RuntimeError:
            logger.exception("boom")
        logging.getLogger("httpx").warning("HTTP Request: POST http://x/bot%s/sendMessage", TOKEN)
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    assert TOKEN not in text and "123456:" not in text
    assert text.count("<redacted>") >= 2 and "RuntimeError" in text
    assert logging.getLogger("httpx").level == logging.WARNING


def test_an_unknown_token_shaped_secret_is_redacted_too() -> None:
    assert RedactingFilter().redact("bot987654:ZYXwvuTSRqpoNMLkjiHGFedc/getMe") == "bot<redacted>/getMe"
