"""The default search backend: a Whoosh index in the instance folder.

The only module that imports Whoosh, with whoosh_speed (faster versions of
some of Whoosh's parts) and whoosh_ranking (ranking plain words from their
postings). Whoosh allows one writer per index, so writes wait
for the lock a little and retry; a write that still cannot get it raises
IndexBusy, and the caller queues the change for later. Opening a searcher
costs tens of milliseconds, so each process keeps one and refreshes it only
when the index has changed on disk.
"""
import threading
import time
from array import array
from collections.abc import Callable, Iterable
from functools import partial
from heapq import heappush, heapreplace, nlargest
from pathlib import Path

from whoosh import collectors, index, matching, query, sorting
from whoosh.analysis import StandardAnalyzer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.searching import Results
from whoosh.writing import CLEAR

from . import whoosh_ranking, whoosh_snippets
from .documents import Document, Hit, HitPage, about
from .errors import IndexBusy
from .query import ParsedQuery
from .snippets import SNIPPET_CHARS, plain_snippet
from .whoosh_ranking import Alternative, Clause
from .whoosh_speed import (
    TextAnalyzer,
    column_array,
    speed_up,
    text_field,
)

WRITE_TIMEOUT_S = 2.0
# How often a process looks whether other processes changed the index. Under a stream
# of writes (a batch every fraction of a second) a searcher reopened for every search
# would cost more than the search; this process's own writes are seen at once.
REFRESH_SECONDS = 1.0
_clock = time.monotonic
WRITE_ATTEMPTS = 3
BUILD_LIMIT_MB = 256  # postings sorted in memory before a run goes to disk (a rebuild)
# ... and for the updates that web workers write, where Whoosh's default of 128 MB let a
# commit that merged segments grow a worker's heap by 100 MB it kept: 32 bounds that.
WRITE_LIMIT_MB = 32
# Posting blocks are written as they are, not zlib-compressed (Whoosh's default): the
# compression took a quarter of the CPU of indexing a batch of answers, and reading
# skips the decompression too. Indexes written with it still read.
CODEC = W3Codec(compression=0)
# Snippets come from the start of the text, so only that much is stored (and highlighted).
HIGHLIGHT_CHARS = 500
MAX_STORED_BODY = 2 * HIGHLIGHT_CHARS
# "Similar" ignores words found in more than this share of documents (or this many).
SIMILAR_COMMON_SHARE = 0.02
SIMILAR_MIN_COMMON = 1_000
SIMILAR_MAX_WORDS = 8
SIMILAR_BODY_WORDS = 3
# "Similar" ranks this many best BM25F matches, found with Whoosh's block skipping, by
# their boosts (solved, votes, KB). Multiplying every match by its boost while collecting
# (a final() hook) turns the skipping off and scores every match: up to 4x slower.
SIMILAR_DEPTH = 20
# A search page sorted by relevance ranks at most about this many matches (more for deep
# pages): the newest ones. Ranking costs 15-20 us a match in Python, and a query of common
# words matches most of a large index, whose scores block skipping barely prunes.
RANKED_MATCHES = 1_000
# Relevance is (BM25F + RELEVANCE_PRIOR) x boost: the prior lets the boost count for more
# among weak matches (13 rather than 12 of the 19 duplicates found, see bench/RESULTS.md).
RELEVANCE_PRIOR = 1.0


speed_up()


def _signature(schema: Schema) -> list:
    """What a schema indexes, comparable between versions (Whoosh's fields are not)."""
    def parts(field):
        analyzer = getattr(field, "analyzer", None)
        column_type = getattr(field, "column_type", None)
        return (type(field).__name__, type(field.format).__name__,
                [type(step).__name__ for step in getattr(analyzer, "items", [analyzer])],
                type(column_type).__name__, getattr(column_type, "_typecode", None))

    return [(name, parts(field)) for name, field in schema.items()]


def _schema(language: str) -> Schema:
    text = TextAnalyzer(language)
    return Schema(
        key=ID(unique=True, stored=True),
        doc_type=ID(stored=True),
        doc_id=STORED(),
        title=text_field(text, stored=True, field_boost=2.0),
        body=text_field(text),
        excerpt=STORED(),
        tags=KEYWORD(lowercase=True, scorable=True, field_boost=1.5),
        board=ID(),
        solved=ID(),
        # Only read per document (ranking and sorting), never searched: columns without
        # postings. A NUMERIC field would index 8-16 terms per value, a fifth of all postings.
        boost=COLUMN(NumericColumn("i")),  # thousandths: float columns fail in Whoosh
        score=COLUMN(NumericColumn("q")),
        created=COLUMN(NumericColumn("q")),
        # Unstemmed words of titles and tags: real words for "did you mean".
        spelling=TEXT(analyzer=StandardAnalyzer(minsize=3), phrase=False),
    )


def _fields(doc: Document) -> dict:
    return {
        "key": doc.key,
        "doc_type": doc.doc_type,
        "doc_id": doc.doc_id,
        "title": doc.title,
        "body": doc.body,
        "excerpt": doc.body[:MAX_STORED_BODY],
        "tags": " ".join(doc.tags),
        "board": doc.board,
        "solved": "yes" if doc.is_solved else "no",
        "boost": round(doc.boost * 1000),
        "score": doc.score,
        "created": int(doc.created_at.timestamp() * 1000),
        "spelling": f"{doc.title} {' '.join(doc.tags)}",
    }


def _relevance(bm25: float, boost_thousandths: int) -> float:
    return (bm25 + RELEVANCE_PRIOR) * boost_thousandths / 1000


class _Window:
    """A collector's part that looks only at matches with a docnum from `first` on (the
    newest documents: an index adds them at the end)."""

    first = 0

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        self.matcher = self.matcher.replace()  # drops parts matching nothing
        skip = self.first - offset
        if skip <= 0 or not self.matcher.is_active():
            return
        if skip >= subsearcher.doc_count_all():
            self.matcher = matching.NullMatcher()
        elif self.matcher.id() < skip:
            self.matcher.skip_to(skip)


class _WindowCollector(_Window, collectors.TopCollector):
    """The top N matches by relevance, (BM25F + prior) x boost, of a window, counting
    every match it sees.

    It scores every match of its window: Whoosh's block skipping (and its dropping of
    query parts that cannot beat the N-th score) would leave matches uncounted, and on
    the queries that need a window, common words, it skips next to nothing.
    """

    def __init__(self, limit: int, boosts, first: int = 0):
        super().__init__(limit, usequality=False, replace=0)
        self.boosts, self.first = boosts, first

    def _collect(self, global_docnum, score):
        relevance = _relevance(score, self.boosts[global_docnum])
        items = self.items
        self.total += 1
        if len(items) < self.limit:
            heappush(items, (relevance, 0 - global_docnum))
        elif relevance > items[0][0]:
            heapreplace(items, (relevance, 0 - global_docnum))
        return 0 - relevance


class _NewestCollector(_Window, collectors.SortingCollector):
    """The newest N matches of a window (by creation time, not docnum: edited documents
    are added again at the end)."""

    def __init__(self, limit: int, first: int = 0):
        super().__init__("created", limit=limit, reverse=True)
        self.first = first


def _window(docs: int, window: int, matches: int, budget: int) -> int:
    """How many of the newest documents hold about `budget` matches (and a quarter more:
    matches are not spread evenly), when `window` of them held `matches`."""
    return docs if not matches else min(docs, budget * 5 * window // (4 * matches))


class _OpenSearcher:
    """A searcher with what queries read from it once: boosts and the KB documents."""

    def __init__(self, searcher):
        self.searcher = searcher
        reader = searcher.reader()
        # An empty index has no columns (and no hits to boost).
        self.boosts = column_array(reader, "boost") if reader.has_column("boost") else None
        # Few, so a set of them is cheap: "threads only" masks them out, instead of
        # intersecting every match with the posting list of all threads.
        self.kb_docs = set(searcher.docs_for_query(query.Term("doc_type", "kb")))
        self._sort_keys = None

    def sort_keys(self) -> tuple:
        """Every document's (score, created) columns, read on the first sort by votes."""
        if self._sort_keys is None:
            reader = self.searcher.reader()
            self._sort_keys = tuple(column_array(reader, name) if reader.has_column(name)
                                    else array("q") for name in ("score", "created"))
        return self._sort_keys

    def most_voted(self, q, mask: set | None, clauses: tuple, depth: int):
        """(results, how many matched): the `depth` matches of the plain words `clauses`
        with the highest scores (then the newest), of all of them."""
        found = whoosh_ranking.rank(self.searcher, *clauses, scored=False)
        scores, created = self.sort_keys()
        docnums = [docnum for _score, docnum in found if not mask or docnum not in mask]
        top = nlargest(depth, docnums, key=lambda docnum: (scores[docnum], created[docnum],
                                                            -docnum))
        return Results(self.searcher, q, [(scores[docnum], docnum) for docnum in top]), \
            len(docnums)

    def reranked(self, results) -> list:
        """(hit, relevance) pairs, plain BM25F results re-ordered by their boosts."""
        scored = [(hit, _relevance(hit.score, self.boosts[hit.docnum])) for hit in results]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0].docnum))

    def mask(self, doc_type: str | None, keys: Iterable[str] = ()) -> set | None:
        """Documents to leave out: KB articles when looking for threads, and `keys`."""
        skipped = {self.searcher.document_number(key=key) for key in keys} - {None}
        if doc_type == "thread":
            skipped |= self.kb_docs
        return skipped or None

    def collect(self, q, collector, mask: set | None):
        """Run `collector` over the matches of `q` outside `mask`; its results."""
        if mask:
            collector = collectors.FilterCollector(collector, restrict=mask)
        self.searcher.search_with_collector(q, collector)
        return collector.results()

    def collected(self, q, mask: set | None, collector_from: Callable, first: int):
        """(results, how many matched) of `collector_from(first)` over `q`."""
        collector = collector_from(first)
        return self.collect(q, collector, mask), collector.count()

    def ranked(self, q, mask: set | None, clauses: tuple, depth: int, first: int):
        """(results, how many matched) of the `depth` most relevant matches of the plain
        words `clauses` (see whoosh_ranking) from docnum `first` on; `q`, the same query
        for Whoosh, marks the words in their snippets."""
        found = whoosh_ranking.rank(self.searcher, *clauses, first=first)
        if mask:
            found = [(score, docnum) for score, docnum in found if docnum not in mask]
        boosts = self.boosts
        # As _WindowCollector orders them: relevance, then the lower docnum.
        top = nlargest(depth, ((_relevance(score, boosts[docnum]), -docnum)
                               for score, docnum in found))
        results = Results(self.searcher, q, [(relevance, -negated) for relevance, negated in top])
        return results, len(found)

    def windowed(self, collect: Callable[[int], tuple], depth: int, expected: int):
        """Collect matches with `collect(first docnum)` -> (results, matched): (results,
        total, exact). A query expected to match more than RANKED_MATCHES documents is
        collected among (about) its newest RANKED_MATCHES (or `depth`) matches, and its
        total estimated from how many of them the window of documents held."""
        docs = self.searcher.doc_count_all()
        budget = max(RANKED_MATCHES, depth)
        window = docs if expected <= budget else _window(docs, docs, expected, budget)
        attempts = 1
        while True:
            results, counted = collect(docs - window)
            if window == docs:
                return results, counted, True
            if counted >= budget // 4 or attempts == 3:
                return results, about(counted * docs // window, counted), False
            # Far fewer matches than expected (words found together, or in older
            # documents, more than chance has it): as wide a window as they ask for.
            window = _window(docs, window, counted, budget)
            attempts += 1


class WhooshBackend:
    """A Whoosh index in `directory`, analysed for `language` ("en" or "de")."""

    name = "whoosh"

    def __init__(self, directory: str | Path, language: str = "en", build_procs: int = 1,
                 refresh_seconds: float = REFRESH_SECONDS):
        self.directory = Path(directory) / f"whoosh-{language}"
        self.refresh_seconds = refresh_seconds
        self.language = language
        self.build_procs = build_procs
        self._schema = _schema(language)
        self._ix = None
        self._open = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    # --- the index and its searcher --------------------------------------------
    def _index(self):
        if self._ix is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            if index.exists_in(self.directory):
                self._ix = index.open_dir(self.directory)
            else:
                self._ix = index.create_in(self.directory, self._schema)
        return self._ix

    def _current(self) -> _OpenSearcher:
        """The process's searcher, refreshed when another writer changed the index."""
        with self._lock:
            now = _clock()
            due = now - self._checked_at >= self.refresh_seconds
            if self._open is None or (due and not self._open.searcher.up_to_date()):
                # Not searcher.refresh(): its reused segment readers miss new deletions.
                self._open = _OpenSearcher(self._index().searcher())
            if due:
                self._checked_at = now
            return self._open

    def _changed_here(self) -> None:
        """This process wrote to the index: its next search looks at once."""
        self._checked_at = 0.0

    def _current_searcher(self):
        return self._current().searcher

    def _writer(self, **kwargs):
        kwargs.setdefault("codec", CODEC)
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return self._index().writer(timeout=WRITE_TIMEOUT_S, **kwargs)
            except LockError:
                time.sleep(0.05 * (attempt + 1))
        raise IndexBusy("the search index is locked by another writer")

    # --- writing -----------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> None:
        """Add or replace documents."""
        writer = self._writer(limitmb=WRITE_LIMIT_MB)
        try:
            for doc in documents:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._changed_here()

    def delete(self, doc_type: str, doc_ids: Iterable[int]) -> None:
        """Remove documents (deleted or hidden content)."""
        writer = self._writer(limitmb=WRITE_LIMIT_MB)
        try:
            for doc_id in doc_ids:
                writer.delete_by_term("key", f"{doc_type}:{doc_id}")
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._changed_here()

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None]) -> int:
        """Replace the whole index with `documents`; returns how many were written."""
        current = _signature(self._index().schema) == _signature(self._schema)
        # Processes writing in parallel would each use the schema stored in the index.
        procs = self.build_procs if current else 1
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = self._writer(limitmb=BUILD_LIMIT_MB, **options)
        if not current:  # an index made by an earlier version: its schema is replaced
            for name in writer.schema.names():
                writer.remove_field(name)
            for name, field in self._schema.items():
                writer.add_field(name, field)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**_fields(doc))
                count += 1
                progress(1)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)
        self._changed_here()
        return count

    # --- reading -----------------------------------------------------------------
    def _analyzed(self, field: str, text: str) -> list[str]:
        return [t.text for t in self._schema[field].analyzer(text)]

    def _word_query(self, word: str):
        clause = self._word_clause(word)
        if clause is None:
            return None  # a stop word: it matches nothing and filters nothing
        return query.Or([query.And([query.Term(alt.field, token) for token in alt.tokens])
                         for alt in clause.alternatives])

    def _phrase_query(self, phrase: tuple[str, ...]):
        tokens = self._analyzed("body", " ".join(phrase))
        if not tokens:
            return None
        if len(tokens) == 1:
            return self._word_query(tokens[0])
        return query.Or([query.Phrase(f, tokens) for f in ("title", "body")])

    def _text_query(self, parsed: ParsedQuery):
        parts = [self._word_query(w) for w in parsed.terms]
        parts += [self._phrase_query(p) for p in parsed.phrases]
        parts = [p for p in parts if p is not None]
        return query.And(parts) if parts else query.Every()

    def _clauses(self, parsed: ParsedQuery) -> tuple[list[Clause], list[Clause]] | None:
        """The query as whoosh_ranking's clauses: (to match, to exclude); None for
        phrases, which only Whoosh's matchers find."""
        if parsed.phrases or parsed.excluded_phrases:
            return None
        words = [self._word_clause(word) for word in parsed.terms]
        words = [clause for clause in words if clause]
        if not words:
            return None
        filters = [Clause((Alternative(term.fieldname, (term.text,)),), scored=False)
                   for term in self._conditions(parsed)]
        excluded = [self._word_clause(word) for word in parsed.excluded]
        return words + filters, [clause for clause in excluded if clause]

    def _word_clause(self, word: str) -> Clause | None:
        """What a word matches: all of its stems in the title or in the body, or the word
        as a tag; None for a stop word."""
        tokens = tuple(self._analyzed("body", word))
        if not tokens:
            return None
        return Clause((Alternative("title", tokens), Alternative("body", tokens),
                       Alternative("tags", (word,))))

    @staticmethod
    def _conditions(parsed: ParsedQuery) -> list:
        """Filters joined into the query, scoring nothing (boost 0); "threads only" is a
        mask instead (see _OpenSearcher)."""
        pairs = [("doc_type", "kb")] if parsed.doc_type == "kb" else []
        if parsed.board:
            pairs.append(("board", parsed.board))
        pairs += [("tags", tag) for tag in parsed.tags]
        if parsed.solved is not None:
            pairs.append(("solved", "yes" if parsed.solved else "no"))
        return [query.Term(name, value, boost=0.0) for name, value in pairs]

    def _excluded(self, parsed: ParsedQuery):
        parts = [self._word_query(w) for w in parsed.excluded]
        parts += [self._phrase_query(p) for p in parsed.excluded_phrases]
        parts = [p for p in parts if p is not None]
        return query.Or(parts) if parts else None

    @staticmethod
    def _restrict(q, conditions: list, excluded=None):
        """`q` limited to documents meeting `conditions` and matching nothing in `excluded`.

        Joined into the query rather than passed as Whoosh's filter= or mask=, or wrapped
        in a ConstantScoreQuery: those build a list of every document meeting a condition
        first, which for a broad one costs more than the search itself on a large index.
        """
        if conditions:
            q = query.And(conditions) if isinstance(q, query.Every) else query.And([q, *conditions])
        return query.AndNot(q, excluded) if excluded is not None else q

    def search(self, parsed: ParsedQuery, *, sort: str = "relevance", page: int = 1,
               per_page: int = 20) -> HitPage:
        """One page of documents matching the parsed query, from one walk over them."""
        view = self._current()
        text_query = self._text_query(parsed)
        q = self._restrict(text_query, self._conditions(parsed), self._excluded(parsed))
        start = (page - 1) * per_page
        depth = start + per_page
        mask = view.mask(parsed.doc_type)
        ranking = sort == "relevance" and not isinstance(text_query, query.Every)
        if ranking or sort != "votes":  # else newest, also with no words to rank by
            collect = self._collect_for(view, q, parsed, mask, depth, ranking)
            expected = self._expected(view.searcher, parsed)
            results, total, exact = view.windowed(collect, depth, expected)
        elif clauses := self._clauses(parsed):  # the most votes of all matches
            results, total = view.most_voted(q, mask, clauses, depth)
            exact = True
        else:  # ... of a phrase or of filters alone: Whoosh sorts them, walking them all
            order = [sorting.FieldFacet("score", reverse=True),
                     sorting.FieldFacet("created", reverse=True)]
            results = view.collect(q, collectors.SortingCollector(order, limit=depth), mask)
            total, exact = len(results), True
        # A sorted hit's score is its sort key, not a relevance.
        ranked = [(hit, hit.score if ranking else 0.0) for hit in results]
        return HitPage(hits=self._hits(results, ranked[start:start + per_page]),
                       total=total, exact=exact)

    def _collect_for(self, view: _OpenSearcher, q, parsed: ParsedQuery, mask: set | None,
                     depth: int, ranking: bool) -> Callable[[int], tuple]:
        """collect(first docnum) -> (results, matched), by relevance or newest first."""
        if not ranking:
            return partial(view.collected, q, mask, partial(_NewestCollector, depth))
        clauses = self._clauses(parsed)
        if clauses:  # plain words: read their postings directly
            return partial(view.ranked, q, mask, clauses, depth)
        return partial(view.collected, q, mask, partial(_WindowCollector, depth, view.boosts))

    def _expected(self, searcher, parsed: ParsedQuery) -> int:
        """How many documents the query's words, phrases and filters match, taken as
        independent of each other: from document frequencies, without a walk."""
        def frequency(field: str, tokens: list[str]) -> int:
            return min((searcher.doc_frequency(field, t) for t in tokens), default=0)

        docs = max(1, searcher.doc_count_all())
        share = 1.0
        for text in [*parsed.terms, *(" ".join(p) for p in parsed.phrases)]:
            tokens = self._analyzed("body", text)
            if tokens:
                found = max(frequency(f, tokens) for f in ("title", "body", "tags"))
                share *= min(1.0, found / docs)
        for condition in self._conditions(parsed):
            share *= searcher.doc_frequency(condition.fieldname, condition.text) / docs
        return round(share * docs)

    def similar(self, text: str, *, doc_type: str, limit: int = 5,
                exclude: Iterable[int] = ()) -> list[Hit]:
        """Documents of `doc_type` sharing the most (weighted) words with `text`."""
        view = self._current()
        q = self._similar_query(view.searcher, text)
        if q is None:
            return []
        q = self._restrict(q, self._conditions(ParsedQuery(doc_type=doc_type)))
        mask = view.mask(doc_type, [f"{doc_type}:{i}" for i in exclude])
        results = view.searcher.search(q, limit=SIMILAR_DEPTH, mask=mask, terms=True)
        return self._hits(results, view.reranked(results)[:limit])

    def _similar_query(self, searcher, text: str):
        """Every telling word of `text` in titles, only the rarest in bodies: as many
        originals of duplicates found as with all words in both, from far fewer candidates.
        Words in most documents say little about similarity and would make every document
        a candidate (slow on a large index): a text of only such words is looked for by
        its two rarest words, in titles only."""
        tokens = list(dict.fromkeys(self._analyzed("body", text)))[:32]
        if not tokens:
            return None
        frequency = {t: searcher.doc_frequency("body", t) for t in tokens}
        common = max(SIMILAR_MIN_COMMON, searcher.doc_count() * SIMILAR_COMMON_SHARE)
        by_rarity = sorted(tokens, key=frequency.get)
        telling = [t for t in by_rarity if frequency[t] <= common][:SIMILAR_MAX_WORDS]
        if not telling:
            return query.Or([query.Term("title", t) for t in by_rarity[:2]])
        return query.Or([query.Term("title", t) for t in telling]
                        + [query.Term("body", t) for t in telling[:SIMILAR_BODY_WORDS]])

    @staticmethod
    def _hits(results, ranked: list) -> list[Hit]:
        """Hits for (Whoosh hit, relevance) pairs of `results`, with snippets marking the
        words matched (or, for results collected without recording them, the query's)."""
        words = whoosh_snippets.query_words(results, "body")
        analyzer = results.searcher.schema["body"].analyzer
        hits = []
        for hit, relevance in ranked:
            excerpt = hit.get("excerpt", "")
            # Highlighting re-analyses the stored text: look at its start only, for speed.
            snippet = whoosh_snippets.marked(excerpt, words, analyzer, maxchars=SNIPPET_CHARS,
                                             surround=60, charlimit=HIGHLIGHT_CHARS, top=2)
            hits.append(Hit(
                doc_type=hit["doc_type"], doc_id=hit["doc_id"], relevance=float(relevance),
                snippet=snippet or plain_snippet(excerpt),
            ))
        return hits

    def corrections(self, candidates: Iterable[str]) -> dict[str, str]:
        """Known words for unknown ones ("did you mean"), from titles and tags."""
        searcher = self._current_searcher()
        corrector = searcher.corrector("spelling")
        fixes = {}
        for word in candidates:
            if len(word) < 4 or self._is_known(searcher, word):
                continue
            suggestions = corrector.suggest(word, limit=1, maxdist=2)
            if suggestions and suggestions[0] != word:
                fixes[word] = suggestions[0]
        return fixes

    def _is_known(self, searcher, word: str) -> bool:
        """Whether some document has the word (then it is no misspelling)."""
        if searcher.doc_frequency("spelling", word):
            return True
        stems = self._analyzed("body", word)
        return bool(stems) and all(searcher.doc_frequency("body", s) for s in stems)

    def count(self) -> int:
        """How many documents the index holds."""
        return self._current_searcher().doc_count()

    def size_bytes(self) -> int:
        """The index's size on disk."""
        return sum(f.stat().st_size for f in self.directory.glob("*") if f.is_file())

    def close(self) -> None:
        """Let go of the searcher and the index (tests, reindex from a fresh process)."""
        with self._lock:
            if self._open is not None:
                self._open.searcher.close()
            self._open, self._ix = None, None

