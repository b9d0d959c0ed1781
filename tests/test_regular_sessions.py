"""Regular sessions as repeating events, and "what is on?" questions answered with them."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.assistant import Assistant
from bot.calendar import calendar_ics
from bot.events import LONDON
from bot.i18n import translator
from bot.knowledge import KnowledgeBase, check, load
from bot.reminders import Request, due_reminders
from bot.replies import Reply
from bot.schema import Event, RegularSession
from tests.conftest import KNOWLEDGE, Editable

WINTER = datetime(2026, 12, 4, 12, 0, tzinfo=LONDON)  # a Friday, the date of issue 13's check
DATED = {
    "english-plus-wednesday-classes": "Every Wednesday as of June 2024",
    "english-plus-conversation-cafe": "Wednesday evenings in term time as of December 2023",
    "zainab-project-thursday-cafe": "Every Thursday, 11am to 6pm, as of February 2023",
    "ncls-legal-advice-sessions": "Tuesdays and Fridays as of February 2020",
}
QUESTIONS = {
    "en": ["what events are coming up", "what's on this week", "any activities this weekend"],
    "ar": ["ما هي الفعاليات القادمة", "شو في نشاطات هالأسبوع"],
    "fa": ["چه رویدادهایی در پیش است", "این هفته چه برنامه‌هایی هست"],
    "uk": ["які заходи найближчим часом", "що відбувається цього тижня"],
    "ps": ["کوم پروګرامونه راروان دي", "دا اونۍ کوم فعالیتونه شته"],
    "ku": ["چ بۆنەیەک لە داهاتوودا هەیە", "ئەم هەفتەیە چی هەیە"],
    "ti": ["ዝመጽእ ፍጻመታት እንታይ ኣሎ", "ኣብዚ ሰሙን እንታይ ኣሎ"],
    "fr": ["quels sont les événements à venir", "qu'est-ce qu'il y a cette semaine", "des activités ce week-end"],
}


def actions(reply: Reply) -> list[str]:
    return [button.action for row in reply.buttons for button in row]


def test_events_lists_the_regular_sessions_with_their_cautions(assistant: Assistant) -> None:
    reply = assistant.events(WINTER, "en")
    shown = [m.entry.id for m in reply.matches]
    assert set(DATED) <= set(shown)
    for event_id, caution in DATED.items():
        assert caution in reply.text, event_id
    assert "Wednesday 9 December 2026" in reply.text
    assert "Thursday 10 December 2026, 11:00–18:00" in reply.text
    assert shown[-1] == "ncls-legal-advice-sessions"  # activities first, then the advice sessions
    for session in assistant.kb.sessions:  # no day known: listed to ask about, with their caution
        assert session.name in reply.text
        assert session.caution is not None and session.caution["en"] in reply.text
    assert f"remind:{shown[0]}" in actions(reply)
    assert "already taken place" not in reply.text


@pytest.mark.parametrize(("language", "question"), [(lang, q) for lang, qs in QUESTIONS.items() for q in qs])
def test_what_is_on_is_answered_with_the_events_in_each_language(
    assistant: Assistant, language: str, question: str
) -> None:
    reply = assistant.respond(question, WINTER)
    assert reply.language == language
    assert reply.matches and all(isinstance(m.entry, Event) for m in reply.matches)
    assert "english-plus-wednesday-classes" in [m.entry.id for m in reply.matches]
    t = translator(language)
    heads = (t("Coming up:"), t("Nothing is listed for the days you asked about. These are the next ones:"))
    assert any(head in reply.text for head in heads), reply.text[:200]
    assert t("Also regular, on days we do not know (ask them):") in reply.text


def test_activities_on_a_weekend_with_none_give_the_next_ones(assistant: Assistant) -> None:
    reply = assistant.respond("any activities this weekend", WINTER)  # Saturday and Sunday: none
    assert reply.text.startswith("Nothing is listed for the days you asked about.")
    shown = [m.entry.id for m in reply.matches]
    assert shown[0] == "english-plus-wednesday-classes"
    assert "ncls-legal-advice-sessions" not in shown  # asked for activities, not advice


@pytest.mark.parametrize(
    "question",
    [
        "activities for children",  # a need of its own: those who serve it
        "free food today",
        "I'm scared today",  # a day, but not a question about what is on
        "when is the city of sanctuary party?",  # named: that event
        "hello",
    ],
)
def test_other_questions_are_not_events_questions(assistant: Assistant, question: str) -> None:
    assert not assistant.index.understand(question, WINTER).events_question


@pytest.fixture(scope="module")
def all_past(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The shipped knowledge base without the regular sessions: every event in it is over."""
    folder = tmp_path_factory.mktemp("past") / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / "regular-sessions.yaml").unlink()
    return Assistant(load(folder))


def test_with_every_event_past_it_says_so_shows_the_last_ones_and_whom_to_ask(all_past: Assistant) -> None:
    for reply in (all_past.respond("what events are coming up", WINTER), all_past.events(WINTER, "en")):
        text = reply.text
        assert text.startswith("No upcoming events are known.")
        assert "The last ones we know of:" in text
        assert "Refugee Week Norwich 2024" in text and "Monday 10 June 2024" in text
        assert "City of Sanctuary annual celebration 2024" in text and "Monday 5 February 2024" in text
        assert "Migration Matters" in text  # its organiser is in no source: shown, nobody named to ask
        assert text.count("This event has already taken place.") == 3
        ask = text.split("To find out what is on next, ask them:")[1]
        assert "Norwich City of Sanctuary" in ask and "https://norwich.cityofsanctuary.org" in ask
        assert "New Routes Integration" in ask
        assert {"entry:norwich-city-of-sanctuary", "entry:new-routes"} <= set(actions(reply))
        assert not any(a.startswith("remind:") for a in actions(reply))
        assert reply.matches == ()


def _calendar_starts(kb: KnowledgeBase, now: datetime) -> dict[str, datetime]:
    """The first start at or after the current day of each event in the exported calendar, read back
    with icalendar and expanded from its RRULE text by dateutil: not through bot/events.py."""
    found: dict[str, datetime] = {}
    for vevent in Calendar.from_ical(calendar_ics(kb.events, now)).walk("VEVENT"):
        start = vevent.decoded("DTSTART")
        all_day = not isinstance(start, datetime)
        first = datetime.combine(start, time.min) if all_day else start.astimezone(LONDON).replace(tzinfo=None)
        after = (now.astimezone(LONDON).replace(tzinfo=None)) - (timedelta(days=1) if all_day else timedelta(0))
        if "RRULE" in vevent:
            rule = rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=first)
            nxt = rule.after(after, inc=True)
            assert nxt is not None
            first = nxt
        found[str(vevent["UID"]).split("@")[0]] = first.replace(tzinfo=LONDON)
    return found


def test_the_calendar_and_ask_show_the_same_occurrences(assistant: Assistant) -> None:
    calendar = _calendar_starts(assistant.kb, WINTER)
    reply = assistant.respond("what events are coming up", WINTER)
    asked = {m.entry.id: m.occurrence.start for m in reply.matches if m.occurrence is not None}
    assert set(DATED) <= set(asked)
    assert asked == {event_id: calendar[event_id] for event_id in asked}
    assert set(calendar) == set(DATED)  # every other event is over; sessions with no day have no dates


def test_a_session_with_no_day_has_no_dates(kb: KnowledgeBase) -> None:
    assert len(kb.sessions) == 4
    for session in kb.sessions:
        assert isinstance(session, RegularSession)
        assert kb.entry(session.id) is None  # never a card, a reminder or a calendar entry
    raw = calendar_ics(kb.events, WINTER)
    assert all(session.name.encode() not in raw for session in kb.sessions)


def test_remind_me_during_a_session_is_for_the_next_one(assistant: Assistant) -> None:
    during = datetime(2026, 12, 10, 12, 0, tzinfo=LONDON)  # Thursday, the café is open
    target = assistant.reminder_target("zainab-project-thursday-cafe", during)
    assert target is not None and target.start == datetime(2026, 12, 17, 11, 0, tzinfo=LONDON)


def test_a_session_needs_usually_and_a_known_organiser(editable: Editable) -> None:
    editable.write(
        "sessions.yaml",
        "sessions:\n"
        "  - id: lunch\n"
        "    name: Lunch\n"
        "    organiser: nobody-here\n"
        "    description: A lunch.\n"
        "    sources: [https://example.org.uk]\n"
        "    information_from: 2024-01-01\n",
    )
    kb, problems = check(editable.path)
    assert kb is None
    messages = [str(p) for p in problems]
    assert any("sessions.yaml:2" in m and "usually" in m for m in messages), messages
    editable.replace("sessions.yaml", "    description:", "    usually: Every week\n    description:")
    kb, problems = check(editable.path)
    assert kb is None
    assert any("organiser 'nobody-here' is not an organisation id" in str(p) for p in problems)


def test_the_dated_sessions_start_on_their_own_day(kb: KnowledgeBase) -> None:
    events = {e.id: e for e in kb.events}
    assert events["english-plus-wednesday-classes"].start == date(2024, 6, 5)  # the first Wednesday of June 2024
    assert events["english-plus-wednesday-classes"].all_day  # no time was given: none is invented
    assert events["ncls-legal-advice-sessions"].all_day
    assert not events["zainab-project-thursday-cafe"].all_day


def test_subscribers_are_not_told_of_every_week_of_a_session(kb: KnowledgeBase) -> None:
    tuesday_evening = datetime(2026, 12, 8, 18, 0, tzinfo=LONDON)  # English+ and the café: Wednesday
    requests = [Request(7, "english-plus-wednesday-classes", "2026-12-09T00:00:00+00:00")]
    queued, moved = due_reminders(
        kb,
        [(5, "en"), (7, "en")],
        requests,
        datetime(2026, 12, 9, 0, 0, tzinfo=LONDON) - timedelta(hours=2, minutes=30),
        day_before=time(18, 0),
        reminder_text=lambda o, _: o.event.name,
        changed_text=lambda *_: "changed",
    )
    assert moved == []
    assert [(q.chat_id, q.key.split(":")[0]) for q in queued] == [(7, "two-hours")]  # asked: reminded
    later, _ = due_reminders(
        kb, [(5, "en")], [], tuesday_evening, day_before=time(18, 0), reminder_text=lambda o, _: "", changed_text=str
    )
    assert later == []
