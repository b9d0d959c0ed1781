"""The fake Bot API server, driven by the real python-telegram-bot stack (Application, Bot, HTTPXRequest)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fakebot import FakeBotApi, HtmlParseError, parse_html
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

TOKEN = "123:ABC"


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when ``RetryAfter.retry_after`` is an int; pytest turns warnings into errors."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server
        assert server.server_errors == []


def build_app(api: FakeBotApi, token: str = TOKEN) -> Application:  # type: ignore[type-arg]
    return ApplicationBuilder().token(token).base_url(api.base_url).base_file_url(api.base_file_url).build()


def make_bot(api: FakeBotApi) -> Bot:
    return Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Food", callback_data="need:food")]])
    await update.effective_message.reply_text(
        "<b>Hello</b>, what do you need?", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"You chose {query.data}")


async def test_polling_app_echoes_and_answers_callbacks(api: FakeBotApi) -> None:
    app = build_app(api)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(on_button))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)  # type: ignore[union-attr]
        try:
            api.user_text(42, "where can I eat?")
            api.user_text(7, "hello from another chat")
            [echoed] = await api.wait_for_sent(1, chat_id=42)
            assert echoed["text"] == "where can I eat?"
            await api.wait_for_sent(1, chat_id=7)
            assert api.sent_texts(7) == ["hello from another chat"]

            api.user_command(42, "/start")
            sent = await api.wait_for_sent(2, chat_id=42)
            assert sent[1]["parse_mode"] == "HTML"
            menu = api.messages(42)[-1]
            assert menu["text"] == "Hello, what do you need?"
            assert menu["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
            assert menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "need:food"

            update = api.user_callback(42, "need:food")
            assert update["callback_query"]["message"]["message_id"] == menu["message_id"]
            await api.wait_until(lambda: api.edits, what="the callback's edit")
            assert [a["callback_query_id"] for a in api.answered_callbacks] == [update["callback_query"]["id"]]
            assert api.message(42, menu["message_id"])["text"] == "You chose need:food"
            assert "reply_markup" not in api.message(42, menu["message_id"])
        finally:
            await app.updater.stop()  # type: ignore[union-attr]
            await app.stop()
    assert api.pending_updates == []  # the final getUpdates confirmed everything
    assert {name for name, _ in api.calls} >= {"getMe", "deleteWebhook", "getUpdates"}


async def test_retry_after_surfaces_with_its_delay(api: FakeBotApi) -> None:
    async with build_app(api) as app:
        api.fail_next("sendMessage", 429, retry_after=7)
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(42, "hi")
        assert caught.value.retry_after == timedelta(seconds=7)
        assert api.too_many_requests == 1
        assert api.sent() == []
        await app.bot.send_message(42, "hi")  # only the next call failed
        assert api.sent_texts(42) == ["hi"]


async def test_an_outage_answers_500_or_drops_the_connection_then_ends(api: FakeBotApi) -> None:
    from telegram.error import NetworkError

    async with build_app(api) as app:
        api.outage(0.3, "500")
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await app.bot.send_message(42, "during")
        api.outage(0.3, "drop")
        with pytest.raises(NetworkError):
            await app.bot.send_message(42, "dropped")
        assert (api.outage_errors, api.dropped) == (1, 1)
        assert api.sent() == []  # neither reached the chat
        await asyncio.sleep(0.35)
        await app.bot.send_message(42, "after")
        assert api.sent_texts(42) == ["after"]


async def test_forbidden_and_blocked_chats(api: FakeBotApi) -> None:
    async with build_app(api) as app:
        api.fail_next("sendMessage", 403, chat_id=5)
        await app.bot.send_message(6, "other chat is fine")
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(5, "x")
        api.block_chat(9)
        for _ in range(2):
            with pytest.raises(Forbidden):
                await app.bot.send_message(9, "x")
        api.fail_next("sendMessage", 400, "Bad Request: chat not found")
        with pytest.raises(BadRequest, match="Chat not found"):
            await app.bot.send_message(6, "x")
        assert api.sent_texts() == ["other chat is fine"]


async def test_wrong_token_fails_at_initialize(api: FakeBotApi) -> None:
    app = build_app(api, token="999:WRONG")
    try:
        with pytest.raises(InvalidToken):
            await app.initialize()
    finally:
        await app.bot.shutdown()
    assert api.calls == []


async def test_unknown_method_is_not_found(api: FakeBotApi) -> None:
    async with make_bot(api) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendSmokeSignal", api_kwargs={"chat_id": 1})


async def test_long_polling_offset_and_allowed_updates(api: FakeBotApi) -> None:
    async with make_bot(api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=timedelta(seconds=0.2)) == ()
        assert time.monotonic() - started >= 0.19

        async def inject_later() -> None:
            await asyncio.sleep(0.05)
            api.user_text(1, "one")

        started = time.monotonic()
        injector = asyncio.create_task(inject_later())
        updates = await bot.get_updates(timeout=timedelta(seconds=3))
        await injector
        assert time.monotonic() - started < 1
        assert [u.message.text for u in updates if u.message] == ["one"]

        api.user_callback(1, "b")
        api.user_location(1, 52.63, 1.29)
        again = await bot.get_updates(allowed_updates=["message"])
        assert [u.update_id for u in again] == [updates[0].update_id, updates[0].update_id + 2]
        assert again[1].message is not None and again[1].message.location is not None
        assert again[1].message.location.latitude == pytest.approx(52.63)
        assert len(await bot.get_updates(offset=again[-1].update_id + 1)) == 0
        assert api.pending_updates == []


async def test_a_second_poller_ends_the_first_with_conflict(api: FakeBotApi) -> None:
    async with make_bot(api) as bot, make_bot(api) as second_instance:
        first = asyncio.create_task(bot.get_updates(timeout=timedelta(seconds=3)))
        await api.wait_until(lambda: api.calls_to("getUpdates"), what="the first poll")
        assert await second_instance.get_updates() == ()
        with pytest.raises(Conflict, match="only one bot instance"):
            await first


async def test_raw_json_form_and_error_envelopes(api: FakeBotApi) -> None:
    url = f"{api.base_url}{TOKEN}"
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{url}/sendMessage", json={"chat_id": 5, "text": "42"})
        assert reply.json()["result"]["text"] == "42"
        reply = await client.post(f"{url}/SENDMESSAGE", data={"chat_id": "5", "text": "7"})
        assert reply.json()["result"]["message_id"] == 2
        assert api.sent(5) == [{"chat_id": 5, "text": "42"}, {"chat_id": 5, "text": "7"}]

        api.fail_next("sendMessage", 429, retry_after=3)
        reply = await client.post(f"{url}/sendMessage", data={"chat_id": "5", "text": "x"})
        assert (reply.status_code, reply.json()) == (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
        )
        reply = await client.post(f"{url}/sendSmokeSignal")
        assert (reply.status_code, reply.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )
        reply = await client.get(f"{api.base_url}999:NOPE/getMe")
        assert (reply.status_code, reply.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )


async def test_html_is_checked_like_telegram(api: FakeBotApi) -> None:
    async with make_bot(api) as bot:
        with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br" at byte offset 6'):
            await bot.send_message(1, "Hello <br> there", parse_mode=ParseMode.HTML)
        message = await bot.send_message(1, '  <a href="https://x.org">Site</a> &amp; more  ', parse_mode="HTML")
        assert message.text == "Site & more"
        assert message.entities[0].url == "https://x.org/"
        with pytest.raises(BadRequest, match="Message is not modified"):
            await bot.edit_message_text(
                '<a href="https://x.org">Site</a> &amp; more',
                chat_id=1,
                message_id=message.message_id,
                parse_mode="HTML",
            )
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(
                1, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="x" * 65)]])
            )


async def test_rate_limit_and_delay(api: FakeBotApi) -> None:
    async with make_bot(api) as bot:
        api.rate_limit_per_second = 2
        await bot.send_message(1, "a")
        await bot.send_message(2, "b")
        with pytest.raises(RetryAfter):
            await bot.send_message(3, "c")
        assert api.too_many_requests == 1
        api.rate_limit_per_second = None

        api.delay_seconds = 0.3
        with pytest.raises(TimedOut):
            await bot.send_message(4, "slow", read_timeout=0.05)
        assert api.sent(4) == []
        await api.wait_for_sent(1, chat_id=4)  # Telegram may still deliver what the client gave up on


async def test_documents_commands_and_chat_actions(api: FakeBotApi) -> None:
    async with make_bot(api) as bot:
        message = await bot.send_document(1, b"name,phone\n", filename="help.csv", caption="Contacts")
        [params] = api.sent(1)
        assert params["document"].filename == "help.csv" and params["caption"] == "Contacts"
        assert message.document is not None and message.document.file_name == "help.csv"
        file = await bot.get_file(message.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"name,phone\n"

        assert await bot.send_chat_action(1, "typing")
        await bot.set_my_commands([("start", "Start"), ("help", "Help")], language_code="fr")
        assert [c.command for c in await bot.get_my_commands(language_code="fr")] == ["start", "help"]
        assert await bot.get_my_commands() == ()
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([("Start", "Start")])
        await bot.delete_my_commands(language_code="fr")
        assert await bot.get_my_commands(language_code="fr") == ()


async def test_wait_for_sent_times_out_with_the_calls(api: FakeBotApi) -> None:
    api.user_text(1, "hi")
    async with make_bot(api) as bot:
        await bot.send_message(2, "to someone else")
        with pytest.raises(AssertionError, match="sendMessage"):
            await api.wait_for_sent(1, chat_id=1, timeout=0.05)


@pytest.mark.parametrize(
    ("markup", "text", "entities"),
    [
        ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟", [{"type": "italic", "offset": 5, "length": 6}]),
        (
            "<b>a<i>b</i></b>",
            "ab",
            [{"type": "bold", "offset": 0, "length": 2}, {"type": "italic", "offset": 1, "length": 1}],
        ),
        (
            '<pre><code class="language-py">x</code></pre>',
            "x",
            [{"type": "pre", "offset": 0, "length": 1, "language": "py"}],
        ),
        ("&ge;&#60;&#x3e;&Or;", "&ge;<>&Or;", []),
        (
            '<span class="tg-spoiler">s</span><blockquote expandable>q</>',
            "sq",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "expandable_blockquote", "offset": 1, "length": 1},
            ],
        ),
    ],
)
def test_parse_html(markup: str, text: str, entities: list[dict[str, object]]) -> None:
    assert parse_html(markup) == (text, entities)


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba>", 'Can\'t find end tag corresponding to start tag "i"'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_html_errors(markup: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(markup)
    assert str(caught.value) == error
