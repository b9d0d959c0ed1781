"""How questions become replies, on a small fixture knowledge base with known contents."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.assistant import Assistant
from bot.replies import MAX_MESSAGE, split_message
from tests.conftest import NOW


def top(assistant: Assistant, text: str) -> str | None:
    reply = assistant.respond(text, NOW)
    return reply.matches[0].entry.id if reply.matches else None


def test_need_words_find_the_service(mini: Assistant) -> None:
    assert top(mini, "I am hungry, where can I get food") == "food-place"


def test_typos_are_tolerated(mini: Assistant) -> None:
    assert top(mini, "foood bank") == "food-place"
    assert top(mini, "nowhere to sleeep") in {"county-housing", "yarmouth-advice"}


def test_exclude_words_stop_a_misleading_match(mini: Assistant) -> None:
    assert top(mini, "best fast food") is None
    assert top(mini, "home office") is None


def test_a_named_town_prefers_the_local_service(mini: Assistant) -> None:
    assert top(mini, "housing in great yarmouth") == "yarmouth-advice"
    assert top(mini, "help for refugees in great yarmouth") == "yarmouth-advice"


def test_out_of_scope_question_abstains_and_offers_a_person(mini: Assistant) -> None:
    reply = mini.respond("what's the weather tomorrow", NOW)
    assert reply.matches == ()
    assert "Listening Line" in reply.text
    assert "116 123" in reply.text
    assert reply.buttons, "the menu of needs is offered"


def test_greeting_gets_the_menu_not_a_match(mini: Assistant) -> None:
    reply = mini.respond("hello", NOW)
    assert reply.matches == ()
    assert {b.action for row in reply.buttons for b in row} >= {"need:food", "need:housing"}


def test_crisis_puts_999_first(mini: Assistant) -> None:
    reply = mini.respond("I want to kill myself", NOW)
    assert reply.emergency
    assert reply.text.splitlines()[0].startswith("🚨")
    assert "999" in reply.text.splitlines()[0]
    assert "116 123" in reply.text


def test_crisis_and_need_together_keeps_the_answer_after_the_numbers(mini: Assistant) -> None:
    reply = mini.respond("my husband hits me and I have nowhere to sleep", NOW)
    assert reply.emergency
    assert reply.text.index("999") < reply.text.index("County Housing Team")


def test_named_entry_wins_with_typos(mini: Assistant) -> None:
    assert top(mini, "pantyr opening times") == "food-place" or top(mini, "pantry opening times") == "food-place"


def test_card_shows_contacts_hours_and_how_old_the_information_is(mini: Assistant) -> None:
    text = mini.respond("pantry", NOW).text
    for piece in ("01603 000000", "food@example.org.uk", "https://example.org.uk/food", "1 Test Street", "Mon–Fri"):
        assert piece in text
    assert "open now" in text  # Thursday 1 February 2024, noon
    assert "Information from 15 January 2024 (example.org.uk)." in text
    assert "hecked" not in text  # nobody confirmed the pantry's details with it


def test_caution_is_shown(mini: Assistant) -> None:
    assert "call before you travel" in mini.respond("yarmouth advice hub", NOW).text


def test_html_from_the_knowledge_base_is_escaped(mini: Assistant) -> None:
    reply = mini.respond("pantry", NOW)
    assert "Food &amp; &lt;Friends&gt; Pantry" in reply.html
    assert "&lt;b&gt;hot&lt;/b&gt;" in reply.html
    assert "Food & <Friends> Pantry" in reply.text


def test_user_html_is_never_echoed_raw(mini: Assistant) -> None:
    reply = mini.respond("<script>alert(1)</script> food", NOW)
    assert "<script>" not in reply.html


def test_event_by_name_with_date_and_time(mini: Assistant) -> None:
    reply = mini.respond("when is the welcome party", NOW)
    assert reply.matches[0].entry.id == "winter-party"
    assert "Monday 5 February 2024, 18:00–20:30" in reply.text


def test_event_window_this_week(mini: Assistant) -> None:
    assert top(mini, "any party this week?") == "winter-party"


def test_past_event_is_said_to_be_past(mini: Assistant) -> None:
    from datetime import timedelta

    reply = mini.respond("welcome party", NOW + timedelta(days=30))
    assert reply.matches[0].entry.id == "winter-party"
    assert "already taken place" in reply.text


def test_buttons_open_a_need_and_a_card(mini: Assistant) -> None:
    listing = mini.act("need:housing", NOW)
    actions = {b.action for row in listing.buttons for b in row}
    assert "entry:county-housing" in actions
    card = mini.act("entry:county-housing", NOW)
    assert "0344 000 0000" in card.text


def test_unknown_button_falls_back_to_the_menu(mini: Assistant) -> None:
    assert mini.act("entry:does-not-exist", NOW).buttons


def test_a_10000_character_message_is_answered(mini: Assistant) -> None:
    reply = mini.respond("food " + "x" * 9995, NOW)
    assert reply.text
    assert reply.matches


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=10_000))
def test_any_text_gets_a_non_empty_reply(mini: Assistant, text: str) -> None:
    reply = mini.respond(text, NOW)
    assert reply.text.strip()


def test_long_replies_split_at_line_boundaries_under_telegrams_limit() -> None:
    lines = [f"<b>line {i}</b> " + "x" * 90 for i in range(200)]
    markup = "\n".join(lines)
    pieces = split_message(markup)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_MESSAGE for p in pieces)
    assert "\n".join(pieces) == markup  # nothing lost, every cut on a line boundary
    one_long_line = "word " * 2000
    assert all(len(p) <= MAX_MESSAGE for p in split_message(one_long_line))
