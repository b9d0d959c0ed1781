"""The shipped knowledge base answers what its users ask: names, needs, crises, in eight languages."""

from __future__ import annotations

import pytest

from bot.assistant import Assistant, User
from bot.schema import Entry
from tests.conftest import NOW


def first_answer(assistant: Assistant, question: str) -> Entry:
    """The entry the reply puts first; the reply must give one."""
    reply = assistant.respond(question, NOW)
    assert reply.matches, reply.text
    return reply.matches[0].entry


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("NCAN", "ncan"),
        ("norfolk community advice network phone", "ncan"),
        ("bridge plus opening times", "bridge-plus"),
        ("the bridge plus+", "bridge-plus"),
        ("new routes", "new-routes"),
        ("gyros", "gyros"),
        ("norwich city of sanctuary", "norwich-city-of-sanctuary"),
        ("empowering communities", "empowering-communities"),
        ("speak up for sanctuary training", "speak-up-for-sanctuary"),
        ("thetford town of sanctuary", "thetford-town-of-sanctuary"),
    ],
)
def test_each_seed_organisation_asked_by_name_comes_first(assistant: Assistant, question: str, entry_id: str) -> None:
    reply = assistant.respond(question, NOW)
    assert reply.matches, reply.text
    assert reply.matches[0].entry.id == entry_id


@pytest.mark.parametrize(
    "message",
    [
        "I want to end my life",
        "i will kill myself tonight",
        "my husband beats me",
        "someone is following me and threatening me",
        "\u0623\u0631\u064a\u062f \u0623\u0646 \u0623\u0642\u062a\u0644 \u0646\u0641\u0633\u064a",  # ar: I want to kill myself
        "\u0632\u0648\u062c\u064a \u064a\u0636\u0631\u0628\u0646\u064a",  # ar: my husband hits me
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u062e\u0648\u062f\u06a9\u0634\u06cc \u06a9\u0646\u0645",  # fa
        "\u0634\u0648\u0647\u0631\u0645 \u0645\u0646\u0648 \u0645\u06cc\u200c\u0632\u0646\u0647",  # fa: my husband hits me
        "\u0425\u043e\u0447\u0443 \u043f\u043e\u043a\u0456\u043d\u0447\u0438\u0442\u0438 \u0437 \u0441\u043e\u0431\u043e\u044e",  # uk
        "\u041c\u0435\u043d\u0435 \u0431'\u044e\u0442\u044c",  # uk: they beat me
        "je veux me suicider",
        "mon mari me frappe",
        # Kinds from blind corpus I: Arabizi (digits for letters: not French, whatever "ma" is), a
        # swallowed battery, smugglers who know the address, a small child alone in the street.
        "ma baddi 3eesh aktar, bade eshrab kel el 7bob",
        "син проковтнув батарейку з пульта",
        "المهربين عرفوا عنواني وقالوا رح يجوا ياخدوني",
        "لقيت ولد صغير لحاله بالشارع",
        # Blind corpus J: hiding from people outside; a loss not yet found (not "found").
        "the same men are outside again, I turned off the lights and we are hiding in the bathroom",
        "رجعوا تاني تحت البيت، طفيت النور وانا متخبية مع ولادي",
        "ابني ضاع من الصبح وما لقيناه",
        "my daughter is lost since this afternoon. we have not found her yet",
        "my son (10) went with a man who promised him a job, his phone is off",
        "mon père a mal à la poitrine, ça descend dans le bras gauche",
        "my baby is hot and his eyes go back, shaking all over",
        "please give my things to my friend. tell my mother I am sorry",
        "the gas heater is old and tonight we all have headaches, the kids too",  # carbon monoxide
        # Blind corpus K: medical signs described, not named; a teenager taken away "to work".
        "my grandfather is sweating a lot and confused, he doesn't know my name",
        "my daughter is 3, she has a fever and spots that don't fade when I press a glass",
        "بنتي بلعت بطارية صغيرة وعم تبكي",
        "my niece is 14 and a man says he will take her to Birmingham to work for him tonight",
        # A danger told after the words that say it is over still counts.
        "he hit me last night and now I am safe at my sister's house, but he says he will kill me",
    ],
)
def test_a_crisis_gets_999_first_in_any_language(assistant: Assistant, message: str) -> None:
    reply = assistant.respond(message, NOW)
    assert reply.emergency, message
    assert "999" in reply.text.split("\n")[0]


@pytest.mark.parametrize(
    "message",
    [
        "je voudrais du poisson",  # French fish, not English poison
        "son avocat est en vacances",  # French his, not English son
        "I need support with my english classes",
        "is there a sport club",
        "what is the weather tomorrow",
        "I killed it at my job interview",
        # The writer is alone with the child: the child is not alone.
        "most days I am on my own with the kids in one room, is there a playgroup?",
        "وحدي مع الاولاد كل النهار، في مجموعة للامهات؟",
        # A fire drill asked about, a form that "kills", a film about trafficking (Finglish + English).
        "اذا صار حريق بالمدرسة وين لازم نروح؟",
        "ئەم فۆرمە دەمکوژێت، کێ یارمەتیم دەدات؟",
        "እዚ ፎርም ይቐትለኒ፡ መን ይሕግዘኒ?",
        "ye film darbare-ye ghachagh-e ensan didam, kheili ghamgin bud",
        "ye film darbare-ye ghachagh-e ensan didam. film-e dige ba zirnevis darid?",  # the nearer "film" is past a stop
        # Blind corpus J: a joke (a laughing face), a wish to help others, a danger told as over.
        "my kids are outside again lol, playing football with the neighbours 😂",
        "I'm going to kill my brother 😂 he ate all the biryani",
        "I want to volunteer on a helpline for people who feel suicidal, I speak Farsi. how do I start?",
        "Last year I tried to kill myself. Now I am much better, I have a job. Is there a counsellor?",
        "we lost our son at the market and I was so scared! We found him at the sweets stall, he is fine now",
        "au cours de secourisme on apprend que faire en cas de crise cardiaque",
        "I have a headache and feel sick, where is a GP?",
        "baraye peyda kardane kar komak mikhastam",  # Finglish "to find work" is not "they found me"
        "برای کارهای اداری وکیل کار دارم، مفت باشد",  # Farsi "I need a lawyer", free: not forced labour
        "the boiler is broken and the flat is cold, who fixes it?",
        # Blind set L: "not in danger" said outright; a danger told as over in the same sentence;
        # a family in one room of a hotel is not a child left alone.
        "I have bad dreams since the journey. I am not in danger, I only want someone to talk to",
        "من در خطر نیستم ولی خیلی غمگینم، مشاوره هست؟",
        "my husband hit me years ago, now I am divorced and I live safely with my children",
        "nous vivons à cinq dans une seule chambre d'hôtel avec les enfants, y a-t-il des activités ?",
    ],
)
def test_everyday_words_are_not_a_crisis(assistant: Assistant, message: str) -> None:
    assert not assistant.respond(message, NOW).emergency


def test_look_alike_words_do_not_change_the_need(assistant: Assistant) -> None:
    reply = assistant.respond("I need support with english classes", NOW)
    assert "english-classes" in reply.matches[0].entry.needs
    french = assistant.respond("je cherche un avocat pour son dossier", NOW)
    assert "legal-advice" in french.matches[0].entry.needs


@pytest.mark.parametrize(
    ("question", "need", "language"),
    [
        ("\u0623\u064a\u0646 \u0628\u0646\u0643 \u0627\u0644\u0637\u0639\u0627\u0645", "food", "ar"),
        ("\u062f\u06a9\u062a\u0631 \u06a9\u062c\u0627\u0633\u062a", "health", "fa"),
        ("\u041f\u043e\u0442\u0440\u0456\u0431\u043d\u0435 \u0436\u0438\u0442\u043b\u043e", "housing", "uk"),
        ("cours d'anglais gratuit", "english-classes", "fr"),
    ],
)
def test_needs_are_found_in_other_languages_and_answered_in_them(
    assistant: Assistant, question: str, need: str, language: str
) -> None:
    reply = assistant.respond(question, NOW, User())
    assert reply.matches, reply.text
    assert need in reply.matches[0].entry.needs
    assert reply.language == language


def test_every_need_is_served(assistant: Assistant) -> None:
    for need in assistant.kb.needs:
        assert assistant.index.services_for(need.id), need.id


def test_every_entry_has_sources_and_says_how_old_they_are(assistant: Assistant) -> None:
    for entry in (*assistant.kb.organisations, *assistant.kb.helplines, *assistant.kb.events):
        assert entry.sources, entry.id
        assert entry.information_from is not None or entry.read_on is not None, entry.id
        # Not one shipped date was invented as a 1 January: a year is written as a year.
        assert entry.information_from is None or (entry.information_from.month, entry.information_from.day) != (1, 1)


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("رقم مايقرانت هيلب", "migrant-help"),  # Arabic script, by ear: no alias written so
        ("ናይ ሳምራታንስ ቁጽሪ እንታይ እዩ?", "samaritans"),  # Ge'ez
        ("maygrent help shomarash chande", "migrant-help"),  # Finglish, by ear
        ("bridj plas kojast", "bridge-plus"),
        ("whats the number for samaratins", "samaritans"),
        # A short word beside another word of the same name, heard in the same script.
        ("وين مكتب بريتش ريد كروس؟", "british-red-cross"),
        ("Чи може Ганзеатік Юніон допомогти з роботою?", "hanseatic-union"),
        ("Де знаходиться Мілленіум Лайбрері?", "norfolk-libraries-millennium"),
        ("what is the non emergency police number, my bike was stolen", "police-101"),
    ],
)
def test_a_name_written_as_heard_in_any_script_finds_it(assistant: Assistant, question: str, entry_id: str) -> None:
    assert first_answer(assistant, question).id.startswith(entry_id)


@pytest.mark.parametrize(
    ("question", "not_this"),
    [
        ("I need an interpreter at the Norfolk and Norwich hospital", "south-norfolk-broadland-housing"),
        # A town is a place, never heard as the rest of a council's name.
        ("Кінгс Лін. Потрібне місце у школі для двох дітей", "west-norfolk-council"),
        ("جامعة UEA عندها منح للاجئين. كيف بتقدم وكيف بتعادل شهادتها؟", "gateway-church-icafe"),  # "وكيف"
        ("je cherche un avocat, et peut-être des cours d'anglais plus tard", "english-plus"),
        ("i came from sudan last year and the heater in our house is broken", "gateway-church-icafe"),
    ],
)
def test_everyday_words_are_not_heard_as_a_name(assistant: Assistant, question: str, not_this: str) -> None:
    reply = assistant.respond(question, NOW)
    assert not_this not in [m.entry.id for m in reply.matches[:1]]


@pytest.mark.parametrize(
    "question",
    [
        "we have a bag of baby clothes to give away to a refugee family",
        "I'm a teacher and want my pupils to learn about asylum",
        "my cafe could hire refugees, who do I talk to",
        "je suis enseignante, je voudrais parler des réfugiés avec mes élèves",
    ],
)
def test_a_local_person_offering_help_is_shown_how_to_help(assistant: Assistant, question: str) -> None:
    entry = first_answer(assistant, question)
    assert "welcome-training" in entry.needs, entry.id


@pytest.mark.parametrize(
    ("question", "need"),
    [
        # Having refugee status sets the scene; what is asked is the question.
        ("i have refugee status since june, how can my children join me here", "legal-advice"),
        ("got my status, how can my husband come and live with me", "legal-advice"),
        # Not speaking English, at an appointment, asks for an interpreter before a class.
        ("doctor tomorrow and i no speak english", "interpreting"),
        # A request asks for the need said nearest it; the next need only says why.
        ("for the council tomorrow i need interpreter, my english is bad", "interpreting"),
        # Everyday ways of asking, in several languages: someone who speaks one's language, people
        # to talk to, training for a school's staff, where to go when the asylum house ends.
        ("my mum needs somebody who speaks dari at the gp", "interpreting"),
        ("au rendez-vous de demain il faut quelqu'un qui parle arabe", "interpreting"),
        ("i cant concentrate and hardly go out, are there people you can talk to", "mental-health"),
        ("Мені потрібно з ким поговорити, не можу зосередитися", "mental-health"),
        ("we want training for staff at our school about refugee pupils", "welcome-training"),
        ("we have 28 days to leave the asylum house and don't know where we will go", "housing"),
        ("my friend told me to ask: where can i get free food", "food"),
        # What sets the scene is not what a request in the next sentence asks for; "eventually" is later.
        ("I got my status last week. I need universal credit, and a job eventually", "money"),
        ("baddi sho3'l, ayy shi", "work"),
        # A friend in the story is not a request for friends.
        ("له ګریټ یارموت کې کور نه لرم، اوس د ملګري سره یم. څوک د کور سره مرسته کوي؟", "housing"),
        ("Моя подруга каже, що є безкоштовна їжа. Де її дають?", "food"),
        ("Я працюю на складі, моя англійська на рівні A2, шукаю вечірні курси", "english-classes"),
        ("كلاسات انجليزي بثيتفورد", "english-classes"),  # the loanword for classes
    ],
)
def test_the_request_decides_the_need_not_the_background(assistant: Assistant, question: str, need: str) -> None:
    entry = first_answer(assistant, question)
    assert need in entry.needs, entry.id


@pytest.mark.parametrize(
    "question",
    [
        "شەو خەوم لێناکەوێت، دڵم تەنگە",  # Sorani: no sleep at night, my heart is tight
        "زړه مې تنګ دی، غواړم له چا سره خبرې وکړم",  # Pashto: my heart is tight, I want to talk to someone
        "ልበይ ጸቢቡኒ፡ ዘዕልለኒ ሰብ ይደሊ",  # Tigrinya: my heart is tight, I want someone to talk with
    ],
)
def test_distress_said_in_everyday_idiom_finds_emotional_support(assistant: Assistant, question: str) -> None:
    entry = first_answer(assistant, question)
    assert "mental-health" in entry.needs, entry.id


@pytest.mark.parametrize(
    "question",
    [
        "who won the football match yesterday",
        "what time is the game on saturday, who won the last one",  # a day named is not a question about our events
        "give me a recipe for biryani",
        "tell me a joke, my friends are boring",
        "quel temps il fait demain? la météo pour le week-end",
        "хто виграв вчора, який рахунок матчу",
        "پرون د فوټبال لوبه چا وګټله؟",  # Pashto: who won the football game yesterday (a need's phrase, nothing asked)
        "help me solve my maths homework: 2x + 4 = 10",
    ],
)
def test_a_question_the_bot_is_not_for_is_not_answered_as_a_need(assistant: Assistant, question: str) -> None:
    reply = assistant.respond(question, NOW)
    assert not reply.matches, [m.entry.id for m in reply.matches]
    assert not reply.emergency


@pytest.mark.parametrize(
    ("question", "need"),
    [("is there football for kids in norwich", "community"), ("any cooking class for women", "community")],
)
def test_a_topic_word_alone_does_not_make_a_question_off_topic(assistant: Assistant, question: str, need: str) -> None:
    assert need in first_answer(assistant, question).needs


def test_in_a_story_the_question_asked_outweighs_what_is_told(assistant: Assistant) -> None:
    from bot.text import asked_sentences, sentence_numbers

    story = (
        "We left the hotel last month. Our new house in Norwich has no furniture. "
        "My husband is looking for work every day. Is there anywhere that gives food parcels?"
    )
    assert asked_sentences(story) == {3}
    assert max(sentence_numbers(story)) == 3
    reply = assistant.respond(story, NOW)
    assert reply.matches and "food" in reply.matches[0].entry.needs, [m.entry.id for m in reply.matches]


@pytest.mark.parametrize("where", ["a house in lakenham", "the hotel in Hellesdon", "we live in Mile Cross"])
def test_a_part_of_norwich_is_norwich_not_a_town_spelt_like_it(assistant: Assistant, where: str) -> None:
    assert assistant.index.understand(where, NOW).places == ["norwich"]  # "lakenham" is not Fakenham


def test_a_name_written_as_a_name_counts_more_than_its_words_scattered(assistant: Assistant) -> None:
    written = assistant.index.understand("is migrant help open today", NOW).names["migrant-help"]
    scattered = assistant.index.understand("help finding a job here for migrants", NOW).names["migrant-help"]
    assert written.full and scattered.full
    assert scattered.coverage < written.coverage
