"""Normalisation: the same word however it is typed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import fold, sound_key, sound_keys, tokenize


def test_arabic_and_persian_letter_variants_fold_together() -> None:
    # Arabic yeh/kaf/teh marbuta and alef forms against their Persian and plain forms.
    assert fold("\u064a\u0643\u0629") == fold("\u06cc\u06a9\u0647")
    assert fold("\u0623\u0625\u0622") == fold("\u0627\u0627\u0627")
    assert fold("\u0643\u062a\u0627\u0628") == fold("\u06a9\u062a\u0627\u0628")


def test_diacritics_and_tatweel_are_removed() -> None:
    assert fold("\u0637\u064e\u0639\u064e\u0627\u0645") == fold("\u0637\u0639\u0627\u0645")  # with fatha
    assert fold("\u0637\u0640\u0640\u0639\u0627\u0645") == fold("\u0637\u0639\u0627\u0645")  # with tatweel
    assert fold("Très café") == "tres cafe"


def test_zero_width_non_joiner_is_removed() -> None:
    assert tokenize("می\u200cخواهم") == tokenize("میخواهم")


def test_sorani_and_pashto_letters_fold_to_keyboard_forms() -> None:
    assert fold("\u06d5") == fold("\u0647")  # Sorani ae written with heh
    assert fold("\u06ce") == fold("\u06cc")  # Sorani yeh with a v
    assert fold("\u069a") == fold("\u0634")  # Pashto sheen


def test_ukrainian_apostrophes_unified_and_joined() -> None:
    assert tokenize("б’ють") == tokenize("б'ють") == tokenize("бʼють") == ["бють"]


def test_french_elision_splits_latin_words() -> None:
    assert tokenize("d'asile l'avocat") == ["d", "asile", "l", "avocat"]


def test_arabic_indic_and_persian_digits() -> None:
    assert fold("٠١٢٣") == "0123"
    assert fold("۴۵۶") == "456"


def test_tigrinya_letter_families_fold() -> None:
    assert fold("\u1220") == fold("\u1230")  # sa written two ways


@given(st.text(max_size=300))
def test_fold_and_tokenize_never_fail(text: str) -> None:
    tokens = tokenize(text)
    assert all(t and " " not in t for t in tokens)
    assert fold(fold(text)) == fold(text)


def test_farsi_verb_prefix_joined_however_typed_but_not_pashto_me() -> None:
    joined = tokenize("نمی\u200cخواهم")
    assert tokenize("نمی خواهم") == joined == tokenize("نمیخواهم")
    assert len(joined) == 1
    # Pashto "مې" (my, me) folds to the same letters as Farsi "می": it stays a word of its own
    assert tokenize("ورور مې یې ووهه") == [
        tokenize("ورور")[0],
        tokenize("مې")[0],
        tokenize("یې")[0],
        tokenize("ووهه")[0],
    ]


def test_a_name_heard_in_any_script_has_one_sound_key() -> None:
    spellings = ["samaritans", "samaratins", "سامريتنز", "самарітанс", "ሳምራታንስ"]
    assert len({sound_key(fold(w)) for w in spellings}) == 1
    assert sound_key(fold("millennium")) == sound_key(fold("міленіум"))
    assert sound_key(fold("migrant")) == sound_key(fold("مايغرانت"))
    # sh, ch and zh are one sound in every script; a Ukrainian г may be a Latin name's h.
    assert sound_key(fold("british")) == sound_key(fold("بريتش")) == sound_key(fold("брітіш"))
    assert sound_key(fold("church")) == sound_key(fold("چرچ"))
    assert sound_key(fold("hanseatic")) in sound_keys(fold("ганзеатік"))
    assert sound_key(fold("red"), shortest=2) == sound_key(fold("ريد"), shortest=2) and not sound_key(fold("red"))


def test_sound_keys_keep_apart_what_sounds_apart() -> None:
    assert sound_key(fold("وكيف")) != sound_key(fold("اي كافي".replace(" ", "")))  # "and how" is not "iCafe"
    assert sound_key(fold("سمعنا")) != sound_key(fold("سازمان"))  # two s sounds are not one
    assert sound_key("no") == ""  # too short to tell apart


def test_an_arabizi_dotted_letter_is_one_word() -> None:
    assert tokenize("sho3'l w 7'obz") == ["shoghl", "w", "khobz"]
    assert tokenize("l'arabe d'asile") == ["l", "arabe", "d", "asile"]  # French elision still splits


def test_a_laughing_face_is_read_as_laughter_and_other_emoji_as_nothing() -> None:
    from bot.text import sentence_numbers, tokenize

    assert tokenize("I'm going to kill him 😂🤣") == ["i", "m", "going", "to", "kill", "him", "haha", "haha"]
    assert tokenize("so tired 😩 today") == ["so", "tired", "today"]
    text = "they are outside 😅. help"
    assert len(sentence_numbers(text)) == len(tokenize(text))
