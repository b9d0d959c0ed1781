"""Crisis detection: combinations of word groups, exclusions, languages kept apart, the safety check."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.chat import ChatService, Sender
from bot.cli import main
from bot.crisis import WIDE_WINDOW, WINDOW, CrisisDetector
from bot.knowledge import check
from bot.schema import CrisisGroup, CrisisWords, NotCrisis
from bot.store import Store
from bot.text import sentence_numbers, tokenize
from tests.conftest import NOW, Editable


def detector() -> CrisisDetector:
    groups = [
        CrisisGroup(id="kill", words={"en": ["kill*", "end"], "fr": ["tuer"]}),
        CrisisGroup(id="myself", words={"en": ["myself", "my life"], "fr": ["me"]}),
        CrisisGroup(id="hopeless", words={"en": ["no way out"]}),
        CrisisGroup(id="idiom-subject", words={"en": ["homework"]}),
    ]
    topics = [
        CrisisWords(
            topic="suicide",
            words={"en": ["suicidal"], "ps": ["ما وهي"]},
            together=["kill + myself"],
            uncertain=["hopeless"],
        )
    ]
    harmless = [NotCrisis(about="idioms", words={"en": ["killing time"]}, together=["idiom-subject + kill"])]
    return CrisisDetector(topics, groups, harmless)


def assess(
    text: str, language: str | None = None, own: frozenset[str] = frozenset()
) -> tuple[str | None, tuple[str, ...]]:
    found = detector().assess(tokenize(text), language, own)
    return found.level, found.certain or found.uncertain


@pytest.mark.parametrize(
    "text",
    ["i want to end my life", "my life, i will end it", "kill myself", "i keep thinking i should just kill myself"],
)
def test_a_combination_in_any_order_close_together_is_a_crisis(text: str) -> None:
    assert assess(text) == ("crisis", ("suicide",))


def test_a_combination_spread_over_a_long_message_is_only_a_safety_check() -> None:
    gap = " ".join(["word"] * (WINDOW + 1))
    assert assess(f"i want to end {gap} my life") == ("check", ("suicide",))
    far = " ".join(["word"] * (WIDE_WINDOW + 1))
    assert assess(f"i want to end {far} my life") == (None, ())


def test_weak_evidence_split_between_sentences_counts_only_for_means_and_a_farewell() -> None:
    groups = [
        CrisisGroup(id="took", words={"en": ["took"]}),
        CrisisGroup(id="papers", words={"en": ["papers"]}),
        CrisisGroup(id="rope", words={"en": ["rope"]}),
        CrisisGroup(id="goodbye", words={"en": ["thank you for everything"]}),
    ]
    topics = [
        CrisisWords(topic="trafficking", uncertain=["took + papers"]),
        CrisisWords(topic="suicide", uncertain=["rope + goodbye"]),
    ]
    found = CrisisDetector(topics, groups)

    def level(text: str) -> str | None:
        return found.assess(tokenize(text), sentences=sentence_numbers(text)).level

    gap = " ".join(["word"] * WINDOW)
    assert level(f"they took {gap} my papers") == "check"  # one sentence
    assert level(f"it took me {gap}. who can sort my papers") is None
    assert level(f"i bought rope {gap}. thank you for everything") == "check"


def test_an_uncertain_group_asks_whether_they_are_safe() -> None:
    assert assess("there is no way out for me") == ("check", ("suicide",))


def test_words_of_two_languages_do_not_combine() -> None:
    assert assess("tuer myself") == (None, ())
    assert assess("me kill") == (None, ())  # French 'me' and English 'kill'


def test_harmless_phrases_and_combinations_cancel_the_words_they_cover() -> None:
    assert assess("killing time myself at the library") == (None, ())
    assert assess("this homework is killing myself") == (None, ())
    assert assess("the homework is done. now i want to kill myself") == ("crisis", ("suicide",))


def test_a_phrase_of_one_language_does_not_fire_on_another_language_that_claims_its_words() -> None:
    arabic = "ما اسم المكان وهي قريبة"
    claims = frozenset(tokenize("ما اسم المكان"))
    assert assess("ما وهي", "ar", claims) == (None, ())
    assert assess(arabic, "ar", claims) == (None, ())
    assert assess("ما وهي", "ps") == ("crisis", ("suicide",))
    assert assess("ما وهي") == ("crisis", ("suicide",))  # language unknown: the phrase counts


@pytest.mark.parametrize(
    "text",
    [
        "i took all my pills",
        "i feel like giving up on life",
        "my friend wants to jump from the bridge",
        "a man is hurting a child next door",
        "my landlord touched me",
        "he locked me in the room and took my passport",
        "my baby is not breathing",
        "he wont let me leave with my baby",
        "there is smoke coming from the kitchen in our flat",
        # Someone coming for the writer: followed, found, waiting outside (blind crisis set F's kinds).
        "two men have been following me since the bus stop and they are outside my door now",
        "my ex found out where i live and says i will be sorry",
        "the people who brought me here know where im living now",
        "les passeurs me cherchent, ils sont devant chez moi",
        "قاچاقچیا پیدام کردن، امشب میان سراغم",
        # Injuries from a partner; a child being abused, told in other words.
        "my husband left bruises on my arms again, i cant lift my arm",
        "the coach does things to him, my son is 11",
        # Standing at a height, looking down: asked whether they are safe.
        "last night i stood on the bridge looking at the water for an hour",
        "ዓርከይ ምስትንፋስ ኣብዩዎ ኣሎ",
        # Children with no adult; fire set on purpose; a heart's warning signs.
        "the kids next door are alone, their mother has not come back since yesterday",
        "someone set fire to our door last night and they are still outside",
        "my chest hurts a lot and my left arm is numb",
        # Blind crisis set G's kinds, in other words: a threat then the threat waiting outside (two
        # sentences: the second is no idiom); smugglers who say one still owes them; a farewell; a
        # baby gone floppy; a romanised 'I don't want to live'.
        "he said they will kill me. they are waiting for me outside the shop",
        "ئەوانەی منیان هێنا دەڵێن هێشتا قەرزارمانی",
        "Я попрощалася з усіма. Сьогодні все закінчу",
        "our baby has gone floppy and has a rash that doesn't fade",
        "ma baddi 3ish ba2a",
        # Blind crisis set H's kinds, in other words: a neck squeezed, boiling water, a farewell
        # and giving things away, the smuggler coming tonight, a door locked from outside (Arabizi),
        # a baby crying for days with no parent seen, not breathing (Pashto).
        "yesterday he squeezed my neck until i almost passed out",
        "spilled boiling water on my little girl, her skin came off",
        "i gave away my things today, i wont need them after tonight",
        "المهرب قال اذا ما دفعت رح يجي لعندي الليلة",
        "sakkaro 3alayna el bab w akhado el basborat",
        "Немовля за стіною плаче третій день, батьків не видно",
        "زما ورور پر ځمکه لوېدلی او سا نه اخلي",
    ],
)
def test_shipped_crises_are_flagged(assistant: Assistant, text: str) -> None:
    assert assistant.respond(text, NOW).emergency, text


@pytest.mark.parametrize(
    "text",
    [
        "where can I buy a kitchen knife",
        "my dad and I keep arguing, it turns into a shouting match",
        "my phone died, can I charge it at the library",
        "i nearly died laughing at the film",
        "this homework is killing me",
        "how do i register with a gp",
        "can i claim child benefit now i have leave to remain",
        "need emergency money, nothing left till next payment",
        # A family's story is not a child married off; an eviction is not a beating; the end of the
        # month is not a killing; getting one's residence is not papers taken.
        "my husband has his interview soon and the children have started school",
        "ما تازه اومدیم، بچه ها مدرسه میرن و شوهرم دنبال کار میگرده",
        "my landlord is kicking us out on friday and we have nowhere",
        "landlord says i have to be out by the end of the month",
        "اخذت الاقامة الحمدلله، كيف اقدم على اليونيفرسال كريدت",
        # One-letter clitics swapped are another word, not a typo: "and waiting" is not "she touched me".
        "ساكن بسكن اللجوء ومستني قرار الهوم اوفيس من سنة",
        "نامه اومده از هوم آفیس که باید از هتل برم، نمیدونم چیکار کنم",
        # Fear of a loss or of a mistake, a birth expected in a month to come, someone else who
        # "can't anymore", a woman saying she is one, a delay that "took" months: none is danger.
        "my brother is scared to lose his job at the factory",
        "j'ai peur de me tromper sur le formulaire pour mon enfant",
        "the baby is coming in april, where can i get a pram",
        "le bébé arrive en juin, on cherche des vêtements",
        "ما همین هفته اقامت گرفتیم، شوهرم میگه باید خونه پیدا کنیم",
        "مدرسه گفت دیگه نمیتونه پسرمو نگه داره چون جا ندارن",
        "ኣነ ጓል ኣንስተይቲ እየ፡ ንደቀንስትዮ ዝኸውን ጉጅለ ኣሎ ዶ?",
        "it took me four months to find this job. can someone help me sort my papers for it",
        # A mother who cannot leave her baby to go to a class is not held.
        "i want english lessons but i cant leave my baby at home, is there a creche",
        # An idiom a word further apart, a film, a course or a policy about a kind of harm.
        "this queue at the surgery will honestly kill me, can i book online",
        "we watched a series about suicide in class, is there a film club in norwich",
        "on a vu un film, c'est violent mais bien, il y a d'autres films en français ?",
        "our youth club needs safeguarding training on child abuse for the trustees",
        "Шукаю курс для волонтерів: що робити, якщо людина говорить про самогубство",
        # A question about anyone; a little; 'not an emergency'; phoning ('hit the bell' in Pashto);
        # a husband who got his residence; an Arabizi word that only looks like a crisis word.
        "if someone has a stroke what number do i call here? just asking",
        "i feel a bit low and lonely, is there a group to meet people",
        "quel médecin appeler le soir si ce n'est pas une urgence ?",
        "موږ څو ځله زنګ وواهه خو څوک رانغی، اوس څه وکړو؟",
        "زوجي اخذ الاقامه وانا لسا بستنى، وين بتعلم بنتي انجليزي؟",
        "el ra2ed kan rafd, baddi mo7ami",
        "حالم خیلی بده، خوابم نمیبره. مشاور فارسی زبان هست؟",  # feeling low is a need, not an emergency
        "جدتي كبيرة بالعمر وما بتعرف انجليزي، في مترجم؟",  # "in age" behind a clitic is no slip of a blow
        "هوم آفس موږ په هوټل کې ساتلي یو، ډله شته؟",  # the Home Office houses us: not held
        # A death years ago; a hypothetical 'one day'; 'dead tired'; music about knives.
        "my uncle was killed in 2013 in Aleppo, i need his death certificate translated",
        "si un jour mon fils avale un médicament, quel numéro appeler ?",
        "je suis mort de fatigue, où trouver des manteaux pour l'hiver ?",
        "Я посварилася з мамою, як переїхати в окрему кімнату?",
        # Papers that 'kill' in Farsi, Pashto and Arabic; a toast burned; nerves 'eaten'; a death
        # long ago and its certificate; a charity's training on domestic violence.
        "این فرمها منو کشت، کی کمک میکنه؟",
        "دې کاغذونو زه مړ کړم",
        "هالمعامله رح تموتني",
        "someone burned toast and the fire alarm went off again, who do i tell",
        "پسرم همش دعوا میکنه، اعصابم خورده",
        "my father died two years ago in Sudan, i need the death certificate translated",
        "نحن جمعية نسائية، بدنا دورة عن العنف الاسري. وين في تدريب؟",
    ],
)
def test_shipped_harmless_messages_are_not_flagged(assistant: Assistant, text: str) -> None:
    assert not assistant.respond(text, NOW).emergency, text


def test_the_safety_check_starts_with_999_asks_and_still_answers_the_rest(assistant: Assistant) -> None:
    reply = assistant.respond("there is no way out for me. where is a food bank", NOW)
    assert reply.emergency and reply.safety_check
    assert reply.text.startswith("🚨 If you or someone else is in danger now, call 999.")
    assert "Are you safe right now?" in reply.text
    data = [b.action for row in reply.buttons for b in row]
    assert data[0] == "safe:yes" and data[1].startswith("safe:no:suicide")
    assert any("food" in m.entry.needs for m in reply.matches)


def test_tapping_i_need_help_now_gives_the_crisis_lines_and_i_am_safe_thanks(assistant: Assistant) -> None:
    urgent = assistant.act("safe:no:suicide", NOW)
    assert urgent.emergency and "116 123" in urgent.text and "999" in urgent.text
    safe = assistant.act("safe:yes", NOW)
    assert not safe.emergency and "999" in safe.text
    unknown = assistant.act("safe:no:", NOW)
    assert unknown.emergency and unknown.text.startswith("🚨")


def test_ask_json_marks_the_safety_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "there is no way out for me"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["emergency"] is True and data["safety_check"] is True
    assert main(["ask", "--json", "I want to kill myself"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["emergency"] is True and data["safety_check"] is False


def english_sentences(text: str) -> list[str]:
    """Runs of three or more Latin-script words outside parentheses (where names as written go)."""
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\([^()]*\)", "", text)
    return re.findall(r"[A-Za-z]+(?:[ ,.:]+[A-Za-z]+){2,}", text)


@pytest.mark.parametrize("message", ["زوجي يضربني", "بدي انتحر", "ابني لا يتنفس"])
def test_the_crisis_reply_in_arabic_has_no_english_sentence(assistant: Assistant, message: str) -> None:
    reply = assistant.respond(message, NOW)
    assert reply.language == "ar" and reply.emergency
    crisis_block = reply.text.split("\n\n")[0]  # the cards after it are translated in issue 13
    assert english_sentences(crisis_block) == [], crisis_block


def test_the_crisis_reply_carries_the_silent_solution_and_each_lines_caution(assistant: Assistant) -> None:
    reply = assistant.respond("my husband hits me", NOW)
    assert "press 55" in reply.text
    for line in assistant.renderer("en").crisis_helplines(["abuse"]):
        if line.caution:
            assert line.caution["en"] in reply.text


@pytest.mark.parametrize("kind", ["voice", "video", "sticker", "photo", "document", "contact", "command", "other"])
def test_what_the_bot_cannot_read_gets_the_999_line_and_the_menu(assistant: Assistant, kind: str) -> None:
    reply = assistant.unreadable(kind, "fa")
    assert reply.text.startswith("🚨") and reply.language == "fa"
    assert any(b.action.startswith("need:") for row in reply.buttons for b in row)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


async def test_a_crisis_is_answered_over_the_flood_limit(assistant: Assistant, store: Store) -> None:
    chat = ChatService(assistant, store, flood_limit=2, clock=lambda: NOW, monotonic=lambda: 100.0)
    who = Sender(5, 5)
    assert await chat.admit(who, "food") is True
    assert await chat.admit(who, "food") is True
    assert await chat.admit(who, "food") is not True  # "please wait"
    assert await chat.admit(who, "food") is None  # silence
    assert await chat.admit(who, "I want to kill myself") is True
    assert await chat.admit(who, "there is no way out for me") is True


@pytest.mark.parametrize("text", ["there is no way out for me", "I want to kill myself"])
async def test_nothing_of_a_message_with_crisis_evidence_is_kept(assistant: Assistant, store: Store, text: str) -> None:
    chat = ChatService(assistant, store, log_unanswered=True, clock=lambda: NOW)
    await chat.text(Sender(6, 6), text)
    assert await store.unanswered_since(date(2000, 1, 1)) == []


def test_validate_warns_when_a_crisis_word_is_an_everyday_word_of_another_language(editable: Editable) -> None:
    editable.write(
        "crisis-groups.yaml",
        "crisis_groups:\n  - id: me\n    words:\n      ps: [ما]\n      ar: [اقتلني]\n",
    )
    _, problems = check(editable.path, review=True)
    warnings = [str(p) for p in problems if p.severity == "warning" and "everyday" in p.message]
    assert any("'ما' (Pashto" in w and "Arabic" in w for w in warnings), warnings
    assert not any("اقتلني" in w for w in warnings)
    _, quiet = check(editable.path)
    assert not any("everyday" in p.message for p in quiet)
