"""One conversation step for any chat front end: who is asking + what they sent -> a Reply.

This is where the core meets the store: it knows a user's chosen language and subscriptions,
applies the flood limit, and remembers a user's last language in memory only. It knows
nothing of Telegram, so the Telegram handlers stay thin and all of this is tested without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time as clock_time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Concatenate, ParamSpec

from bot.anonymise import anonymise, vocabulary
from bot.assistant import MAX_QUESTION, Assistant, User
from bot.events import LONDON
from bot.flood import FloodLimiter, Verdict
from bot.freshness import DEFAULT_STALE_DAYS, dated, stale_entries
from bot.i18n import N_, NATIVE_NAMES, NP_
from bot.matching import local_now
from bot.problems import Problem
from bot.reminders import Request, due_reminders, reminder_of
from bot.replies import MAX_MESSAGE, Button, Renderer, Reply, esc, plain_text
from bot.schema import LANGUAGES, Coordinates
from bot.store import Broadcast, NotSaved, Queued, Store
from bot.unanswered import frequent_wordings, harm_words
from bot.watch import load_beside


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent an update: the chat to answer and the Telegram language setting, nothing else."""

    chat_id: int
    user_id: int
    telegram_language: str | None = None


MAX_PROBLEMS_SHOWN = 15
TOO_LONG = NP_(
    "Too long for one Telegram message with my heading: please shorten it by {count} character "
    "and send /broadcast again.",
    "Too long for one Telegram message with my heading: please shorten it by {count} characters "
    "and send /broadcast again.",
)
MAY_HAVE_ARRIVED = NP_(
    "{count} may have arrived: Telegram did not answer in time, so it was not sent again.",
    "{count} may have arrived: Telegram did not answer in time, so they were not sent again.",
)
UNDELIVERED = NP_(
    "{count} reminder of {name} ({when}) could not be delivered in time.",
    "{count} reminders of {name} ({when}) could not be delivered in time.",
)


def telegram_length(markup: str) -> int:
    """A message's length as Telegram limits it: characters (code points, not UTF-16 units) of the
    text after the HTML is parsed and the ends trimmed. TDLib checks `utf8_length(text) >
    message_text_length_max` for bots (td/telegram/MessageContent.cpp)."""
    return len(plain_text(markup).strip())


NOT_SAVED = N_("I could not save that, please try again later.")
STARTED_ON_LAST_GOOD = NP_(
    "I started on the last good version of the knowledge, because the files have {count} problem now:",
    "I started on the last good version of the knowledge, because the files have {count} problems now:",
)
P = ParamSpec("P")
Answer = Callable[Concatenate["ChatService", Sender, P], Awaitable[Reply]]


def problems_reply(heading: str, errors: Sequence[Problem]) -> Reply:
    """Organisers' view of broken knowledge files: the heading, then each problem as file:line."""
    lines = [heading, *(esc(str(p)) for p in errors[:MAX_PROBLEMS_SHOWN])]
    if len(errors) > MAX_PROBLEMS_SHOWN:
        lines.append(esc(f"... and {len(errors) - MAX_PROBLEMS_SHOWN} more: run python run_bot.py validate"))
    return Reply("\n".join(lines), (), "en")


def saving(method: Answer[P]) -> Answer[P]:
    """For an answer that reports a write ("Done", "You will get reminders"): when the write did not
    reach the database, the user hears that it was not saved instead (the store logged why)."""

    @functools.wraps(method)
    async def answer(self: ChatService, who: Sender, /, *args: P.args, **kwargs: P.kwargs) -> Reply:
        try:
            return await method(self, who, *args, **kwargs)
        except NotSaved:
            return self.not_saved(await self.language(who))

    return answer


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
        log_unanswered: bool = False,
        clock: Callable[[], datetime] = local_now,
        monotonic: Callable[[], float] = clock_time.monotonic,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.admin_ids = admin_ids
        self.log_unanswered = log_unanswered
        self.flood = FloodLimiter(flood_limit)
        self.clock = clock
        self.monotonic = monotonic
        self._last_language: OrderedDict[int, str] = OrderedDict()
        self._chosen: dict[int, str | None] = {}  # chat -> chosen language, as stored
        self._counts: Counter[tuple[date, str, str]] = Counter()  # written by flush_counts()
        self.queued: Callable[[], None] = lambda: None  # the front end wakes its outbox sender here

    def swap(self, assistant: Assistant) -> None:
        """Start answering from a new knowledge base; one reference, so no reply sees half of each."""
        self.assistant = assistant

    def is_admin(self, who: Sender) -> bool:
        return who.user_id in self.admin_ids

    # ---- languages -------------------------------------------------------------------------

    async def _chosen_language(self, chat_id: int) -> str | None:
        """The language the user chose, read once and then kept in memory (cleared when it changes)."""
        if chat_id in self._chosen:
            return self._chosen[chat_id]
        stored = await self.store.user(chat_id)
        language = stored.language if stored else None
        self._chosen[chat_id] = language
        if len(self._chosen) > self.MAX_REMEMBERED:
            self._chosen.pop(next(iter(self._chosen)))
        return language

    async def user(self, who: Sender) -> User:
        chosen = await self._chosen_language(who.chat_id)
        telegram = (who.telegram_language or "").split("-")[0].lower() or None
        return User(
            chosen_language=chosen,
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

    async def admit(self, who: Sender, text: str = "") -> Reply | bool | None:
        """True to answer; a "please wait" Reply the first time over the limit; None to stay silent.
        A message that may be about danger is answered whatever the limit."""
        verdict = self.flood.check(who.chat_id, self.monotonic())
        if verdict is Verdict.ANSWER or (text and self.assistant.in_danger(text)):
            return True
        if verdict is Verdict.WARN:
            return self.assistant.notice("slow-down", await self.language(who))
        return None

    # ---- what users send -------------------------------------------------------------------

    async def text(self, who: Sender, text: str) -> Reply:
        user = await self.user(who)
        now = self.clock()
        reply = self.assistant.respond(text, now, user)
        if text.strip():
            self._remember(who, reply.language)
            self._count(reply, now)
            if self.log_unanswered and reply.unanswered and not self._any_danger(reply, text):
                index = self.assistant.index
                clean = await asyncio.to_thread(lambda: anonymise(text[:MAX_QUESTION], vocabulary(index)))
                with contextlib.suppress(NotSaved):  # logged by the store; the answer matters more
                    await self.store.record_unanswered(now.date(), clean, who.chat_id)
        return reply

    def _any_danger(self, reply: Reply, text: str) -> bool:
        """Any evidence of a crisis, certain or not, or any word of harm: such a message is never
        kept, even anonymised (the detector misses some crises; this wider net withholds half of
        those it missed in the crisis corpora, README "What people could not find, privately")."""
        return (
            reply.emergency
            or reply.safety_check
            or self.assistant.in_danger(text)
            or harm_words(self.assistant.index, text[:MAX_QUESTION])
        )

    def _count(self, reply: Reply, now: datetime) -> None:
        """Counts only, by day: how many asked, how many were answered, which needs, which languages.
        Kept in memory and written every few seconds by `flush_counts` (one commit, not one per answer)."""
        day = now.date()
        metrics = [("questions", ""), ("language", reply.language)]
        if reply.emergency:
            metrics.append(("crisis", ""))
        if reply.matches:
            metrics.append(("answered", ""))
            best = reply.matches[-1] if reply.emergency else reply.matches[0]
            need = best.need or next(iter(best.entry.needs), None)  # asked by name: its main need
            if need:
                metrics.append(("need", need))
        self._counts.update((day, metric, key) for metric, key in metrics)

    async def flush_counts(self) -> None:
        pending, self._counts = self._counts, Counter()
        by_day: dict[date, list[tuple[str, str, int]]] = {}
        for (day, metric, key), count in pending.items():
            by_day.setdefault(day, []).append((metric, key, count))
        for day, rows in by_day.items():
            try:
                await self.store.add_counts(day, rows)
            except NotSaved:  # logged by the store: keep the counts for the next try
                self._counts.update({(day, metric, key): count for metric, key, count in rows})

    async def unreadable(self, who: Sender, kind: str) -> Reply:
        """A voice note, sticker, photo without words ...: what the bot can do instead."""
        return self.assistant.unreadable(kind, await self.language(who))

    async def start(self, who: Sender) -> Reply:
        language = await self.language(who)
        welcome = self.assistant.welcome(language)
        t = self.assistant.renderer(language).t
        promise = (
            t("/privacy tells you what I keep.")
            if self.log_unanswered
            else t("I do not keep what you write. /privacy tells you more.")
        )
        return Reply(f"{welcome.html}\n\n<i>{esc(promise)}</i>", welcome.buttons, welcome.language)

    async def help(self, who: Sender) -> Reply:
        return self.assistant.help(await self.language(who))

    async def privacy(self, who: Sender) -> Reply:
        return self.assistant.privacy(await self.language(who), self.log_unanswered)

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

    @saving
    async def subscribe(self, who: Sender) -> Reply:
        language = await self.language(who)
        new = await self.store.subscribe(who.chat_id, language)
        self._chosen.pop(who.chat_id, None)
        return self.assistant.notice("subscribed" if new else "already-subscribed", language)

    @saving
    async def unsubscribe(self, who: Sender) -> Reply:
        language = await self.language(who)
        was = await self.store.unsubscribe(who.chat_id)
        return self.assistant.notice("unsubscribed" if was else "not-subscribed", language)

    @saving
    async def forget(self, who: Sender) -> Reply:
        language = await self.language(who)
        await self.store.forget(who.chat_id)
        self._last_language.pop(who.chat_id, None)
        self._chosen.pop(who.chat_id, None)
        return self.assistant.notice("forgotten", language)

    @saving
    async def tap(self, who: Sender, action: str, message_id: int | None = None) -> Reply:
        """A tapped button: its action string, as the core wrote it."""
        kind, _, value = action.partition(":")
        if kind == "bc":
            if not self.is_admin(who):
                return self.refuse(await self.language(who))
            return await self._broadcast_button(who, value, message_id)
        if kind == "lang" and value in LANGUAGES:
            await self.store.set_language(who.chat_id, value)
            self._chosen[who.chat_id] = value
            return self.assistant.notice("language-set", value, language_name=NATIVE_NAMES[value])
        if kind == "remind":
            return await self._remind(who, value)
        if kind == "ics":
            return self.assistant.calendar_file(value, await self.language(who))
        if action == "forget":
            return await self.forget(who)
        if kind == "report" and self.assistant.kb.entry(value) is not None:
            await self.store.count(self.clock().date(), "report", value)
            return self.assistant.notice("report-thanks", await self.language(who))
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

    # ---- organisers (the handlers check is_admin before calling these) ---------------------

    @saving
    async def broadcast_preview(self, who: Sender, text: str) -> Reply:
        """Step one of a broadcast: a preview with the number of recipients and Send / Cancel."""
        language = await self.language(who)
        text = text.strip()
        if not text:
            return self.assistant.notice("broadcast-usage", language)
        r = self.assistant.renderer(language)
        recipients = (await self.store.counts())["subscribed"]
        over = self._overflow(r, esc(text), recipients)
        if over > 0:  # refused now, rather than failing for every recipient or in the report
            return Reply(esc(r.t.plural(*TOO_LONG, over, count=over)), (), r.lang)
        draft = await self.store.create_draft("broadcast", esc(text), who.chat_id, r.lang)
        buttons = ((Button(r.t("Send"), f"bc:send:{draft}"), Button(r.t("Cancel"), f"bc:cancel:{draft}")),)
        return Reply(r.broadcast_preview(esc(text), recipients), buttons, r.lang)

    def _overflow(self, r: Renderer, html: str, recipients: int) -> int:
        """Characters over Telegram's limit in the longest message that shows this broadcast to its
        organiser: the preview, the progress, the final report, with every figure a digit wider than
        today's number of subscribers (it may grow before Send)."""
        wide = 10 * max(recipients, 1)
        counts = dict.fromkeys(("sent", "blocked", "failed", "ambiguous", "pending"), wide)
        shown = [r.broadcast_preview(html, wide)]
        shown += [self._status_html(r, html, counts, wide, finished) for finished in (False, True)]
        return max(telegram_length(markup) for markup in shown) - MAX_MESSAGE

    async def _broadcast_button(self, who: Sender, value: str, message_id: int | None) -> Reply:
        language = await self.language(who)
        verb, _, number = value.partition(":")
        if not number.isdigit():
            return self.assistant.act("menu", self.clock(), language)
        draft = int(number)
        if verb == "cancel":
            await self.store.cancel_draft(draft)
            return replace(self.assistant.notice("broadcast-cancelled", language), replace=True)
        recipients = await self.store.start_broadcast(draft, message_id, self.clock())
        if recipients is None:
            return self.assistant.notice("broadcast-not-draft", language)
        if recipients == 0:  # done already: this reply is its report
            await self.store.mark_reported(draft)
        self.queued()
        return replace(await self.broadcast_status(draft, language), replace=True)

    async def broadcast_status(self, broadcast_id: int, language: str = "en") -> Reply:
        """The organiser's view of one broadcast: progress, or the final report."""
        r = self.assistant.renderer(language)
        b = await self.store.broadcast(broadcast_id)
        if b is None:
            return self.assistant.notice("broadcast-not-draft", language)
        return Reply(self._status_html(r, b.text, b.counts, b.recipients, b.state == "done"), (), r.lang)

    @staticmethod
    def _status_html(r: Renderer, text: str, counts: dict[str, int], recipients: int, finished: bool) -> str:
        """Progress, or the report, where a message that timed out counts apart from the failures:
        it may have arrived (it was not sent again)."""
        unknown = counts.get("ambiguous", 0) if finished else 0
        html = r.broadcast_progress(text, {**counts, "ambiguous": 0} if finished else counts, recipients, finished)
        return html + (
            "\n\n<i>" + esc(r.t.plural(*MAY_HAVE_ARRIVED, unknown, count=unknown)) + "</i>" if unknown else ""
        )

    async def broadcast_update(self, broadcast_id: int) -> tuple[Broadcast, Reply] | None:
        """A broadcast and its progress or report for its organiser, in the organiser's language;
        None when nobody is to hear of it."""
        b = await self.store.broadcast(broadcast_id)
        if b is None or b.created_by is None:
            return None
        return b, await self.broadcast_status(broadcast_id, b.language or "en")

    async def report_finished(self, b: Broadcast, report: Reply, *, edited: bool) -> None:
        """The final report reaches the organiser: the edited progress message is enough when the
        edit worked and everything was delivered. Otherwise it also comes as a new message (which,
        unlike an edit, notifies them), through the outbox so that it outlives an outage."""
        c = b.counts
        if (edited and not c.get("failed", 0) + c.get("expired", 0) + c.get("ambiguous", 0)) or b.created_by is None:
            return
        await self.store.enqueue([Queued(b.created_by, report.html, self.clock(), key=f"report:{b.id}")])
        self.queued()

    async def queue_failure_notices(self) -> int:
        """Tell every organiser, in their language, which event reminders could not be delivered
        before the event. The notice goes through the outbox (so it too outlives an outage), queued
        in the same transaction that marks those failures told; the number of notices queued."""
        failures = await self.store.untold_failures()
        if not failures:
            return 0
        per_event: Counter[tuple[str, str]] = Counter()
        for _, key in failures:
            if (reminder := reminder_of(key)) is not None:
                per_event[reminder] += 1
        notices = []
        if per_event:
            for admin in sorted(self.admin_ids):
                r = self.assistant.renderer(await self._chosen_language(admin) or "en")
                lines = [self._undelivered(r, *event, count) for event, count in sorted(per_event.items())]
                key = f"undelivered:{failures[0][0]}:{admin}"
                notices.append(Queued(admin, "\n".join(lines), self.clock(), key=key))
        await self.store.enqueue(notices, told=[row for row, _ in failures])
        if notices:
            self.queued()
        return len(notices)

    def _undelivered(self, r: Renderer, event_id: str, occurrence: str, count: int) -> str:
        event = self.assistant.kb.entry(event_id)
        start = datetime.fromisoformat(occurrence).astimezone(LONDON)
        when = r.day_and_time(start)
        name = event.name if event is not None else event_id
        return "⚠️ " + esc(r.t.plural(*UNDELIVERED, count, count=count, name=name, when=when))

    async def broadcasts(self, who: Sender) -> Reply:
        language = await self.language(who)
        r = self.assistant.renderer(language)
        recent = await self.store.recent_broadcasts()
        if not recent:
            return self.assistant.notice("no-broadcasts", language)
        lines = []
        for b in recent:
            c = b.counts
            failed = c.get("failed", 0) + c.get("expired", 0)  # "may have arrived" is not a failure
            summary = r.t(
                "{sent} of {total} delivered, {blocked} blocked, {failed} failed, {pending} waiting",
                sent=c.get("sent", 0), total=b.recipients, blocked=c.get("blocked", 0), failed=failed,
                pending=c.get("pending", 0),
            )  # fmt: skip
            if unknown := c.get("ambiguous", 0):
                summary += "\n" + r.t.plural(*MAY_HAVE_ARRIVED, unknown, count=unknown)
            preview = plain_text(b.text)[:60]
            lines.append(
                f"<b>{esc(b.created[:16].replace('T', ' '))}</b> {esc(b.kind)}: {esc(preview)}\n{esc(summary)}"
            )
        return Reply("\n\n".join(lines), (), r.lang)

    @saving
    async def remind_now(self, who: Sender, event_id: str) -> Reply:
        """An organiser sends an event's reminder to every subscriber now, through the outbox."""
        language = await self.language(who)
        now = self.clock()
        occurrence = self.assistant.reminder_target(event_id.strip(), now)
        if occurrence is None:
            soon = self.assistant.events_soon(now)
            return self.assistant.notice("remind-usage", language, example=soon[0].event.id if soon else "event-id")
        broadcast = await self.store.create_draft("reminder", esc(occurrence.event.name), who.chat_id, language)
        items = [
            Queued(
                chat_id,
                self.assistant.reminder(occurrence, now, lang or "en"),
                now,
                key=f"manual:{broadcast}:{chat_id}",
                expires=occurrence.start,  # retried until the event starts, not after
            )
            for chat_id, lang in await self.store.subscribers()
        ]
        await self.store.enqueue(items, broadcast_id=broadcast)
        if await self.store.finish_if_done(broadcast):  # nobody to remind: this reply is its report
            await self.store.mark_reported(broadcast)
        self.queued()
        return self.assistant.notice("remind-queued", language, count=len(items), name=occurrence.event.name)

    async def reload(self, directory: Path) -> Reply:
        """Load the YAML again: a valid version replaces the old one at once; an invalid one changes
        nothing, and the reply lists its problems for the organisers."""
        assistant, problems = await load_beside(directory)
        errors = sorted(p for p in problems if p.severity == "error")
        if assistant is None:
            return problems_reply(self.assistant.notice("reload-failed", "en", count=len(errors)).html, errors)
        self.swap(assistant)
        return self.assistant.notice("reloaded", "en", summary=assistant.kb.summary())

    def started_on_last_good(self, errors: Sequence[Problem]) -> Reply:
        """For organisers, once the bot runs: it started on the last good knowledge, and why."""
        heading = esc(self.assistant.renderer("en").t.plural(*STARTED_ON_LAST_GOOD, len(errors), count=len(errors)))
        return problems_reply(heading, errors)

    async def queue_reminders(self, day_before: time) -> int:
        """Queue the reminders that are due soon, and notices for cancelled or moved events."""
        now = self.clock()
        requests = [Request(*row) for row in await self.store.reminder_requests()]
        queued, moved = due_reminders(
            self.assistant.kb,
            await self.store.subscribers(),
            requests,
            now,
            day_before=day_before,
            reminder_text=lambda occurrence, language: self.assistant.reminder(occurrence, now, language),
            changed_text=self.assistant.event_changed,
        )
        added = await self.store.enqueue(queued)
        for change in moved:
            r = change.request
            await self.store.update_reminder(
                r.chat_id, r.event_id, r.occurrence, change.new.start if change.new else None
            )
        if added:
            self.queued()
        return added

    async def digest(self, today: date, stale_days: int = DEFAULT_STALE_DAYS) -> Reply:
        """The organisers' weekly digest: entries whose newest information is more than `stale_days`
        days old (to confirm with the organisations), numbers reported not working, and what several
        people asked that the bot could not answer."""
        await self.flush_counts()
        r = self.assistant.renderer("en")
        week_ago = today - timedelta(days=7)
        lines = ["<b>" + esc(r.t("Weekly digest")) + "</b>"]
        stale = stale_entries(self.assistant.kb, today, stale_days)
        period = r.t.plural("{days} day", "{days} days", stale_days, days=stale_days)
        stale_line = r.t.plural(
            "The newest information of {count} entry is more than {period} old:",
            "The newest information of {count} entries is more than {period} old:",
            len(stale), count=len(stale), period=period,
        )  # fmt: skip
        lines.append(esc(stale_line))
        lines += [f"• {esc(entry.name)}: {esc(' '.join(dated(entry, r.t, r.locale)))}" for entry, _ in stale[:20]]
        reports: Counter[str] = Counter()
        for _, metric, key, count in await self.store.counts_since(week_ago):
            if metric == "report":
                reports[key] += count
        if reports:
            lines.append(esc(r.t("Contacts reported as not working this week:")))
            for entry_id, count in reports.most_common():
                entry = self.assistant.kb.entry(entry_id)
                lines.append(f"• {esc(entry.name if entry else entry_id)}: {count}")
        wordings = frequent_wordings(await self.store.unanswered_since(today - timedelta(days=30)))
        if wordings:
            lines.append(esc(r.t("Asked by several people, not answered:")))
            lines += [f"• {esc(text)} ({people})" for text, people in wordings[:20]]
        return Reply("\n".join(lines), (), r.lang)

    async def stats(self, who: Sender, days: int = 7) -> Reply:
        """For organisers: counts per day over the last week. Nothing about any one person."""
        await self.flush_counts()
        language = await self.language(who)
        r = self.assistant.renderer(language)
        since = self.clock().date() - timedelta(days=days - 1)
        rows = await self.store.counts_since(since)
        per_day: dict[str, dict[str, int]] = {}
        needs: Counter[str] = Counter()
        languages: Counter[str] = Counter()
        for day, metric, key, count in rows:
            if metric in ("questions", "answered", "crisis"):
                per_day.setdefault(day, {})[metric] = count
            elif metric == "need":
                needs[key] += count
            elif metric == "language":
                languages[key] += count
        head = r.t.plural("Questions in the last {days} day", "Questions in the last {days} days", days, days=days)
        lines = ["<b>" + esc(head) + "</b>"]
        for day, c in sorted(per_day.items()):
            asked, answered = c.get("questions", 0), c.get("answered", 0)
            share = r.t.number_text(f"{100 * answered / asked:.0f}%") if asked else "-"
            lines.append(
                esc(r.t("{day}: {asked} asked, {share} answered", day=r.t.number_text(day), asked=asked, share=share))
            )
        total = sum(c.get("questions", 0) for c in per_day.values())
        if not total:
            lines.append(esc(r.t("No questions yet.")))
        if needs:
            top = r.t.join(f"{need} {r.t.number(count)}" for need, count in needs.most_common(5))
            lines.append(esc(r.t("Needs most asked: {list}", list=top)))
        if languages:
            used = r.t.join(f"{lang} {r.t.number(count)}" for lang, count in languages.most_common())
            lines.append(esc(r.t("Languages: {list}", list=used)))
        return Reply("\n".join(lines), (), r.lang)

    def refuse(self, language: str = "en") -> Reply:
        """The reply to a non-admin who tried an organiser's command."""
        return self.assistant.notice("admins-only", language)

    def sorry(self, language: str = "en") -> Reply:
        return self.assistant.notice("sorry", language)

    def not_saved(self, language: str = "en") -> Reply:
        """The reply when a write did not reach the database: never "Done"."""
        r = self.assistant.renderer(language)
        return Reply(esc(r.t(NOT_SAVED)), (), r.lang)
