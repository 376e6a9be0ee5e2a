"""Snippets marked in one pass (forum.search.whoosh_snippets) are the ones Whoosh's
highlighter makes, for the same words, fragment sizes and analyzer."""
import random

import pytest
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Formatter,
    Highlighter,
    get_text,
    set_matched_filter,
    top_fragments,
)

from forum import search as search_index
from forum.search import whoosh_backend
from forum.search.documents import MARK_END, MARK_START
from forum.search.whoosh_snippets import BETWEEN, marked, query_words
from forum.search.whoosh_speed import TextAnalyzer
from tests.search.test_whoosh_speed import _documents, _indexed

SIZES = {"maxchars": 240, "surround": 60, "charlimit": 500, "top": 2}
WORDS = {
    "en": ["router", "routers", "the", "a", "reset", "resetting", "firmware", "it", "is",
           "wi-fi", "v2.1.3", "extraordinarily-long-configuration-word", "x", "light",
           "blinking", "cable", "of", "channel"],
    "de": ["Verbindung", "Verbindungen", "die", "der", "Router", "zurücksetzen", "ist",
           "Größe", "Kabel", "Lichter", "und", "nicht", "Firmware", "3.14"],
}
GLUE = [" ", " ", " ", ", ", ". ", "; ", " (", ") ", "\n\n", " - "]


class _Marks(Formatter):
    between = BETWEEN

    def format_token(self, text, token, replace=False):
        return f"{MARK_START}{get_text(text, token, replace)}{MARK_END}"


def _whoosh_marked(text: str, words: frozenset[str], analyzer) -> str:
    """Highlighter.highlight_hit's way with a text it re-analyses, step for step."""
    tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = Highlighter._merge_matched_tokens(set_matched_filter(tokens, words))
    fragmenter = ContextFragmenter(maxchars=SIZES["maxchars"], surround=SIZES["surround"],
                                   charlimit=SIZES["charlimit"])
    fragments = top_fragments(fragmenter.fragment_tokens(text, tokens), SIZES["top"],
                              BasicFragmentScorer(), FIRST, minscore=1)
    return _Marks().format(fragments)


def _text(rng: random.Random, vocabulary: list[str]) -> str:
    count = rng.choice([1, 3, 10, 40, 90, 160])
    return "".join(rng.choice(vocabulary) + rng.choice(GLUE) for _ in range(count)).strip()


@pytest.mark.parametrize("language", ["en", "de"])
def test_generated_texts_are_marked_as_whoosh_marks_them(language):
    rng = random.Random(7)
    analyzer = TextAnalyzer(language)
    vocabulary = WORDS[language]
    terms = sorted({t.text for t in analyzer(" ".join(vocabulary))})
    compared = 0
    for _ in range(600):
        text = _text(rng, vocabulary)
        words = frozenset(rng.sample(terms, rng.randint(0, 4)))
        expected = _whoosh_marked(text, words, analyzer)
        assert marked(text, words, analyzer, **SIZES) == expected, (text, words)
        compared += bool(expected)
    assert compared > 300  # most texts had something to mark


@pytest.mark.parametrize("text", ["wifi", "router firmware", '"firmware update"',
                                  "signal -modem", "reset cable light", "the wifi"])
@pytest.mark.parametrize("recorded", [False, True])
def test_search_results_are_marked_as_whoosh_highlights_them(tmp_path, text, recorded):
    """The words come from the query (a search) or from what matched (similar, which
    records the terms): the same ones as Whoosh's highlighter takes."""
    backend = _indexed(tmp_path, _documents(200))
    view = backend._current()
    parsed = search_index.parse(text)
    q = backend._restrict(backend._text_query(parsed), backend._conditions(parsed),
                          backend._excluded(parsed))
    results = view.searcher.search(q, limit=20, terms=recorded)
    assert len(results) > 3
    results.fragmenter = ContextFragmenter(maxchars=SIZES["maxchars"],
                                           surround=SIZES["surround"],
                                           charlimit=SIZES["charlimit"])
    results.formatter = _Marks()
    words = query_words(results, "body")
    analyzer = view.searcher.schema["body"].analyzer
    for hit in results:
        expected = hit.highlights("body", text=hit["excerpt"], top=SIZES["top"])
        assert marked(hit["excerpt"], words, analyzer, **SIZES) == expected


def test_the_backend_marks_its_hits(tmp_path):
    backend = _indexed(tmp_path, _documents(200))
    page = backend.search(search_index.parse("router firmware"), page=1, per_page=10)
    assert page.hits and all(MARK_START in hit.snippet for hit in page.hits)
    assert whoosh_backend.HIGHLIGHT_CHARS == SIZES["charlimit"]
