"""Settings: every variable read once, every mistake named in one sentence."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, Settings, SettingsError
from bot.flood import FloodLimiter, Verdict
from bot.logsafe import RedactingFilter, install_redaction

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


def test_every_variable_is_read() -> None:
    s = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
            "BOT_ADMIN_IDS": "12, 34;56",
            "BOT_DB_PATH": "/tmp/x/bot.db",
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
    assert s.db_path == Path("/tmp/x/bot.db") and s.knowledge_dir == Path("kb")
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
