"""A fake Telegram Bot API server for tests that drive the real python-telegram-bot stack.

Point PTB at it with ``ApplicationBuilder().base_url(api.base_url).base_file_url(api.base_file_url)``.
It speaks HTTP like api.telegram.org: the same URLs, form, multipart and JSON requests, the same
``{"ok": ..., "result": ...}`` envelopes, HTTP status codes and error descriptions, so PTB raises the
same exceptions (RetryAfter, Forbidden, BadRequest, InvalidToken, Conflict) as in production.

Realism that catches real bugs: HTML ``parse_mode`` is parsed the way Telegram does (an unsupported or
unclosed tag is a 400 "can't parse entities"), texts are checked for length and emptiness, inline
keyboards for ``callback_data`` of 1-64 bytes, edits for "message is not modified", callback queries
may be answered only once, and ``getUpdates`` is real long polling with offsets (a second poller
ends the first with 409 Conflict, as when two bot instances run).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import string
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

from aiohttp import web

JSON = dict[str, Any]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SEND_METHODS = frozenset({"sendMessage", "sendDocument"})
"""Methods that deliver a message: listed by ``sent()``, slowed by ``delay_seconds``, rate limited."""
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})

DEFAULT_ALLOWED_UPDATES = _words(
    "message edited_message channel_post edited_channel_post business_connection business_message "
    "edited_business_message deleted_business_messages inline_query chosen_inline_result callback_query "
    "shipping_query pre_checkout_query purchased_paid_media poll poll_answer my_chat_member "
    "chat_join_request chat_boost removed_chat_boost"
)
"""What Telegram sends when ``allowed_updates`` is empty: all but chat_member and reactions."""

CHAT_ACTIONS = _words(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note"
)

_BUTTON_ACTIONS = _words(
    "url callback_data web_app login_url switch_inline_query switch_inline_query_current_chat "
    "switch_inline_query_chosen_chat copy_text callback_game pay"
)

# Form and multipart values arrive as strings; these parameters are JSON-decoded (numbers, booleans,
# objects). Every other parameter stays a string, so a text like "42" is never turned into an int.
_TYPED_PARAMS = _words(
    "allow_paid_broadcast allow_sending_without_reply allowed_updates cache_time caption_entities chat_id "
    "commands disable_content_type_detection disable_notification disable_web_page_preview "
    "drop_pending_updates entities from_chat_id latitude limit link_preview_options longitude "
    "max_connections message_id message_thread_id offset protect_content reply_markup reply_parameters "
    "reply_to_message_id scope show_alert show_caption_above_media timeout user_id"
)

_TOKEN_FORMAT = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API error response: HTTP status and ``error_code``, description, optional retry_after."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


class HtmlParseError(ValueError):
    """Markup that Telegram rejects with "Bad Request: can't parse entities: ..."."""


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, e.g. the ``document`` of sendDocument."""

    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes | None

    @property
    def file_path(self) -> str:
        return f"documents/{self.file_unique_id}_{self.file_name}"


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | str | None
    times: int


@dataclass
class _OpenTag:
    name: str
    begin: int
    utf16_offset: int
    text_index: int
    argument: str = ""
    expandable: bool = False
    children: list[JSON] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Telegram HTML, as TDLib parses it (td/telegram/MessageEntity.cpp, parse_html)
# --------------------------------------------------------------------------------------------------

_HTML_SPACES = frozenset(" \t\r\n\v\0")
_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "tg-emoji"}
    | {"code", "pre", "blockquote"}
)
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_CHARACTERS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_character(markup: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML character reference at ``markup[pos] == "&"``; None leaves the ``&`` as text."""
    end = pos + 1
    size = len(markup)
    if end < size and markup[end] == "#":
        end += 1
        digits_allowed, base = string.digits, 10
        if end < size and markup[end] in "xX":
            end += 1
            digits_allowed, base = string.hexdigits, 16
        start = end
        while end < size and markup[end] in digits_allowed:
            end += 1
        if start == end:
            return None
        code = int(markup[start:end], base)
        if code == 0 or code > 0x10FFFF:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        character = chr(code)
    else:
        start = end
        while end < size and markup[end].isascii() and markup[end].isalpha():
            end += 1
        named = _NAMED_CHARACTERS.get(markup[start:end])
        if named is None:
            return None
        character = named
    if end < size and markup[end] == ";":
        end += 1
    return character, end


def _normalize_url(url: str) -> str | None:
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return None
    if "://" not in url and not url.startswith(("tg:", "mailto:")):
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if not parts.netloc or "." not in parts.netloc:
            return None
        if not parts.path:
            url = parts._replace(path="/").geturl()
    return url


def parse_html(markup: str) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into (text, entities) or raise HtmlParseError with Telegram's message."""
    size = len(markup)

    def at(i: int) -> str:
        return markup[i] if i < size else "\0"

    def byte_offset(i: int) -> int:
        return len(markup[:i].encode("utf-8"))

    text: list[str] = []
    offset16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i = 0
    while i < size:
        c = markup[i]
        if c == "&":
            decoded = _decode_character(markup, i)
            if decoded is not None:
                text.append(decoded[0])
                offset16 += utf16_length(decoded[0])
                i = decoded[1]
                continue
        if c != "<":
            text.append(c)
            offset16 += utf16_length(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _HTML_SPACES and at(i) != ">":
                i += 1
            if i >= size:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            name = markup[begin + 1 : i].lower()
            if name not in _HTML_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
            tag = _OpenTag(name, begin, offset16, len(text))
            while at(i) != ">":
                while i < size and at(i) in _HTML_SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attribute_begin = i
                while at(i) not in _HTML_SPACES and at(i) not in "=>":
                    i += 1
                attribute = markup[attribute_begin:i].lower()
                if not attribute:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                    )
                while i < size and at(i) in _HTML_SPACES:
                    i += 1
                if at(i) != "=":
                    if i >= size:
                        raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {byte_offset(begin)}')
                    tag.expandable = tag.expandable or (name == "blockquote" and attribute == "expandable")
                    continue
                i += 1
                while i < size and at(i) in _HTML_SPACES:
                    i += 1
                if i >= size:
                    raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {byte_offset(begin)}')
                if at(i) not in "'\"":
                    token_begin = i
                    while i < size and ((markup[i].isascii() and markup[i].isalnum()) or markup[i] in ".-"):
                        i += 1
                    value = markup[token_begin:i].lower()
                    if at(i) not in _HTML_SPACES and at(i) != ">":
                        raise HtmlParseError(f"Unexpected end of name token at byte offset {byte_offset(token_begin)}")
                else:
                    quote = markup[i]
                    i += 1
                    chars: list[str] = []
                    while i < size and markup[i] != quote:
                        decoded = _decode_character(markup, i) if markup[i] == "&" else None
                        if decoded is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                        else:
                            chars.append(markup[i])
                            i += 1
                    if i < size:
                        i += 1
                    value = "".join(chars)
                if i >= size:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if (
                    (name == "a" and attribute == "href")
                    or (name == "span" and attribute == "class" and value.startswith("tg-"))
                    or (name == "tg-emoji" and attribute == "emoji-id")
                ):
                    tag.argument = value
                elif name == "code" and attribute == "class" and value.startswith("language-"):
                    tag.argument = value.removeprefix("language-")
                elif name == "blockquote" and attribute == "expandable":
                    tag.expandable = True
            i += 1
            if name == "span" and tag.argument != "tg-spoiler":
                raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
            stack.append(tag)
            continue

        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        i += 1
        while at(i) not in _HTML_SPACES and at(i) != ">":
            i += 1
        end_name = markup[begin + 2 : i].lower()
        while i < size and at(i) in _HTML_SPACES:
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        i += 1
        tag = stack.pop()
        if end_name and end_name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        length = offset16 - tag.utf16_offset
        if length > 0:
            entity = _html_entity(tag, length, "".join(text[tag.text_index :]), entities)
            if entity is not None:
                entities.append(entity)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities


def _html_entity(tag: _OpenTag, length: int, content: str, entities: list[JSON]) -> JSON | None:
    entity: JSON = {"offset": tag.utf16_offset, "length": length}
    same_range = [e for e in entities if e["offset"] == tag.utf16_offset and e["length"] == length]
    if tag.name == "a":
        url = _normalize_url(tag.argument or content)
        return None if url is None else {"type": "text_link", **entity, "url": url}
    if tag.name == "tg-emoji":
        return {"type": "custom_emoji", **entity, "custom_emoji_id": tag.argument} if tag.argument else None
    if tag.name == "blockquote":
        return {"type": "expandable_blockquote" if tag.expandable else "blockquote", **entity}
    if tag.name == "pre":
        for inner in same_range:
            if inner["type"] == "code" and inner.get("language"):
                entities.remove(inner)
                return {"type": "pre", **entity, "language": inner["language"]}
    if tag.name == "code" and tag.argument:
        for inner in same_range:
            if inner["type"] == "pre" and not inner.get("language"):
                inner["language"] = tag.argument
                return None
        return {"type": "code", **entity, "language": tag.argument}
    return {"type": _HTML_ENTITY_TYPES[tag.name], **entity}


def _strip_code_language(entities: list[JSON]) -> list[JSON]:
    """Drop the helper ``language`` kept on code entities (only pre entities have one)."""
    return [{k: v for k, v in e.items() if not (e["type"] == "code" and k == "language")} for e in entities]


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing whitespace like Telegram does, shifting and clipping entities."""
    stripped = text.strip(" \t\r\n\v\f")
    if not stripped:
        return "", []
    shift = utf16_length(text[: len(text) - len(text.lstrip(" \t\r\n\v\f"))])
    end = utf16_length(stripped)
    trimmed: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            trimmed.append({**entity, "offset": start, "length": stop - start})
    return stripped, trimmed


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


class FakeBotApi:
    """An in-process Telegram Bot API on 127.0.0.1 with an ephemeral port.

    ``async with FakeBotApi(token="123:ABC") as api:`` starts and stops it. Everything runs on the test's
    event loop, so the records (``calls``, ``sent()``, ``edits``, ``answered_callbacks``) can be read
    at any time and the injection helpers are plain (non-async) methods.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "sanctuary_test_bot",
        bot_first_name: str = "Sanctuary Bot",
        host: str = "127.0.0.1",
    ) -> None:
        self.token = token
        self.host = host
        self.port = 0
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123
        self.bot_user: JSON = {"id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username}

        self.calls: list[tuple[str, JSON]] = []
        """Every authorised request in order, as (method, params), including the ones that failed."""
        self.edits: list[JSON] = []
        """Params of successful editMessageText / editMessageReplyMarkup calls."""
        self.answered_callbacks: list[JSON] = []
        """Params of successful answerCallbackQuery calls."""
        self.server_errors: list[BaseException] = []
        """Bugs in this fake (answered with HTTP 500); a test may assert it stays empty."""
        self.too_many_requests = 0
        """How many 429 responses were returned (injected or from the rate limit)."""
        self.rate_limit_per_second: int | None = None
        """When set, a send above this many in any rolling second gets 429 with retry_after=1."""
        self.delay_seconds: float = 0.0
        """Each send waits this long before being processed (it is delivered even if the client gave up)."""
        self.outage_errors = 0
        """How many calls an ``outage`` answered with HTTP 500."""
        self.dropped = 0
        """How many connections an ``outage`` dropped before the request was read."""
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.blocked_chats: set[int | str] = set()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        """setMyCommands state, keyed by (scope as sorted JSON, language_code)."""

        self._sent: list[JSON] = []
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_numbers = itertools.count(1)
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._messages: dict[int | str, dict[int, JSON]] = {}
        self._last_message_id: dict[int | str, int] = {}
        self._users: dict[int | str, JSON] = {}
        self._open_callbacks: set[str] = set()
        self._files: dict[str, _StoredFile] = {}
        self._failures: list[_Failure] = []
        self._outage: tuple[float, str, frozenset[str] | None] | None = None  # (until, kind, methods)
        self._send_times: deque[float] = deque()
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, tuple[str, Callable[[JSON], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendChatAction": self._send_chat_action,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "getFile": self._get_file,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on ``host`` with an ephemeral port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._closed.clear()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release pending long polls and delays, then close the server."""
        self._closed.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url`` (the token is appended by PTB)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The value for PTB's ``base_file_url``."""
        return f"http://{self.host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ records

    def sent(self, chat_id: int | str | None = None) -> list[JSON]:
        """Params of delivered sendMessage/sendDocument calls, optionally only those to ``chat_id``."""
        return [p for p in self._sent if chat_id is None or p.get("chat_id") == chat_id]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """The ``text`` (or ``caption``) of each delivered send, as the bot wrote it."""
        return [str(p.get("text", p.get("caption", ""))) for p in self.sent(chat_id)]

    def calls_to(self, method: str) -> list[JSON]:
        """Params of every call to ``method`` (failed ones included)."""
        return [params for name, params in self.calls if name == method]

    def messages(self, chat_id: int | str) -> list[JSON]:
        """The chat as Telegram holds it now: user and bot messages in order, edits applied."""
        return [copy.deepcopy(m) for _, m in sorted(self._messages.get(chat_id, {}).items())]

    def message(self, chat_id: int | str, message_id: int) -> JSON:
        """One stored message (KeyError if there is none)."""
        return copy.deepcopy(self._messages[chat_id][message_id])

    @property
    def pending_updates(self) -> list[JSON]:
        """Injected updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    def clear_records(self) -> None:
        """Forget recorded calls, sends, edits and answers (chats, messages and updates stay)."""
        self.calls.clear()
        self._sent.clear()
        self.edits.clear()
        self.answered_callbacks.clear()
        self.too_many_requests = 0

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy; AssertionError listing the calls so far on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}; calls so far:\n{self.describe_calls()}"
                )
            await self._wait_change(remaining)

    async def wait_for_sent(self, count: int, chat_id: int | str | None = None, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """Wait until at least ``count`` messages were delivered (to ``chat_id``); return them all."""
        where = "" if chat_id is None else f" to chat {chat_id}"
        await self.wait_until(lambda: len(self.sent(chat_id)) >= count, timeout, f"{count} sent message(s){where}")
        return self.sent(chat_id)

    def describe_calls(self, limit: int = 300) -> str:
        """The calls so far, one per line, each cut to ``limit`` characters."""
        lines = [f"  {name} {params!r}"[:limit] for name, params in self.calls]
        return "\n".join(lines) or "  (none)"

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail like Telegram.

        The description defaults to Telegram's wording for the code; a 429 gets
        "Too Many Requests: retry after N" and ``parameters.retry_after`` (default 1).
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        self._failures.append(_Failure(method, error_code, description, retry_after, chat_id, times))

    def outage(self, seconds: float, kind: str = "500", methods: Iterable[str] | None = None) -> None:
        """Misbehave like Telegram's bad minutes for ``seconds`` from now: ``kind`` "500" answers every
        call (of ``methods``, default all but getUpdates) with HTTP 500; "drop" closes the connection
        before reading the request, so the client sees a network error and nothing was done."""
        if kind not in ("500", "drop"):
            raise ValueError(f"unknown outage kind {kind!r}")
        chosen = frozenset(m.lower() for m in methods) if methods is not None else None
        self._outage = (time.monotonic() + seconds, kind, chosen)

    def _in_outage(self, method: str) -> str | None:
        if self._outage is None:
            return None
        until, kind, methods = self._outage
        if time.monotonic() >= until:
            self._outage = None
            return None
        affected = method.lower() != "getupdates" if methods is None else method.lower() in methods
        return kind if affected else None

    def block_chat(self, chat_id: int | str) -> None:
        """The user blocked the bot: every call with this chat_id gets 403 until ``unblock_chat``."""
        self.blocked_chats.add(chat_id)

    def unblock_chat(self, chat_id: int | str) -> None:
        """Undo ``block_chat``."""
        self.blocked_chats.discard(chat_id)

    # ------------------------------------------------------------------ update injection

    def user_text(self, chat_id: int, text: str, language_code: str = "en", first_name: str = "Test") -> JSON:
        """A private message from user ``chat_id``."""
        return self._user_message(chat_id, {"text": text}, language_code, first_name)

    def user_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        language_code: str = "en",
        first_name: str = "Test",
    ) -> JSON:
        """A command such as "/start" (with optional args, e.g. a deep-link payload) and its bot_command entity."""
        command = command if command.startswith("/") else f"/{command}"
        text = f"{command} {args}" if args else command
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_length(command)}]
        return self._user_message(chat_id, {"text": text, "entities": entities}, language_code, first_name)

    def user_location(
        self, chat_id: int, latitude: float, longitude: float, language_code: str = "en", first_name: str = "Test"
    ) -> JSON:
        """A shared location."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(chat_id, {"location": location}, language_code, first_name)

    def user_media(
        self, chat_id: int, kind: str, caption: str | None = None, language_code: str = "en", first_name: str = "Test"
    ) -> JSON:
        """A voice note, photo, sticker ... (``kind`` is the Message field), with an optional caption."""
        file = {"file_id": f"{kind}-file", "file_unique_id": f"{kind}-unique"}
        content: JSON = {
            "photo": {"photo": [{**file, "width": 90, "height": 90}]},
            "voice": {"voice": {**file, "duration": 3}},
            "audio": {"audio": {**file, "duration": 3}},
            "video": {"video": {**file, "width": 90, "height": 90, "duration": 3}},
            "video_note": {"video_note": {**file, "length": 240, "duration": 3}},
            "document": {"document": file},
            "sticker": {
                "sticker": {
                    **file,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "dice": {"dice": {"emoji": "🎲", "value": 3}},
            "contact": {"contact": {"phone_number": "+441603000000", "first_name": "Someone"}},
        }[kind]
        if caption is not None:
            content["caption"] = caption
        return self._user_message(chat_id, content, language_code, first_name)

    def user_edit(self, chat_id: int, message_id: int, text: str, language_code: str = "en") -> JSON:
        """The user edits their earlier message ``message_id`` to ``text``: an edited_message update."""
        message = self._messages[chat_id][message_id]
        message.update(text=text, edit_date=int(time.time()))
        self._user(chat_id, language_code, message["from"].get("first_name", "Test"))
        return self.inject_update("edited_message", message)

    def user_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int | None = None,
        language_code: str = "en",
        first_name: str = "Test",
    ) -> JSON:
        """A tap on an inline button with ``data`` under bot message ``message_id``.

        Without ``message_id`` the latest bot message in the chat is used; an unknown id gets a
        placeholder bot message, so the bot may edit it.
        """
        user = self._user(chat_id, language_code, first_name)
        chat_messages = self._messages.setdefault(chat_id, {})
        if message_id is None:
            bot_ids = [i for i, m in chat_messages.items() if m["from"]["is_bot"]]
            message_id = max(bot_ids) if bot_ids else None
        if message_id is None or message_id not in chat_messages:
            if message_id is None:
                message_id = self._next_message_id(chat_id)
            else:
                self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)
            chat_messages[message_id] = {
                "message_id": message_id,
                "from": dict(self.bot_user),
                "chat": self._chat(chat_id),
                "date": int(time.time()) - 60,
                "text": "(an earlier message)",
            }
        callback_id = str(next(self._callback_ids))
        self._open_callbacks.add(callback_id)
        query = {
            "id": callback_id,
            "from": user,
            "message": copy.deepcopy(chat_messages[message_id]),
            "chat_instance": str(7_000_000_000_000_000_000 + chat_id),
            "data": data,
        }
        return self.inject_update("callback_query", query)

    def inject_update(self, kind: str, payload: JSON) -> JSON:
        """Queue ``{"update_id": next, kind: payload}`` for getUpdates and return it."""
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    def _user(self, chat_id: int | str, language_code: str, first_name: str) -> JSON:
        user = {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        self._users[chat_id] = user
        return dict(user)

    def _chat(self, chat_id: int | str) -> JSON:
        first_name = self._users.get(chat_id, {}).get("first_name", "Test")
        return {"id": chat_id, "type": "private", "first_name": first_name}

    def _user_message(self, chat_id: int, content: JSON, language_code: str, first_name: str) -> JSON:
        user = self._user(chat_id, language_code, first_name)
        message = self._store_message(chat_id, user, content)
        return self.inject_update("message", message)

    def _next_message_id(self, chat_id: int | str) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _store_message(self, chat_id: int | str, sender: JSON, content: JSON) -> JSON:
        message_id = self._next_message_id(chat_id)
        message = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        return copy.deepcopy(message)

    # ------------------------------------------------------------------ HTTP plumbing

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _wait_change(self, seconds: float) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await changed.wait()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._closed.wait()

    @staticmethod
    def _response(payload: JSON, status: int = 200) -> web.Response:
        return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def _error(self, error: ApiError) -> web.Response:
        payload: JSON = {"ok": False, "error_code": error.error_code, "description": error.description}
        if error.retry_after is not None:
            payload["parameters"] = {"retry_after": error.retry_after}
        if error.error_code == 429:
            self.too_many_requests += 1
        return self._response(payload, status=error.error_code)

    def _check_token(self, token: str) -> None:
        if token != self.token:
            if _TOKEN_FORMAT.fullmatch(token):
                raise ApiError(401, "Unauthorized")
            raise ApiError(404, "Not Found")

    async def _read_params(self, request: web.Request) -> JSON:
        raw: JSON = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[name] = UploadedFile(
                            filename=value.filename, content_type=value.content_type, data=value.file.read()
                        )
                    else:
                        raw[name] = value if isinstance(value, str) else value.decode("utf-8", "replace")
        params: JSON = {}
        for name, value in raw.items():
            if (
                isinstance(value, str)
                and value.startswith("attach://")
                and isinstance(raw.get(value[9:]), UploadedFile)
            ):
                params[name] = raw[value[9:]]
            elif isinstance(value, str) and name in _TYPED_PARAMS:
                try:
                    params[name] = json.loads(value)
                except ValueError:
                    params[name] = value
            else:
                params[name] = value
        attached = {value[9:] for value in raw.values() if isinstance(value, str) and value.startswith("attach://")}
        return {name: value for name, value in params.items() if name not in attached}

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as error:
            return self._error(error)
        requested = request.match_info["method"]
        outage = self._in_outage(requested)
        if outage == "drop":
            self.dropped += 1
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError("dropped by the fake's outage")
        if outage == "500":
            self.outage_errors += 1
            return self._error(ApiError(500, "Internal Server Error"))
        try:
            params = await self._read_params(request)
        except ValueError:
            return self._error(ApiError(400, "Bad Request: can't parse JSON encoded request"))
        method, handler = self._handlers.get(requested.lower(), (requested, None))
        self.calls.append((method, params))
        self._notify()
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if method in SEND_METHODS and self.delay_seconds > 0:
                await self._sleep(self.delay_seconds)
            self._check_failures(method, params)
            result = await handler(params)
        except ApiError as error:
            return self._error(error)
        except Exception as exc:
            self.server_errors.append(exc)
            return self._error(ApiError(500, f"Internal Server Error: fake server bug: {exc!r}"))
        finally:
            self._notify()
        return self._response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as error:
            return self._error(error)
        for stored in self._files.values():
            if stored.file_path == request.match_info["path"] and stored.data is not None:
                return web.Response(body=stored.data, content_type="application/octet-stream")
        return self._error(ApiError(404, "Not Found"))

    def _check_failures(self, method: str, params: JSON) -> None:
        chat_id = params.get("chat_id")
        for failure in self._failures:
            if failure.method.lower() == method.lower() and failure.chat_id in (None, chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise ApiError(failure.error_code, failure.description, failure.retry_after)
        if chat_id is not None and chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if method in SEND_METHODS and self.rate_limit_per_second is not None:
            now = time.monotonic()
            while self._send_times and now - self._send_times[0] >= 1.0:
                self._send_times.popleft()
            if len(self._send_times) >= self.rate_limit_per_second:
                raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            self._send_times.append(now)

    # ------------------------------------------------------------------ parameter helpers

    @staticmethod
    def _chat_id(params: JSON) -> int | str:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _formatted(params: JSON, key: str, entities_key: str, limit: int, *, required: bool) -> JSON:
        """Text or caption with entities, parsed and trimmed as Telegram does."""
        raw = params.get(key)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raw = str(raw)
        parse_mode = params.get("parse_mode") or ""
        entities: list[JSON]
        if parse_mode.lower() == "html":
            try:
                text, entities = parse_html(raw)
            except HtmlParseError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from error
        elif parse_mode.lower() in ("", "markdown", "markdownv2"):
            text = raw  # Markdown is passed through unparsed.
            given = params.get(entities_key)
            entities = given if isinstance(given, list) else []
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        text, entities = _trim(text, _strip_code_language(entities))
        if required and not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > limit:
            message = (
                "Bad Request: message is too long" if key == "text" else "Bad Request: message caption is too long"
            )
            raise ApiError(400, message)
        content: JSON = {}
        if text:
            content[key] = text
        if entities:
            content[entities_key] = entities
        return content

    @staticmethod
    def _inline_markup(params: JSON) -> JSON | None:
        """Validate ``reply_markup``; return it when it is an inline keyboard (the only kind echoed back)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        for button in itertools.chain.from_iterable(rows):
            prefix = "Bad Request: can't parse inline keyboard button: "
            if not isinstance(button, dict):
                raise ApiError(400, prefix + "InlineKeyboardButton must be an Object")
            if not isinstance(button.get("text"), str):
                raise ApiError(400, prefix + 'Field "text" must be of type String')
            if not _BUTTON_ACTIONS & button.keys():
                raise ApiError(400, prefix + "Text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if not any(rows):
            return None
        return {"inline_keyboard": rows}

    def _reply_to(self, chat_id: int | str, params: JSON) -> JSON:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            reply = {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return {}
        allow_missing = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
        target = self._messages.get(chat_id, {}).get(message_id)
        if target is None:
            if allow_missing:
                return {}
            raise ApiError(400, "Bad Request: message to be replied not found")
        original = copy.deepcopy(target)
        original.pop("reply_to_message", None)
        return {"reply_to_message": original}

    def _bot_message(self, chat_id: int | str, content: JSON, params: JSON) -> JSON:
        markup = self._inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        content.update(self._reply_to(chat_id, params))
        message = self._store_message(chat_id, self.bot_user, content)
        self._sent.append(params)
        return message

    def _message_to_edit(self, params: JSON) -> JSON | None:
        """The stored message an edit targets, or None for an inline message."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._chat_id(params)
        if params.get("message_id") is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.get(chat_id, {}).get(params["message_id"])
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message["from"]["is_bot"] or message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(self, message: JSON, drop: tuple[str, ...], replace: JSON, params: JSON) -> JSON:
        """Replace the ``drop`` fields of a stored message by ``replace``; 400 when nothing changes."""
        before = {k: v for k, v in message.items() if k != "edit_date"}
        updated = {k: v for k, v in before.items() if k not in drop}
        updated.update(replace)
        if updated == before:
            raise ApiError(400, _NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        message.clear()
        message.update(updated)
        self.edits.append(params)
        return copy.deepcopy(message)

    # ------------------------------------------------------------------ methods

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])
            self._updates = [u for u in self._updates if _update_kind(u) in self._allowed_updates]
            if self._updates or self._closed.is_set():
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        self.webhook_secret_token = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook_secret_token = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        content = self._formatted(params, "text", "entities", 4096, required=True)
        return self._bot_message(chat_id, content, params)

    async def _send_document(self, params: JSON) -> JSON:
        chat_id = self._chat_id(params)
        document = params.get("document")
        if isinstance(document, UploadedFile):
            stored = self._store_file(document.filename or "document", document.content_type, document.data)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and document.startswith(("http://", "https://")):
            stored = self._store_file(document.rsplit("/", 1)[-1] or "document", "application/octet-stream", None)
        elif document:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        content = self._formatted(params, "caption", "caption_entities", 1024, required=False)
        content["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data or b""),
        }
        return self._bot_message(chat_id, content, params)

    def _store_file(self, file_name: str, mime_type: str, data: bytes | None) -> _StoredFile:
        number = next(self._file_numbers)
        stored = _StoredFile(f"BQACAgQAAxkDAAI{number:08d}", f"AgAD{number:06d}", file_name, mime_type, data)
        self._files[stored.file_id] = stored
        return stored

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data or b""),
            "file_path": stored.file_path,
        }

    async def _send_chat_action(self, params: JSON) -> bool:
        self._chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _edit_message_text(self, params: JSON) -> JSON | bool:
        message = self._message_to_edit(params)
        content = self._formatted(params, "text", "entities", 4096, required=True)
        markup = self._inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        if message is None:
            self.edits.append(params)
            return True
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        return self._apply_edit(message, ("text", "entities", "reply_markup"), content, params)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        message = self._message_to_edit(params)
        markup = self._inline_markup(params)
        if message is None:
            self.edits.append(params)
            return True
        return self._apply_edit(message, ("reply_markup",), {} if markup is None else {"reply_markup": markup}, params)

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise ApiError(400, _QUERY_INVALID)
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(params)
        return True

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not str(command.get("description", "")).strip():
                raise ApiError(400, "Bad Request: command description must be non-empty")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))


def _update_kind(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def user_venue(
    api: FakeBotApi,
    chat_id: int,
    latitude: float,
    longitude: float,
    title: str,
    address: str,
    language_code: str = "en",
) -> JSON:
    """A venue shared from the map: Telegram sends the place and, beside it, its location."""
    location = {"latitude": latitude, "longitude": longitude}
    venue = {"location": location, "title": title, "address": address}
    return api._user_message(chat_id, {"location": location, "venue": venue}, language_code, "Test")
