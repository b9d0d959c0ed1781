"""The one entry point the console, the `ask` command and Telegram share: message + user -> Reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.events import Occurrence, Window, next_occurrence, next_start, upcoming, whats_on
from bot.geo import nearest
from bot.i18n import N_, NATIVE_NAMES, answer_language, translator
from bot.knowledge import KnowledgeBase
from bot.language import Detection, detect
from bot.matching import Index, Match
from bot.replies import Button, Renderer, Reply, esc, ltr
from bot.schema import CRISIS_TOPICS, LANGUAGES, Coordinates, Event, Service

MAX_QUESTION = 2000
"""Characters of a message that are read; a longer message is answered from its beginning."""

MAX_LISTED = 12
"""Services listed when a need's button is tapped."""

UNREADABLE = {
    "voice": N_("I can't listen to voice messages yet: please write, or tap what you need."),
    "video": N_("I can't watch videos yet: please write, or tap what you need."),
    "photo": N_("I can't read pictures yet: please write what you need, or tap it below."),
    "document": N_("I can't read files yet: please write what you need, or tap it below."),
    "sticker": N_("Please write what you need in your own words, or tap it below."),
    "contact": N_("Thank you. I can only answer questions: write what you need, or tap it below."),
    "command": N_("I don't know that command. Write what you need in your own words, or tap it below."),
    "other": N_("I can only read written messages: please write what you need, or tap it below."),
}
"""What the bot says when it cannot read what was sent, by kind."""


@dataclass(frozen=True, slots=True)
class User:
    """What the bot may know of the person asking: only their language preferences."""

    chosen_language: str | None = None  # set with /language
    last_language: str | None = None  # the language of their previous message
    telegram_language: str | None = None  # from their Telegram settings


class Assistant:
    """Answers questions and button presses from one knowledge base."""

    def __init__(self, kb: KnowledgeBase, index: Index | None = None) -> None:
        self.kb = kb
        self.index = index or Index(kb)

    def language_for(self, text: str, user: User, detection: Detection | None = None) -> str:
        """The user's choice; else a confident guess from the message; else what we knew before."""
        if user.chosen_language in LANGUAGES:
            return user.chosen_language
        detection = detection or detect(text, self.index.words_by_language)
        if detection.confident:
            return detection.language
        for known in (user.last_language, user.telegram_language):
            if known in LANGUAGES:
                return known
        return detection.language

    def renderer(self, language: str) -> Renderer:
        return Renderer(self.kb, translator(answer_language(language)))

    def in_danger(self, text: str) -> bool:
        """Whether a message shows any sign of danger, certain or not: such a message is always answered."""
        text = text[:MAX_QUESTION]
        detection = detect(text, self.index.words_by_language)
        return self.index.danger(text, detection.language if detection.confident else None).evidence

    def unreadable(self, kind: str, language: str) -> Reply:
        """For what the bot cannot read (a voice note, a sticker, a photo without words): 999 first,
        because the person may be unable to write, then what to do instead."""
        r = self.renderer(language)
        lines = [r.emergency_line(), esc(r.t(UNREADABLE.get(kind, UNREADABLE["other"])))]
        buttons = list(r.need_menu())
        if kind in ("photo", "document"):
            letters = self.index.services_for("asylum-support")[:3]
            if letters:
                lines.append(esc(r.t("If it is a letter from the Home Office, they can help you read it:")))
                lines += [
                    f"• {r.name(s)}" + (f": {ltr(s.phone, r.lang)}{r.short_caution(s)}" if s.phone else "")
                    for s in letters
                ]
                buttons = [(Button(s.name, f"entry:{s.id}"),) for s in letters] + buttons
        return Reply("\n".join(lines), tuple(buttons), r.lang)

    def respond(self, text: str, now: datetime, user: User | None = None, language: str | None = None) -> Reply:
        """The reply to a message. `language` forces the reply language (else it is detected)."""
        user = user or User()
        text = text[:MAX_QUESTION]
        detection = detect(text, self.index.words_by_language)
        r = self.renderer(language or self.language_for(text, user, detection))
        ranking = self.index.rank(text, now, language=detection.language if detection.confident else None)
        u = ranking.understanding
        parts: list[str] = []
        buttons: list[tuple[Button, ...]] = []
        matches: list[Match] = []
        if u.crisis:
            parts.append(r.crisis(u.crisis))
            matches += [Match(h, 100.0) for h in r.crisis_helplines(u.crisis)]
        elif u.safety_check:
            # Some evidence of danger, not enough to be sure: ask, and still answer the rest.
            parts.append(r.safety_check())
            buttons.append(r.safety_buttons(u.safety_check))
        if u.events_question and not u.crisis:
            # "What events are coming up?": the list, whatever else scored.
            text, rows, shown = self._whats_on(r, now, u.windows, u.activities)
            return Reply(
                "\n\n".join([*parts, text]),
                (*buttons, *rows),
                r.lang,
                bool(u.safety_check),
                (*matches, *shown),
                safety_check=bool(u.safety_check),
            )
        if ranking.ambiguous:
            question, choices = r.did_you_mean(ranking.ambiguous)
            parts.append(question)
            buttons += choices
            matches += ranking.ambiguous
        elif ranking.matches:
            best = ranking.matches[0]
            named = best.entry.id in u.names
            need = None if named else best.need
            if u.unserved_places and need is not None:
                parts.append(r.unserved(u.unserved_places))
            parts.append(r.matches(ranking.matches, now, need))
            if isinstance(best.entry, Service) and best.entry.contact_count == 0 and (contact := r.human_contact()):
                parts.append(contact)  # no way to reach the one asked about: someone who can help find it
            if ranking.second is not None:
                parts.append(r.also(ranking.second, now))
            buttons += self._match_buttons(r, (*ranking.matches, *filter(None, [ranking.second])), need, now)
            matches += ranking.matches
            if ranking.second is not None:
                matches.append(ranking.second)
        unanswered = False
        danger = bool(u.crisis or u.safety_check)
        if not u.crisis and not ranking.ambiguous and not ranking.matches:
            if u.safety_check:
                pass  # the question is the answer: then what they need, from the menu
            elif (u.greeting or u.thanks) and not u.content:
                parts.append(r.greeting())
            elif ranking.tentative:
                # Understood in part: offered, not claimed (`matches` stays empty: no confident answer).
                parts.append(r.tentative(ranking.tentative, now))
                buttons += [(Button(m.entry.name, f"entry:{m.entry.id}"),) for m in ranking.tentative]
                unanswered = u.content
            else:
                parts.append(r.not_found())
                unanswered = u.content
            buttons += r.need_menu()
        return Reply(
            "\n\n".join(parts),
            tuple(buttons),
            r.lang,
            danger,
            tuple(matches),
            unanswered=unanswered,
            safety_check=bool(u.safety_check) and not u.crisis,
        )

    @staticmethod
    def _match_buttons(
        r: Renderer, matches: tuple[Match, ...], need: str | None, now: datetime
    ) -> list[tuple[Button, ...]]:
        rows: list[tuple[Button, ...]] = []
        if need is not None:
            need_model = r.kb.need(need)
            if need_model is not None:
                rows.append((Button(r.t("More: {need}", need=r.need_label(need_model)), f"need:{need}"),))
        for match in matches:
            if isinstance(match.entry, Event) and match.occurrence and not match.occurrence.is_past(now):
                rows.append(r.event_buttons(match.entry))
        rows.append((Button(r.t("Menu"), "menu"),))
        return rows

    @staticmethod
    def safety_answer(r: Renderer, value: str) -> Reply:
        """The answer to "Are you safe right now?": the crisis lines at once, or the menu."""
        if value == "yes":
            return Reply(esc(r.t("Thank you. If that changes, call 999 at any time.")), r.need_menu(), r.lang)
        topics = [t for t in value.removeprefix("no").strip(":").split(",") if t in CRISIS_TOPICS]
        return Reply(r.crisis(topics or ["violence"]), r.need_menu(), r.lang, emergency=True)

    def notice(self, kind: str, language: str, **values: object) -> Reply:
        r = self.renderer(language)
        return Reply(r.notice(kind, **values), (), r.lang)

    def help(self, language: str) -> Reply:
        r = self.renderer(language)
        return Reply(r.help(), r.need_menu(), r.lang)

    def privacy(self, language: str, logs_unanswered: bool = False) -> Reply:
        r = self.renderer(language)
        return Reply(r.privacy(logs_unanswered), ((Button(r.t("Delete my data"), "forget"),),), r.lang)

    def language_menu(self, language: str) -> Reply:
        r = self.renderer(language)
        buttons = [Button(NATIVE_NAMES[lang], f"lang:{lang}") for lang in LANGUAGES]
        return Reply(r.notice("choose-language"), tuple(tuple(buttons[i : i + 2]) for i in range(0, 8, 2)), r.lang)

    def events(self, now: datetime, language: str) -> Reply:
        """/events: the same answer as "what events are coming up?"."""
        r = self.renderer(language)
        text, rows, shown = self._whats_on(r, now)
        return Reply(text, rows, r.lang, matches=shown)

    def _whats_on(
        self, r: Renderer, now: datetime, windows: list[Window] | None = None, needs: list[str] | None = None
    ) -> tuple[str, tuple[tuple[Button, ...], ...], tuple[Match, ...]]:
        """The next occurrences (each with "Remind me"), the regular sessions with no day known, and,
        when nothing is upcoming, the last known events and their organisers to ask."""
        found = whats_on(self.kb.events, now, windows or (), needs or (), prefer=self.index.for_events)
        rows = [r.event_buttons(o.event, listed=True) for o in found.shown]
        for organiser in found.organisers:
            entry = self.kb.entry(organiser)
            if entry is not None:
                rows.append((Button(entry.name, f"entry:{entry.id}"),))
        rows.append((Button(r.t("Menu"), "menu"),))
        shown = tuple(Match(o.event, 100.0, o) for o in found.shown)
        return r.whats_on(found, self.kb.sessions, now), tuple(rows), shown

    def events_soon(self, now: datetime, days: int = 30) -> list[Occurrence]:
        """The next occurrence of each event in the next `days` days, soonest first."""
        seen: set[str] = set()
        soonest = []
        for occurrence in upcoming(self.kb.events, now, days):
            if occurrence.event.id not in seen:
                seen.add(occurrence.event.id)
                soonest.append(occurrence)
        return soonest

    def nearby(self, here: Coordinates, language: str) -> Reply:
        r = self.renderer(language)
        found = nearest(self.kb, here)
        if not found:
            return Reply(r.notice("no-nearby"), r.need_menu(), r.lang)
        rows = tuple((Button(n.organisation.name, f"entry:{n.organisation.id}"),) for n in found)
        return Reply(r.nearby(found), rows, r.lang)

    def calendar_file(self, event_id: str, language: str) -> Reply:
        """The event as an .ics file: phones add it to their calendar with one tap."""
        event = self.kb.entry(event_id)
        r = self.renderer(language)
        if not isinstance(event, Event):
            return Reply(r.notice("event-gone"), (), r.lang)
        from bot.calendar import event_ics  # icalendar is imported only when a file is asked for

        caption = esc(r.t("Open the file to add {name} to your calendar.", name=event.name))
        return Reply(caption, (), r.lang, document=(f"{event.id}.ics", event_ics(event)))

    def reminder_target(self, event_id: str, now: datetime) -> Occurrence | None:
        """The next occurrence a "Remind me" on this event is about; None if gone or past."""
        event = self.kb.entry(event_id)
        if not isinstance(event, Event):
            return None
        return next_start(event, now)

    def reminder(self, occurrence: Occurrence, now: datetime, language: str) -> str:
        return self.renderer(language).reminder(occurrence, now)

    def event_changed(self, name: str, old: datetime, new: Occurrence | None, language: str) -> str:
        return self.renderer(language).event_changed(name, old, new)

    def welcome(self, language: str) -> Reply:
        r = self.renderer(language)
        return Reply(r.greeting(), r.need_menu(), r.lang)

    def act(self, action: str, now: datetime, language: str = "en") -> Reply:
        """The reply to a tapped button ("need:food", "entry:gyros", "menu")."""
        r = self.renderer(language)
        menu = (Button(r.t("Menu"), "menu"),)
        kind, _, value = action.partition(":")
        if kind == "safe":
            return self.safety_answer(r, value)
        if kind == "need" and (need := self.kb.need(value)) is not None:
            services = self.index.services_for(need.id)[:MAX_LISTED]
            lines = ["<b>" + esc(r.t("Who can help with: {need}", need=r.need_label(need))) + "</b>"]
            lines += [
                f"• {esc(s.name)}" + (f" · 📞 {ltr(s.phone, r.lang)}{r.short_caution(s)}" if s.phone else "")
                for s in services
            ]
            rows = tuple((Button(s.name, f"entry:{s.id}"),) for s in services)
            return Reply("\n".join(lines), (*rows, menu), r.lang)
        if kind == "entry" and (entry := self.kb.entry(value)) is not None:
            if isinstance(entry, Event):
                occurrence = next_occurrence(entry, now)
                card = r.event_card(occurrence, now)
                if not occurrence.is_past(now):
                    return Reply(card, (r.event_buttons(entry), menu), r.lang)
            else:
                assert isinstance(entry, Service)
                card = r.service_card(entry, now)
                if entry.phone or entry.email:
                    broken = Button(r.t("A contact here did not work"), f"report:{entry.id}")
                    return Reply(card, ((broken,), menu), r.lang)
            return Reply(card, (menu,), r.lang)
        return self.welcome(language)
