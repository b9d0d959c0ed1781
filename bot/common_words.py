"""The everyday words of a language, from wordfreq's frequency lists, folded like message text.

Two uses: a correctly spelled everyday word is never read as a typo of a crisis word ("shouting"
is not "shooting"), and `validate` warns when a word listed for one language is an everyday word
of another ("ما" is "what" in Arabic, whatever it means in Pashto). wordfreq has no lists for
Pashto, Sorani or Tigrinya: for those only the knowledge base's own words say what is common.
"""

from __future__ import annotations

from functools import cache

from bot.text import tokenize

TOP = 25_000
"""How many of a language's most frequent words count as everyday words."""

WORDFREQ_LANGUAGES = {"en": ("en",), "fr": ("fr",), "ar": ("ar",), "fa": ("fa",), "uk": ("uk", "ru")}
"""Our languages that wordfreq covers; Ukrainian speakers here often write Russian too."""


@cache
def common_words(language: str, top: int = TOP) -> frozenset[str]:
    """The `top` most frequent words of `language`, folded and tokenised; empty when not covered."""
    sources = WORDFREQ_LANGUAGES.get(language)
    if not sources:
        return frozenset()
    from wordfreq import top_n_list  # imported only when an index is built, never per message

    return frozenset(t for code in sources for word in top_n_list(code, top) for t in tokenize(word))
