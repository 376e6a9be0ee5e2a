"""Whoosh's faster parts (forum.search.whoosh_speed, the backend's ranking) give the same
answers as Whoosh's own."""
import io
import pickle
import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from whoosh import collectors, fields, index, query, scoring, sorting
from whoosh.analysis import LanguageAnalyzer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions
from whoosh.searching import Searcher

from forum import search as search_index
from forum.search import Document, whoosh_backend, whoosh_speed
from forum.search.whoosh_speed import (
    FastPositions,
    TextAnalyzer,
    ViewFile,
    column_array,
    text_field,
)
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


@pytest.mark.parametrize("indexed_from", [whoosh_speed.INDEXED_POSTINGS_BYTES, 0])
def test_intersections_find_every_common_document(tmp_path, monkeypatch, indexed_from):
    """skip_to jumps within and across posting blocks (128 postings each) correctly, by
    reading the block headers on the way or through the block index (every list)."""
    monkeypatch.setattr(whoosh_speed, "INDEXED_POSTINGS_BYTES", indexed_from)
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
        for target in (5, 128, 129, 1_000, 1_994, 1_999, 2_000, 5_000):
            for word, step in (("every", 1), ("seventh", 7)):
                matcher = searcher.reader().postings("text", word)
                matcher.skip_to(target)
                following = -(-target // step) * step
                assert (matcher.id() if matcher.is_active() else None) == \
                    (following if following < 2_000 else None), (word, target)


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


def test_a_rebuild_in_two_processes_finds_what_one_process_finds(tmp_path):
    documents = _documents(400)
    one = whoosh_backend.WhooshBackend(tmp_path / "one", "en")
    two = whoosh_backend.WhooshBackend(tmp_path / "two", "en", build_procs=2)
    for backend in (one, two):
        assert backend.rebuild(documents, lambda n: None) == 400
    assert len(two._index().reader().leaf_readers()) == 2  # a segment per process
    for text in ("wifi", "router firmware", "signal -reset", '"cable light"'):
        expected, found = (backend.search(search_index.parse(text), per_page=50)
                           for backend in (one, two))
        assert found.total == expected.total > 0, text
        assert [(h.doc_type, h.doc_id) for h in found.hits] \
            == [(h.doc_type, h.doc_id) for h in expected.hits], text


def _documents(count: int, seed: int = 3) -> list[Document]:
    """Threads and a few KB articles of random words, with scores and solved flags that
    give them different boosts."""
    rng = random.Random(seed)
    words = ["router", "modem", "wifi", "firmware", "reset", "cable", "light", "signal",
             "channel", "update"]
    created = datetime(2025, 1, 1)
    return [Document(
        doc_type="kb" if n % 25 == 0 else "thread", doc_id=n,
        title=" ".join(rng.choices(words, k=rng.randint(2, 6))),
        body=" ".join(rng.choices(words, k=rng.randint(5, 40))), board="b", tags=(),
        is_solved=n % 3 == 0, score=rng.randint(-2, 40),
        created_at=created + timedelta(hours=n), updated_at=created,
    ) for n in range(1, count + 1)]


def _indexed(tmp_path, documents: list[Document]) -> whoosh_backend.WhooshBackend:
    """A Whoosh index of several segments, with deletions (as after edits)."""
    backend = whoosh_backend.WhooshBackend(tmp_path, "en")
    half = len(documents) // 2
    backend.rebuild(documents[:half], lambda n: None)
    backend.upsert(documents[half:])
    backend.upsert(documents[:10])  # replaced: deleted in the first segment
    return backend


class _BoostedBM25F(scoring.BM25F):
    """Relevance as Whoosh computes it for every match with a final() hook: the reference."""

    use_final = True

    def final(self, searcher, docnum, score):
        boost = searcher.reader().column_reader("boost")[docnum]
        return (score + whoosh_backend.RELEVANCE_PRIOR) * boost / 1000


def _assert_ranks_as_boosted_bm25f(backend, text: str) -> None:
    """The first two pages of `text` are the best 30 of every match, by relevance as
    Whoosh's own matchers compute it for each (the reference)."""
    view = backend._current()
    parsed = search_index.parse(text)
    q = backend._restrict(backend._text_query(parsed), backend._conditions(parsed),
                          backend._excluded(parsed))
    reference = Searcher(view.searcher.reader(), weighting=_BoostedBM25F(), closereader=False)
    hits = reference.search(q, limit=None, optimize=False, mask=view.mask(parsed.doc_type))
    expected = sorted(((-hit.score, hit.docnum), hit["key"]) for hit in hits)
    found = [backend.search(parsed, page=page, per_page=15) for page in (1, 2)]
    assert all(page.exact and page.total == len(expected) for page in found)
    keys = [f"{hit.doc_type}:{hit.doc_id}" for page in found for hit in page.hits]
    assert keys == [key for _order, key in expected[:30]]
    relevances = [hit.relevance for page in found for hit in page.hits]
    assert relevances == pytest.approx([-order[0] for order, _key in expected[:30]])


@pytest.mark.parametrize("text", ["wifi", "router firmware", "reset cable light",
                                  '"firmware update"', "signal -modem", "channel type:kb"])
def test_search_ranks_as_boosted_bm25f_over_every_match(tmp_path, text):
    _assert_ranks_as_boosted_bm25f(_indexed(tmp_path, _documents(400)), text)


@pytest.mark.parametrize("text", [
    "x200", "mesh router", "reset-cable", "router tag:mesh", "wifi is:solved",
    "firmware board:north -x200", "light -reset-cable", "outdoor signal channel is:unsolved",
    "the wifi",
])
def test_words_ranked_from_their_postings_as_whoosh_ranks_them(tmp_path, text):
    """Plain words are ranked by whoosh_ranking, reading postings directly (tags, words
    of several stems, filters and exclusions included), as Whoosh's matchers rank them."""
    tags = ["x200", "mesh", "outdoor"]
    documents = [replace(d, board="north" if d.doc_id % 2 else "south",
                         tags=tuple(tags[:d.doc_id % 4])) for d in _documents(400)]
    backend = _indexed(tmp_path, documents)
    assert backend._clauses(search_index.parse(text))  # not Whoosh's matchers
    _assert_ranks_as_boosted_bm25f(backend, text)


@pytest.mark.parametrize("text", ["wifi", "router firmware -modem", "mesh tag:x200",
                                  "reset-cable is:solved", '"firmware update"'])
def test_most_votes_first_as_whoosh_sorts_every_match(tmp_path, text):
    """Sorted by votes, plain words are read from their postings (whoosh_ranking) and
    phrases walked by Whoosh's sorting collector: the same order either way."""
    tags = ["x200", "mesh", "outdoor"]
    documents = [replace(d, tags=tuple(tags[:d.doc_id % 4])) for d in _documents(400)]
    backend = _indexed(tmp_path, documents)
    view = backend._current()
    parsed = search_index.parse(text)
    q = backend._restrict(backend._text_query(parsed), backend._conditions(parsed),
                          backend._excluded(parsed))
    order = [sorting.FieldFacet("score", reverse=True), sorting.FieldFacet("created", reverse=True)]
    every = view.collect(q, collectors.SortingCollector(order, limit=None), None)
    expected = [hit["key"] for hit in every][:25]
    found = [backend.search(parsed, sort="votes", page=page, per_page=15) for page in (1, 2)]
    assert all(page.exact and page.total == len(every) for page in found)
    assert [f"{h.doc_type}:{h.doc_id}" for page in found for h in page.hits][:25] == expected


def test_broad_queries_rank_the_newest_matches_and_estimate_the_total(tmp_path, monkeypatch):
    documents = _documents(400)
    backend = _indexed(tmp_path, documents)
    monkeypatch.setattr(whoosh_backend, "RANKED_MATCHES", 40)
    every = [d for d in documents if "wifi" in f"{d.title} {d.body}".split()]
    found = backend.search(search_index.parse("wifi"), per_page=10)
    assert not found.exact and 0.7 < found.total / len(every) < 1.3
    newest = {d.key for d in documents[-100:] + documents[:10]}  # 1-10 were added last
    assert {f"{h.doc_type}:{h.doc_id}" for h in found.hits} <= newest
    deep = backend.search(search_index.parse("wifi"), page=9, per_page=10)
    assert len(deep.hits) == 10  # deep pages widen the window
    newest = backend.search(search_index.parse("wifi"), sort="newest", per_page=10)
    assert not newest.exact and [f"{h.doc_type}:{h.doc_id}" for h in newest.hits] \
        == [d.key for d in sorted(every, key=lambda d: d.created_at, reverse=True)[:10]]


def test_a_window_without_the_expected_matches_widens(tmp_path, monkeypatch):
    """A word only in old documents: the newest part of the index that should hold
    RANKED_MATCHES of its matches holds none, and the whole index is searched."""
    documents = [replace(d, body=f"{d.body} alpha") if 10 < d.doc_id <= 110 else d
                 for d in _documents(400)]  # 1-10 are added again last: not these
    backend = _indexed(tmp_path, documents)
    monkeypatch.setattr(whoosh_backend, "RANKED_MATCHES", 40)
    found = backend.search(search_index.parse("alpha"), per_page=10)
    assert found.exact and found.total == 100 and len(found.hits) == 10


def test_numeric_columns_read_whole_as_whoosh_reads_them(tmp_path):
    backend = _indexed(tmp_path, _documents(300))
    reader = backend._current().searcher.reader()
    for name in ("boost", "score", "created"):
        column = reader.column_reader(name)
        assert list(column_array(reader, name)) == [column[n] for n in range(reader.doc_count_all())]


def test_index_files_are_read_in_place_as_from_a_copy():
    data = pickle.dumps([("a", 1.5), b"x" * 300, list(range(50))]) + b"line one\nline two"
    ours, copy = BufferFile(memoryview(data)), io.BytesIO(data)
    assert isinstance(ours.file, ViewFile)
    assert pickle.load(ours.file) == pickle.load(copy) and ours.tell() == copy.tell()
    assert ours.file.readline() == copy.readline() and ours.file.read(3) == copy.read(3)
    assert ours.file.peek(4)[:4] == data[ours.tell():ours.tell() + 4]
    for position, whence in ((5, 0), (-3, 2), (2, 1)):
        assert ours.seek(position, whence) == copy.seek(position, whence)
        assert ours.file.read() == copy.read()
    assert ours.get(2, 5) == data[2:7]


def _write(directory, texts: list[str]):
    schema = fields.Schema(title=text_field(TextAnalyzer("en")), tags=fields.KEYWORD(),
                           body=fields.TEXT(phrase=False))
    directory.mkdir()
    writer = index.create_in(directory, schema).writer(codec=W3Codec(compression=0))
    for n, text in enumerate(texts):
        writer.add_document(title=text, tags=text.split()[0], body=text[: 5 + n % 30])
    writer.commit()


def _postings(directory) -> dict:
    """Every posting (id, weight, positions) of an index, by field and term, and whether
    its blocks are packed."""
    found = {}
    with index.open_dir(directory).searcher() as searcher:
        reader = searcher.reader()
        for field, term in reader.all_terms():
            found[field, term] = _walk(reader.postings(field, term))
        block = reader.postings("title", b"wifi")
        block._read_data()
        found["packed"] = isinstance(block._data[2], list)
    return found


def _walk(matcher) -> list:
    postings = []
    while matcher.is_active():
        postings.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return postings


def test_packed_posting_blocks_read_as_whoosh_writes_them(tmp_path, monkeypatch):
    rng = random.Random(5)
    words = [f"w{n}" for n in range(40)] + ["wifi"] * 10
    texts = [" ".join(rng.choices(words, k=rng.randint(1, 60))) for _ in range(700)]
    _write(tmp_path / "ours", texts)
    ours = _postings(tmp_path / "ours")
    assert ours.pop("packed") and len(ours["title", b"wifi"]) > 400  # blocks of 128
    for cls, name, _ours in whoosh_speed.REPLACED:  # Whoosh's own writing and reading
        monkeypatch.setattr(cls, name, whoosh_speed.whoosh_own(cls, name))
    _write(tmp_path / "whoosh", texts)
    whoosh = _postings(tmp_path / "whoosh")
    assert not whoosh.pop("packed") and whoosh == ours
    monkeypatch.undo()  # an index written before: read as it was
    assert _postings(tmp_path / "whoosh") == {**ours, "packed": False}


def test_analyzers_unpickled_from_a_schema_share_the_process_stem_cache():
    """Each index writer and searcher unpickles the schema: their stems must not start over."""
    first, second = (pickle.loads(pickle.dumps(TextAnalyzer("en"))) for _ in range(2))
    list(first("resetting routers"))
    stem, = (item for item in second.items if isinstance(item, whoosh_speed.CachedStemFilter))
    assert stem._stem.cache_info().currsize >= 2
    assert stem._stem is TextAnalyzer("en").items[3]._stem
    assert TextAnalyzer("de").items[3]._stem is not stem._stem
    assert [t.text for t in second("resetting routers")] == ["reset", "router"]


def test_new_index_files_count_their_position(tmp_path):
    from array import array

    from whoosh.filedb.filestore import FileStorage

    whoosh_speed.speed_up()
    storage = FileStorage(str(tmp_path))
    written = storage.create_file("postings")
    assert isinstance(written.file, whoosh_speed.CountingFile)
    written.write(b"head")
    written.write_varint(300)
    written.write_array(array("i", [1, 2, 3]))
    assert written.tell() == 4 + 2 + 12
    written.seek(0)
    written.write(b"HEAD")
    assert written.tell() == 4
    written.seek(0, 2)
    written.write_int(7)
    assert written.tell() == 22
    written.close()
    assert (tmp_path / "postings").read_bytes()[:4] == b"HEAD"
    assert len((tmp_path / "postings").read_bytes()) == 22
    with storage.create_file("run").raw_file() as raw:
        raw.write(b"abc")
    assert (tmp_path / "run").read_bytes() == b"abc"
