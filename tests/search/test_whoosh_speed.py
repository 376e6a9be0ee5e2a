"""Whoosh's faster parts (forum.search.whoosh_speed) give the same answers as Whoosh's own."""
import pytest
from whoosh import fields, index, query
from whoosh.analysis import LanguageAnalyzer
from whoosh.formats import Positions

from forum import search as search_index
from forum.search import whoosh_backend
from forum.search.whoosh_speed import FastPositions, TextAnalyzer
from forum.services import indexing, search
from tests.factories import make_board, make_thread

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


@pytest.mark.parametrize("language", ["en", "de"])
def test_same_postings_as_whoosh_positions(language):
    analyzer = TextAnalyzer(language)
    for boost in (1.0, 2.0):
        ours, whoosh = FastPositions(field_boost=boost), Positions(field_boost=boost)
        for text in TEXTS:
            assert sorted(ours.word_values(text, analyzer, mode="index")) \
                == sorted(whoosh.word_values(text, LanguageAnalyzer(language), mode="index"))


def test_intersections_find_every_common_document(tmp_path):
    """skip_to jumps within and across posting blocks (128 postings each) correctly."""
    ix = index.create_in(tmp_path, fields.Schema(n=fields.ID(stored=True), text=fields.TEXT()))
    writer = ix.writer()
    for n in range(2_000):
        words = ["every"] + [w for w, k in (("seventh", 7), ("third", 3), ("rare", 401)) if n % k == 0]
        writer.add_document(n=str(n), text=" ".join(words))
    writer.commit()
    with ix.searcher() as searcher:
        for words, step in ((["every", "seventh"], 7), (["third", "seventh"], 21),
                            (["rare", "every", "third"], 1203)):
            # Searching walks the matchers (docs_for_query would intersect sets).
            hits = searcher.search(query.And([query.Term("text", w) for w in words]), limit=None)
            assert sorted(int(hit["n"]) for hit in hits) == list(range(0, 2_000, step)), words


def test_rebuild_sorting_postings_on_disk_in_chunks(app, search_backend, monkeypatch):
    if search_backend != "whoosh":
        pytest.skip("Whoosh's rebuild")
    monkeypatch.setattr(whoosh_backend, "BUILD_LIMIT_MB", 0.002)  # a run every few postings
    board = make_board()
    made = [make_thread(board=board, title=f"Thermostat {word} question",
                        body=f"The thermostat shows {word} after the update.")
            for word in ("blank", "frozen", "flashing", "dim")]
    assert indexing.reindex() == 4
    assert search_index.backend().count() == 4
    assert {r.doc_id for r in search.search_page(None, "thermostat update").items} \
        == {t.id for t in made}
    assert [r.doc_id for r in search.search_page(None, "frozen").items] == [made[1].id]
