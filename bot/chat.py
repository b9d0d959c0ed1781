"""One conversation step for any chat front end: who is asking + what they sent -> a Reply.

This is where the core meets the store: it knows a user's chosen language and subscriptions,
applies the flood limit, and remembers a user's last language in memory only. It knows
nothing of Telegram, so the Telegram handlers stay thin and all of this is tested without one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.assistant import Assistant, User
from bot.flood import FloodLimiter, Verdict
from bot.i18n import NATIVE_NAMES
from bot.matching import local_now
from bot.replies import Reply
from bot.schema import LANGUAGES, Coordinates
from bot.store import Store


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent an update: the chat to answer and the Telegram language setting, nothing else."""

    chat_id: int
    user_id: int
    telegram_language: str | None = None


class ChatService:
    """Answers every kind of message; one instance serves all chats."""

    MAX_REMEMBERED = 50_000  # chats whose last language is kept in memory

    def __init__(
        self,
        assistant: Assistant,
        store: Store,
        *,
        admin_ids: frozenset[int] = frozenset(),
        flood_limit: int = 20,
        clock: Callable[[], datetime] = local_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.admin_ids = admin_ids
        self.flood = FloodLimiter(flood_limit)
        self.clock = clock
        self.monotonic = monotonic
        self._last_language: OrderedDict[int, str] = OrderedDict()

    def swap(self, assistant: Assistant) -> None:
        """Start answering from a new knowledge base; one reference, so no reply sees half of each."""
        self.assistant = assistant

    def is_admin(self, who: Sender) -> bool:
        return who.user_id in self.admin_ids

    # ---- languages -------------------------------------------------------------------------

    async def user(self, who: Sender) -> User:
        stored = await self.store.user(who.chat_id)
        telegram = (who.telegram_language or "").split("-")[0].lower() or None
        return User(
            chosen_language=stored.language if stored else None,
            last_language=self._last_language.get(who.chat_id),
            telegram_language=telegram if telegram in LANGUAGES else None,
        )

    def _remember(self, who: Sender, language: str) -> None:
        self._last_language.pop(who.chat_id, None)
        self._last_language[who.chat_id] = language
        if len(self._last_language) > self.MAX_REMEMBERED:
            self._last_language.popitem(last=False)

    async def language(self, who: Sender) -> str:
        """The reply language when the user sent no words to detect it from."""
        user = await self.user(who)
        return user.chosen_language or user.last_language or user.telegram_language or "en"

    # ---- the flood limit -------------------------------------------------------------------

    async def admit(self, who: Sender) -> Reply | bool | None:
        """True to answer; a "please wait" Reply the first time over the limit; None to stay silent."""
        verdict = self.flood.check(who.chat_id, self.monotonic())
        if verdict is Verdict.ANSWER:
            return True
        if verdict is Verdict.WARN:
            return self.assistant.notice("slow-down", await self.language(who))
        return None

    # ---- what users send -------------------------------------------------------------------

    async def text(self, who: Sender, text: str) -> Reply:
        user = await self.user(who)
        reply = self.assistant.respond(text, self.clock(), user)
        if text.strip():
            self._remember(who, reply.language)
        return reply

    async def start(self, who: Sender) -> Reply:
        language = await self.language(who)
        welcome = self.assistant.welcome(language)
        promise = self.assistant.renderer(language).t("I do not keep what you write. /privacy tells you more.")
        return Reply(f"{welcome.html}\n\n<i>{_esc(promise)}</i>", welcome.buttons, welcome.language)

    async def help(self, who: Sender) -> Reply:
        return self.assistant.help(await self.language(who))

    async def privacy(self, who: Sender) -> Reply:
        return self.assistant.privacy(await self.language(who))

    async def events(self, who: Sender) -> Reply:
        return self.assistant.events(self.clock(), await self.language(who))

    async def location(self, who: Sender, latitude: float, longitude: float) -> Reply:
        language = await self.language(who)
        try:
            here = Coordinates(lat=latitude, lon=longitude)
        except ValueError:  # outside Britain: nothing here is near
            return self.assistant.notice("no-nearby", language)
        return self.assistant.nearby(here, language)

    async def choose_language(self, who: Sender) -> Reply:
        return self.assistant.language_menu(await self.language(who))

    async def subscribe(self, who: Sender) -> Reply:
        language = await self.language(who)
        new = await self.store.subscribe(who.chat_id, language)
        return self.assistant.notice("subscribed" if new else "already-subscribed", language)

    async def unsubscribe(self, who: Sender) -> Reply:
        language = await self.language(who)
        was = await self.store.unsubscribe(who.chat_id)
        return self.assistant.notice("unsubscribed" if was else "not-subscribed", language)

    async def forget(self, who: Sender) -> Reply:
        language = await self.language(who)
        await self.store.forget(who.chat_id)
        self._last_language.pop(who.chat_id, None)
        return self.assistant.notice("forgotten", language)

    async def tap(self, who: Sender, action: str) -> Reply:
        """A tapped button: its action string, as the core wrote it."""
        kind, _, value = action.partition(":")
        if kind == "lang" and value in LANGUAGES:
            await self.store.set_language(who.chat_id, value)
            return self.assistant.notice("language-set", value, language_name=NATIVE_NAMES[value])
        if kind == "remind":
            return await self._remind(who, value)
        if action == "forget":
            return await self.forget(who)
        return self.assistant.act(action, self.clock(), await self.language(who))

    async def _remind(self, who: Sender, event_id: str) -> Reply:
        language = await self.language(who)
        now = self.clock()
        occurrence = self.assistant.reminder_target(event_id, now)
        if occurrence is None:
            return self.assistant.notice("event-gone", language)
        new = await self.store.request_reminder(who.chat_id, event_id, occurrence.start)
        name = occurrence.event.name
        return self.assistant.notice("reminder-set" if new else "reminder-already", language, name=name)

    async def audience(self, who: Sender) -> Reply:
        """For organisers: how many people a broadcast would reach now."""
        counts = await self.store.counts()
        return self.assistant.notice("audience", await self.language(who), **counts)

    def refuse(self, language: str = "en") -> Reply:
        """The reply to a non-admin who tried an organiser's command."""
        return self.assistant.notice("admins-only", language)

    def sorry(self, language: str = "en") -> Reply:
        return self.assistant.notice("sorry", language)


def _esc(text: str) -> str:
    from bot.replies import esc

    return esc(text)
