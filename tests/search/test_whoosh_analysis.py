"""The Whoosh backend's one-loop analyzer gives exactly the tokens of Whoosh's own chain."""
import pytest
from whoosh.analysis import LanguageAnalyzer

from forum.search.whoosh_speed import TextAnalyzer

TEXTS = [
    "The Wi-Fi drops every evening; the router's firmware v2.1.3 is running!",
    "A an the of: it is what it is. Reset, RESET, resetting and resets.",
    "Die Verbindungen brechen jeden Abend ab, seit dem Update auf 3.14 (Größe 12).",
    "x y zz émigré naïve café_au_lait über-straße 42 ½",
    "",
]
OPTIONS = [
    {},
    {"positions": True, "chars": True},
    {"positions": True, "chars": True, "removestops": False},
    {"positions": True, "start_pos": 7, "start_char": 30},
    {"no_morph": True, "positions": True},
    {"mode": "query"},
    {"keeporiginal": True, "positions": True},
    {"tokenize": False},
]


def _tokens(analyzer, text, options):
    return [(t.text, t.stopped, t.boost, getattr(t, "pos", None), getattr(t, "startchar", None),
             getattr(t, "endchar", None), getattr(t, "original", None))
            for t in analyzer(text, **options)]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("options", OPTIONS)
def test_same_tokens_as_whoosh_language_analyzer(language, options):
    ours, whoosh = TextAnalyzer(language), LanguageAnalyzer(language)
    for text in TEXTS:
        assert _tokens(ours, text, options) == _tokens(whoosh, text, options), text
