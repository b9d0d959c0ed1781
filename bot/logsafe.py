"""Logging that never shows the bot token, whoever logs it (httpx logs every request URL at INFO)."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_TEXT = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


class RedactingFilter(logging.Filter):
    """Replaces secrets in a record's final message; attached to handlers, so it sees every logger."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return _TOKEN_IN_TEXT.sub("<redacted>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later from exc_info: format them here, redacted.
            formatter = logging.Formatter()
            clean += "\n" + self.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = None
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


def setup_logging(token: str, level: int = logging.INFO) -> logging.Handler:
    """Log to stderr, redacted; httpx's per-request lines kept at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_redaction(handler, token)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def install_redaction(handler: logging.Handler, token: str) -> None:
    handler.addFilter(RedactingFilter(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
