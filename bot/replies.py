"""Rendering answers as replies: HTML text (Telegram's parse mode) plus buttons. No I/O.

Every value from the knowledge base or the user goes through `esc` (html.escape): a name with
"<" or "&" in it must show as written, never break the message or inject markup.
"""

from __future__ import annotations

import html
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.events import LONDON, Occurrence, WhatsOn
from bot.freshness import dated
from bot.geo import Nearby
from bot.hours import is_open, timetable
from bot.i18n import BABEL_LOCALES, FSI, LRI, N_, NP_, PDI, RTL, Translator
from bot.knowledge import KnowledgeBase
from bot.matching import Match
from bot.schema import Entry, Event, Helpline, Need, RegularSession, Service

MAX_MESSAGE = 4096  # Telegram's limit on one message's text
MAX_CALLBACK_DATA = 64  # Telegram's limit on a button's data, in bytes
__all__ = ["FSI", "LRI", "PDI", "Button", "Renderer", "Reply", "esc", "ltr", "plain_text", "split_message"]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str  # "need:food", "entry:bridge-plus", "menu" ... understood by Assistant.act


@dataclass(frozen=True)
class Reply:
    html: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    language: str = "en"
    emergency: bool = False
    matches: tuple[Match, ...] = field(default=(), compare=False)
    replace: bool = False  # a tapped button's answer that should replace the message it was under
    unanswered: bool = False  # a real question the bot had no answer for
    safety_check: bool = False  # some evidence of danger: the reply asks "Are you safe right now?"
    document: tuple[str, bytes] | None = field(default=None, compare=False)  # (file name, content) to attach

    @property
    def text(self) -> str:
        """The text as a reader sees it: tags removed, entities decoded."""
        return plain_text(self.html)

    def chunks(self, limit: int = MAX_MESSAGE) -> list[str]:
        return split_message(self.html, limit)


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def ltr(value: object, language: str) -> str:
    """Escape a value and, in a right-to-left reply, isolate it so numbers and links keep their order."""
    text = esc(value)
    return f"{LRI}{text}{PDI}" if language in RTL else text


def plain_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def split_message(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at line boundaries into pieces Telegram accepts; a line longer than the limit is cut."""
    pieces: list[str] = []
    current = ""
    for line in markup.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


_GLOSS = re.compile(r"\s*\((?:[a-z][^()]*|[\d ]+)\)$")


def proper_name(name: str) -> str:
    """The name as on the sign, without the English gloss a translation already gives in the
    reader's language: 'Leeway (domestic abuse support, Norfolk and Suffolk)' -> 'Leeway',
    'Emergency services (999)' -> 'Emergency services'; '(Hansos Unija)' is a name and stays."""
    return _GLOSS.sub("", name) or name


def phone_numbers(kb: KnowledgeBase) -> set[str]:
    """Every number the knowledge base gives to dial: the phones, and those a phone's note names
    ("112 also works", "Textphone: 18001 111"); keys to press ("option 2") are not numbers to dial."""
    numbers = {s.phone for s in kb.services if s.phone}
    for service in kb.services:
        note = service.phone_note.get("en", "") if service.phone_note else ""
        numbers.update(n for n in re.findall(r"\d+(?: \d+)*", note) if len(n.replace(" ", "")) >= 3)
    return numbers


_DIALLING: dict[tuple[int, str], Translator] = {}


def _dialling(kb: KnowledgeBase, t: Translator) -> Translator:
    """`t`, knowing the knowledge base's phone numbers: made once per knowledge base and language
    (a reply is rendered in a fraction of a millisecond; this would double it)."""
    if t.language == "en":
        return t
    key = (id(kb), t.language)
    if key not in _DIALLING:
        if not any(k[0] == id(kb) for k in _DIALLING):
            weakref.finalize(kb, _forget, id(kb))
        _DIALLING[key] = t.dialling(phone_numbers(kb))
    return _DIALLING[key]


def _forget(kb_id: int) -> None:
    for key in [k for k in _DIALLING if k[0] == kb_id]:
        del _DIALLING[key]


# Notices that hold a count: their English forms, and the name of the value that is the count.
COUNTED_NOTICES = {
    "remind-queued": (
        NP_(
            "The reminder of {name} is on its way to {count} subscriber.",
            "The reminder of {name} is on its way to {count} subscribers.",
        ),
        "count",
    ),
    "reload-failed": (
        NP_(
            "Nothing changed: the files have {count} problem, and the last good version still answers:",
            "Nothing changed: the files have {count} problems, and the last good version still answers:",
        ),
        "count",
    ),
    "no-events": (
        NP_("No events are listed for the next {days} day.", "No events are listed for the next {days} days."),
        "days",
    ),
}


class Renderer:
    """Writes replies in one language for one knowledge base."""

    def __init__(self, kb: KnowledgeBase, t: Translator) -> None:
        self.kb = kb
        self.t = _dialling(kb, t)
        self.lang = t.language
        self.locale = BABEL_LOCALES.get(self.lang, self.lang)

    # ---- small pieces -------------------------------------------------------------------

    def localised(self, texts: dict[str, str]) -> str:
        """The text in the reply's language; the English one, marked as such, if not translated."""
        if not texts:
            return ""
        if self.lang in texts:
            return esc(self.t.digits(texts[self.lang]))
        english = texts.get("en") or next(iter(texts.values()))
        if self.lang == "en":
            return esc(english)
        note = self.t("in English")  # not inside the f-string: Babel's extractor cannot see in there
        return f"{ltr(english, self.lang)} <i>({esc(note)})</i>"

    def note(self, texts: dict[str, str] | None) -> str:
        """' (note)' after a contact, in the reply's language; empty when there is none."""
        return f" ({self.localised(texts)})" if texts else ""

    def name(self, entry: Entry) -> str:
        """The name in bold; in another language, its translation first and the name as written after,
        for whoever reads the sign or answers the phone."""
        translated = entry.name_translations.get(self.lang)
        if translated and self.lang != "en":
            return f"<b>{esc(self.t.digits(translated))}</b> ({ltr(proper_name(entry.name), self.lang)})"
        return f"<b>{ltr(entry.name, self.lang)}</b>"

    def caution(self, entry: Entry) -> list[str]:
        return ["⚠️ " + self.localised(entry.caution)] if entry.caution else []

    def short_caution(self, entry: Entry) -> str:
        """' ⚠️ caution' after a line that shows a number where a whole card does not fit: the short
        form in the reply's language, else the whole caution in it, else the short form in English."""
        short, full = entry.caution_short or {}, entry.caution or {}
        if not full:
            return ""
        if self.lang in short or self.lang not in full:
            return " ⚠️ " + self.localised(short or full)
        return " ⚠️ " + self.localised(full)

    def need_label(self, need: Need) -> str:
        return self.t.digits(need.label.get(self.lang) or need.label["en"])

    def day(self, value: date, weekday: bool = True) -> str:
        return self.t.day(value, weekday)

    def clock(self, value: datetime | time) -> str:
        return self.t.clock(value)

    def day_and_time(self, value: datetime, end: datetime | None = None) -> str:
        """'Tuesday 3 February 2026, 18:00–20:30' in London time: the date in the language's words and
        order, each time kept whole (left-to-right) inside right-to-left text."""
        local = value.astimezone(LONDON)
        times = self.t.isolate(self.clock(local))
        if end is not None:
            times += "–" + self.t.isolate(self.clock(end.astimezone(LONDON)))
        return self.t.join([self.day(local.date()), times])

    def checked(self, entry: Entry) -> str:
        """How old the card's information is, and "checked" only where a volunteer checked it."""
        sentences = dated(entry, self.t, self.locale, isolate=self.isolate)
        return "<i>" + " ".join(esc(self.t.digits(sentence)) for sentence in sentences) + "</i>"

    def isolate(self, value: str) -> str:
        """A left-to-right value (a web site) kept in one piece inside a right-to-left reply."""
        return f"{LRI}{value}{PDI}" if self.lang in RTL else value

    def hours(self, service: Service, now: datetime) -> list[str]:
        lines: list[str] = []
        if service.open_24_7:
            lines.append("🕘 " + esc(self.t("Open 24 hours, every day")))
        elif service.opening_hours:
            state = is_open(service, now)
            status = self.t("open now") if state else self.t("closed now")
            lines.append("🕘 " + esc(timetable(service.opening_hours, self.t)) + f" ({esc(status)})")
        if service.hours_note:
            lines.append("🕘 " + self.localised(service.hours_note))
        return lines

    def contacts(self, service: Service) -> list[str]:
        lines = []
        if service.phone:
            lines.append(f"📞 {ltr(service.phone, self.lang)}{self.note(service.phone_note)}")
        if service.email:
            lines.append(f"✉️ {ltr(service.email, self.lang)}{self.note(service.email_note)}")
        if service.website:
            lines.append(f"🌐 {ltr(service.website, self.lang)}")
        if service.address:
            lines.append(f"📍 {ltr(service.address, self.lang)}{self.note(service.address_note)}")
        return lines

    # ---- cards --------------------------------------------------------------------------

    def service_card(self, service: Service, now: datetime, need: str | None = None, full: bool = True) -> str:
        note = service.need_notes.get(need) if need else None
        lines = [self.name(service)]
        lines.append(self.localised(note) if note and not full else self.localised(service.description))
        if note and full:
            lines.append(self.localised(note))
        lines += self.contacts(service)
        lines += self.hours(service, now)
        if full and service.languages_note:
            lines.append("🗣 " + self.localised(service.languages_note))
        lines += self.caution(service)
        lines.append(self.checked(service))
        return "\n".join(lines)

    def event_card(self, occurrence: Occurrence, now: datetime) -> str:
        event = occurrence.event
        lines = self._event_head(occurrence, now)
        organiser = self.kb.entry(event.organiser) if event.organiser else None
        if organiser is not None:
            lines.append("👥 " + esc(self.t("Organised by {name}", name=organiser.name)))
        lines.append(self.localised(event.description))
        if event.booking:
            lines.append("🎟 " + self.localised(event.booking))
        lines += self.caution(event)
        lines.append(self.checked(event))
        return "\n".join(lines)

    def event_line(self, occurrence: Occurrence, now: datetime) -> str:
        """An event in a list: its name, date, place and caution (the card has the rest)."""
        return "\n".join([*self._event_head(occurrence, now), *self.caution(occurrence.event)])

    def _event_head(self, occurrence: Occurrence, now: datetime) -> list[str]:
        event = occurrence.event
        lines = [self.name(event)]
        start, end = occurrence.start.astimezone(LONDON), occurrence.end.astimezone(LONDON)
        if occurrence.all_day:
            last = end.date().toordinal() - 1
            when = self.day(start.date())
            if last > start.date().toordinal():
                when = f"{when} – {self.day(date.fromordinal(last))}"
        else:
            when = self.day_and_time(start, end if event.end is not None else None)
        lines.append("📅 " + esc(when))
        if occurrence.is_past(now):
            lines.append("⏳ " + esc(self.t("This event has already taken place.")))
        if event.online:
            lines.append("💻 " + esc(self.t("Online")))
        if event.venue or event.address:
            place = ", ".join(x for x in (event.venue, event.address) if x)
            lines.append("📍 " + ltr(place, self.lang))
        return lines

    def card(self, match: Match, now: datetime, full: bool) -> str:
        entry = match.entry
        if isinstance(entry, Event):
            assert match.occurrence is not None
            return self.event_card(match.occurrence, now)
        assert isinstance(entry, Service)
        return self.service_card(entry, now, match.need, full=full)

    # ---- whole replies ------------------------------------------------------------------

    def need_menu(self) -> tuple[tuple[Button, ...], ...]:
        buttons = [Button(self.need_label(n), f"need:{n.id}") for n in self.kb.needs if n.id != "emergency"]
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def human_contact(self) -> str:
        contacts = [s for s in self.kb.services if s.human_contact]
        if not contacts:
            return ""
        lines = [esc(self.t("To talk to a person:"))]
        for s in contacts:
            if s.phone:
                reach = f": {ltr(s.phone, self.lang)}{self.note(s.phone_note)}"
            else:
                reach = f": {ltr(s.website, self.lang)}" if s.website else ""
            lines.append(f"• {self.name(s)}{reach}{self.short_caution(s)}")
        return "\n".join(lines)

    def emergency_line(self) -> str:
        """The first line of every reply that may be about danger."""
        return "🚨 <b>" + esc(self.t("If you or someone else is in danger now, call 999.")) + "</b>"

    def crisis(self, topics: Sequence[str]) -> str:
        """Emergency numbers, first in the reply: 999 (and how to call it silently), then the lines for
        what the message is about, each with its caution, and who offers interpreters."""
        lines = [self.emergency_line()]
        lines.append(esc(self.t("It is free from any phone, 24 hours a day. Ask for police or ambulance.")))
        emergency = next((h for h in self.kb.helplines if h.phone == "999"), None)
        if emergency and emergency.phone_note:
            lines.append("🤫 " + self.localised(emergency.phone_note))
        shown = [line for line in self.crisis_helplines(topics) if line is not emergency]
        for line in shown:
            lines.append(self.crisis_line(line))
            lines += ["   " + caution for caution in self.caution(line)]
        for interpreting in ([emergency] if emergency else []) + shown:
            if interpreting.languages_note:
                phone = ltr(interpreting.phone, self.lang)
                lines.append(f"🗣 <b>{phone}</b>: {self.localised(interpreting.languages_note)}")
        return "\n".join(lines)

    def crisis_line(self, line: Helpline) -> str:
        phone = ltr(line.phone, self.lang) if line.phone else ""
        always = self.t("24 hours")
        hours = f" · {esc(always)}" if line.open_24_7 else ""
        return f"☎️ {self.name(line)}: {phone}{self.note(line.phone_note)}{hours}"

    def safety_check(self) -> str:
        """For a message that may be about danger: the 999 line, then the question."""
        return "\n".join(
            [
                self.emergency_line(),
                esc(self.t("It is free from any phone, 24 hours a day. Ask for police or ambulance.")),
                "<b>" + esc(self.t("Are you safe right now?")) + "</b>",
            ]
        )

    def safety_buttons(self, topics: Sequence[str]) -> tuple[Button, ...]:
        urgent = "safe:no:" + ",".join(topics)
        while len(urgent.encode()) > MAX_CALLBACK_DATA:  # Telegram's limit: keep the topics that fit
            urgent = urgent.rsplit(",", 1)[0] if "," in urgent else "safe:no:"
        return (Button(self.t("I am safe"), "safe:yes"), Button(self.t("I need help now"), urgent))

    def crisis_helplines(self, topics: Iterable[str]) -> list[Helpline]:
        """The lines for these topics, in the order of the topics (the clearest danger first)."""
        found: dict[str, Helpline] = {}
        for topic in topics:
            found.update((h.id, h) for h in self.kb.helplines if topic in h.crisis_topics and h.id not in found)
        return list(found.values())

    def greeting(self) -> str:
        return "\n".join(
            [
                esc(self.t("Hello! I can help you find free help in Norfolk.")),
                esc(self.t("Write what you need in your own words, or tap a button below.")),
            ]
        )

    def not_found(self) -> str:
        lines = [
            esc(self.t("Sorry, I did not understand that, or I have no information about it.")),
            esc(self.t("Try other words, or tap what you need below.")),
        ]
        contact = self.human_contact()
        if contact:
            lines += ["", contact]
        return "\n".join(lines)

    def matches(self, matches: Sequence[Match], now: datetime, need: str | None) -> str:
        """Up to three cards; the first in full when it was asked for by name."""
        parts: list[str] = []
        need_model = self.kb.need(need) if need else None
        if need_model is not None and len(matches) > 1:
            parts.append(esc(self.t("Who can help with: {need}", need=self.need_label(need_model))))
        for i, match in enumerate(matches):
            parts.append(self.card(match, now, full=(i == 0 and need is None)))
        return "\n\n".join(parts)

    def unserved(self, place_ids: Sequence[str]) -> str:
        """Said before the answer when nobody listed serves the town asked about for this need."""
        names = [place.name for p in place_ids if (place := self.kb.place(p)) is not None]
        text = self.t("I have nobody listed in {place} for this. These may still help:", place=", ".join(names))
        return esc(text)

    def also(self, match: Match, now: datetime) -> str:
        """The best for a second need the message asks for, under its own heading."""
        need = self.kb.need(match.need) if match.need else None
        heading = self.t("And for: {need}", need=self.need_label(need)) if need else self.t("And also:")
        return f"<b>{esc(heading)}</b>\n" + self.card(match, now, full=False)

    def tentative(self, matches: Sequence[Match], now: datetime) -> str:
        """Entries for a need understood only in part: offered as a question, with the menu below."""
        parts = [esc(self.t("Is this what you need?"))]
        parts += [self.card(match, now, full=False) for match in matches]
        parts.append(esc(self.t("If not, try other words, or tap what you need below.")))
        return "\n\n".join(parts)

    def notice(self, kind: str, **values: object) -> str:
        """A short message the bot says about itself; `kind` names it (see the keys below)."""
        texts = {
            "subscribed": N_("You will get reminders of upcoming events. Send /unsubscribe to stop them."),
            "already-subscribed": N_("You are already subscribed to event reminders. Send /unsubscribe to stop them."),
            "unsubscribed": N_("You will get no more event reminders."),
            "not-subscribed": N_("You were not subscribed to event reminders."),
            "forgotten": N_("Done: I have deleted everything I kept about you. You can go on asking questions."),
            "slow-down": N_("You are sending messages very fast. Please wait a minute, then ask again."),
            "sorry": N_("Sorry, something went wrong on my side. Please try again in a moment."),
            "broadcast-usage": N_("Write the message after the command: /broadcast The food bank is closed on Monday."),
            "broadcast-cancelled": N_("Cancelled: nothing was sent."),
            "broadcast-not-draft": N_("This broadcast was already sent or cancelled."),
            "no-broadcasts": N_("No broadcasts yet."),
            "remind-usage": N_("Write the id of an upcoming event after the command, for example: /remind {example}"),
            "reloaded": N_("Knowledge reloaded: {summary}"),
            "report-thanks": N_(
                "Thank you for telling us. A volunteer will check it. Meanwhile, another way to reach them may work."
            ),
            "admins-only": N_("Sorry, only the bot's organisers can use this command."),
            "reminder-set": N_("I will remind you about {name} about two hours before it starts."),
            "reminder-already": N_("You already asked for a reminder about {name}."),
            "event-gone": N_("Sorry, that event is no longer listed."),
            "language-set": N_("I will answer in {language_name} from now on."),
            "choose-language": N_("Choose the language for my answers:"),
            "send-location": N_("Share your location with the 📎 button to see the nearest organisations."),
            "no-nearby": N_("I do not know where the organisations near you are. Tell me your town instead."),
        }
        if kind in COUNTED_NOTICES:
            (singular, plural), counter = COUNTED_NOTICES[kind]
            n = values[counter]
            assert isinstance(n, int), f"{kind} needs the number {counter}"
            return esc(self.t.plural(singular, plural, n, **values))
        return esc(self.t(texts[kind], **values))

    def privacy(self, logs_unanswered: bool = False) -> str:
        """Exactly what is stored; the first promise depends on whether an editor switched on the
        anonymised log of unanswered questions."""
        t = self.t
        written = (
            t(
                "Questions I could not answer are kept for 30 days without anything that shows who asked, "
                "to help volunteers improve me."
            )
            if logs_unanswered
            else t("I do not keep what you write to me.")
        )
        return "\n".join(
            [
                "<b>" + esc(t("What I keep about you")) + "</b>",
                esc(written),
                esc(
                    t(
                        "If you choose a language or subscribe to reminders, I keep your chat number, your language "
                        "and whether you want reminders, until you send /forget."
                    )
                ),
                esc(t("If you tap 'Remind me' on an event, I keep that until the event has passed.")),
                esc(t("Send /forget at any time and I delete all of it at once.")),
            ]
        )

    def help(self) -> str:
        t = self.t
        lines = [
            "<b>" + esc(t("How to use this bot")) + "</b>",
            esc(
                t(
                    "Write what you need in your own words and in your own language, for example: "
                    "'I need a solicitor' or 'free food in Norwich'."
                )
            ),
            esc(t("Or tap a button below. Share your location to see the nearest organisations.")),
            esc(
                t(
                    "Commands: /events upcoming events, /subscribe event reminders, /language change language, "
                    "/privacy what I keep, /forget delete it."
                )
            ),
        ]
        contact = self.human_contact()
        if contact:
            lines += ["", contact]
        return "\n".join(lines)

    def nearby(self, found: Sequence[Nearby]) -> str:
        lines = ["<b>" + esc(self.t("Nearest to you:")) + "</b>"]
        for item in found:
            org = item.organisation
            km = max(1, round(item.km))
            where = (
                self.t("about {km} km away (centre of {town})", km=km, town=item.town.name)
                if item.town is not None
                else self.t("about {km} km away", km=km)
            )
            lines.append(f"\n<b>{esc(org.name)}</b> · {esc(where)}")
            lines += self.contacts(org)
            lines += self.caution(org)
        return "\n".join(lines)

    def whats_on(self, found: WhatsOn, sessions: Sequence[RegularSession], now: datetime) -> str:
        """The answer to "what is on?": what comes next, or that nothing is known, what there was
        and whom to ask; then the regular sessions whose days nobody gave."""
        parts: list[str] = []
        if found.shown:
            if found.outside_window:
                head = self.t("Nothing is listed for the days you asked about. These are the next ones:")
            else:
                head = self.t("Coming up:")
            parts.append("<b>" + esc(head) + "</b>")
            parts += [self.event_line(o, now) for o in found.shown]
        else:
            parts.append("<b>" + esc(self.t("No upcoming events are known.")) + "</b>")
            if found.last:
                parts.append(esc(self.t("The last ones we know of:")))
                parts += [self.event_line(o, now) for o in found.last]
            organisers = [e for i in found.organisers if isinstance(e := self.kb.entry(i), Service)]
            if organisers:
                parts.append(esc(self.t("To find out what is on next, ask them:")))
                parts += ["\n".join([self.name(o), *self.contacts(o), *self.caution(o)]) for o in organisers]
        if sessions:
            parts.append("<b>" + esc(self.t("Also regular, on days we do not know (ask them):")) + "</b>")
            parts += [self.session_card(s) for s in sessions]
        return "\n\n".join(parts)

    def session_card(self, session: RegularSession) -> str:
        """A session with no day known: what it is, how often, where, who runs it and its caution."""
        lines = [self.name(session), "🔁 " + self.localised(session.usually)]
        if session.venue or session.address:
            lines.append(
                "📍 " + ltr(", ".join(x for x in dict.fromkeys((session.venue, session.address)) if x), self.lang)
            )
        organiser = self.kb.entry(session.organiser)
        if organiser is not None:
            lines.append("👥 " + esc(self.t("Organised by {name}", name=organiser.name)))
        lines.append(self.localised(session.description))
        lines += self.caution(session)
        lines.append(self.checked(session))
        return "\n".join(lines)

    def reminder(self, occurrence: Occurrence, now: datetime) -> str:
        return "⏰ <b>" + esc(self.t("Reminder")) + "</b>\n\n" + self.event_card(occurrence, now)

    def event_changed(self, name: str, old: datetime, new: Occurrence | None) -> str:
        when = self.day_and_time(old)
        lines = ["⚠️ " + esc(self.t("{name} is no longer on {when}.", name=name, when=when))]
        if new is None:
            lines.append(esc(self.t("It has been cancelled or is no longer listed. /events shows what is on.")))
        else:
            new_when = self.day_and_time(new.start)
            lines.append(esc(self.t("The next one is on {when}. I will remind you before it.", when=new_when)))
        return "\n".join(lines)

    def broadcast_preview(self, text: str, recipients: int) -> str:
        head = esc(
            self.t.plural(
                "Send this message to {count} subscriber?", "Send this message to {count} subscribers?", recipients,
                count=recipients,
            )
        )  # fmt: skip
        return f"<b>{head}</b>\n\n{text}"

    def broadcast_progress(self, text: str, counts: dict[str, int], recipients: int, finished: bool) -> str:
        sent = counts.get("sent", 0)
        done = sum(counts.values()) - counts.get("pending", 0)
        if finished:
            head = self.t(
                "Broadcast finished: {sent} delivered, {blocked} blocked the bot, {failed} failed.",
                sent=sent,
                blocked=counts.get("blocked", 0),
                failed=counts.get("failed", 0) + counts.get("ambiguous", 0) + counts.get("expired", 0),
            )
        else:
            head = self.t("Sending: {done} of {total} done, {sent} delivered.", done=done, total=recipients, sent=sent)
        return f"<b>{esc(head)}</b>\n\n{text}"

    def event_buttons(self, event: Event, listed: bool = False) -> tuple[Button, ...]:
        """Remind me and Add to calendar; in a list, after the event's name, which opens its card."""
        if listed:
            return (
                Button(event.name, f"entry:{event.id}"),
                Button("⏰", f"remind:{event.id}"),
                Button("📅", f"ics:{event.id}"),
            )
        return (
            Button("⏰ " + self.t("Remind me"), f"remind:{event.id}"),
            Button("📅 " + self.t("Add to calendar"), f"ics:{event.id}"),
        )

    def did_you_mean(self, matches: Sequence[Match]) -> tuple[str, tuple[tuple[Button, ...], ...]]:
        text = esc(self.t("Did you mean one of these?"))
        buttons = tuple((Button(m.entry.name, f"entry:{m.entry.id}"),) for m in matches)
        return text, buttons
