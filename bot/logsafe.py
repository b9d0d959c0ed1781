"""Logging that never shows the bot token, whoever logs it (httpx logs every request URL at INFO),
and standard output and error that never show it either (print, warnings, uncaught tracebacks)."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

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


class RedactingStream:
    """A text stream that redacts each line before the real stream gets it. Whole lines, so a
    token written in two pieces (a traceback is written line by line) is still caught."""

    def __init__(self, stream: TextIO, redact: Callable[[str], str]) -> None:
        self.stream = stream
        self.redact = redact
        self._pending = ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        if lines:
            self.stream.write("".join(self.redact(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:  # a prompt, or the end of the program: what is there, redacted
            self.stream.write(self.redact(self._pending))
            self._pending = ""
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty ... of the real stream
        return getattr(self.stream, name)


def redact_output(token: str) -> None:
    """From now on, whatever is printed or written to stderr goes through the redaction: print(),
    warnings, and the traceback of an exception nobody caught (Python writes it to sys.stderr)."""
    redact = RedactingFilter(token).redact
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout, redact)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr, redact)


def setup_logging(token: str, level: int = logging.INFO) -> logging.Handler:
    """Log to stderr, redacted; httpx's per-request lines kept at WARNING; stdout and stderr redacted."""
    redact_output(token)
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
