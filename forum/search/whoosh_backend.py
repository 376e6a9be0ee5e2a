"""The default search backend: a Whoosh index in the instance folder.

The only module that imports Whoosh. Whoosh allows one writer per index, so
writes wait for the lock a little and retry; a write that still cannot get
it raises IndexBusy, and the caller queues the change for later. Opening a
searcher costs tens of milliseconds, so each process keeps one and refreshes
it only when the index has changed on disk.
"""
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index, query, scoring, sorting
from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.index import LockError
from whoosh.writing import CLEAR

from .documents import MARK_END, MARK_START, Document, Hit, HitPage
from .errors import IndexBusy
from .query import ParsedQuery
from .snippets import SNIPPET_CHARS, plain_snippet

WRITE_TIMEOUT_S = 2.0
WRITE_ATTEMPTS = 3
# Snippets come from the start of the text, so only that much is stored (and highlighted).
HIGHLIGHT_CHARS = 500
MAX_STORED_BODY = 2 * HIGHLIGHT_CHARS
# "Similar" ignores words found in more than this share of documents (or this many).
SIMILAR_COMMON_SHARE = 0.02
SIMILAR_MIN_COMMON = 1_000
SIMILAR_MAX_WORDS = 8
SIMILAR_BODY_WORDS = 3


class _MarkFormatter(Formatter):
    """Wrap matched words in the snippet markers (escaped to HTML later)."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"{MARK_START}{get_text(text, token, replace)}{MARK_END}"


class _BoostedBM25F(scoring.BM25F):
    """BM25F times the document's boost (solved, votes, KB), read from a column."""

    use_final = True

    def final(self, searcher, docnum, score):
        boosts = getattr(searcher, "_askdesk_boosts", None)
        if boosts is None:
            boosts = searcher._askdesk_boosts = searcher.reader().column_reader("boost")
        return score * boosts[docnum] / 1000


def _schema(language: str) -> Schema:
    text = LanguageAnalyzer(language)
    return Schema(
        key=ID(unique=True, stored=True),
        doc_type=ID(stored=True),
        doc_id=STORED(),
        title=TEXT(analyzer=text, stored=True, field_boost=2.0),
        body=TEXT(analyzer=text),
        excerpt=STORED(),
        tags=KEYWORD(lowercase=True, scorable=True, field_boost=1.5),
        board=ID(),
        solved=ID(),
        boost=NUMERIC(int, sortable=True),  # thousandths: float columns fail in Whoosh
        score=NUMERIC(int, bits=64, signed=True, sortable=True),
        created=NUMERIC(int, bits=64, signed=True, sortable=True),
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


class WhooshBackend:
    """A Whoosh index in `directory`, analysed for `language` ("en" or "de")."""

    name = "whoosh"

    def __init__(self, directory: str | Path, language: str = "en", build_procs: int = 1):
        self.directory = Path(directory) / f"whoosh-{language}"
        self.language = language
        self.build_procs = build_procs
        self._schema = _schema(language)
        self._ix = None
        self._searcher = None
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

    def _current_searcher(self):
        """The process's searcher, refreshed when another writer changed the index."""
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                # Not searcher.refresh(): its reused segment readers miss new deletions.
                self._searcher = self._index().searcher(weighting=_BoostedBM25F())
            return self._searcher

    def _writer(self, **kwargs):
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return self._index().writer(timeout=WRITE_TIMEOUT_S, **kwargs)
            except LockError:
                time.sleep(0.05 * (attempt + 1))
        raise IndexBusy("the search index is locked by another writer")

    # --- writing -----------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> None:
        """Add or replace documents."""
        writer = self._writer()
        try:
            for doc in documents:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def delete(self, doc_type: str, doc_ids: Iterable[int]) -> None:
        """Remove documents (deleted or hidden content)."""
        writer = self._writer()
        try:
            for doc_id in doc_ids:
                writer.delete_by_term("key", f"{doc_type}:{doc_id}")
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None]) -> int:
        """Replace the whole index with `documents`; returns how many were written."""
        options = {"procs": self.build_procs, "multisegment": True} if self.build_procs > 1 else {}
        writer = self._writer(limitmb=256, **options)
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
        return count

    # --- reading -----------------------------------------------------------------
    def _analyzed(self, field: str, text: str) -> list[str]:
        return [t.text for t in self._schema[field].analyzer(text)]

    def _word_query(self, word: str):
        tokens = self._analyzed("body", word)
        if not tokens:
            return None  # a stop word: it matches nothing and filters nothing
        per_field = [query.And([query.Term(f, t) for t in tokens]) for f in ("title", "body")]
        return query.Or([*per_field, query.Term("tags", word)])

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

    @staticmethod
    def _conditions(parsed: ParsedQuery) -> list:
        terms = []
        if parsed.doc_type:
            terms.append(query.Term("doc_type", parsed.doc_type))
        if parsed.board:
            terms.append(query.Term("board", parsed.board))
        terms += [query.Term("tags", tag) for tag in parsed.tags]
        if parsed.solved is not None:
            terms.append(query.Term("solved", "yes" if parsed.solved else "no"))
        return terms

    def _excluded(self, parsed: ParsedQuery):
        parts = [self._word_query(w) for w in parsed.excluded]
        parts += [self._phrase_query(p) for p in parsed.excluded_phrases]
        parts = [p for p in parts if p is not None]
        return query.Or(parts) if parts else None

    @staticmethod
    def _restrict(q, conditions: list, excluded=None):
        """`q` limited to documents meeting `conditions` and matching nothing in `excluded`.

        Joined into the query rather than passed as Whoosh's filter= or mask=: those build
        a set of every matching document first, which for "all threads" costs more than
        the search itself on a large index. The conditions score nothing.
        """
        if conditions:
            required = [query.ConstantScoreQuery(c, 0.0) for c in conditions]
            q = query.And(required) if isinstance(q, query.Every) else query.And([q, *required])
        return query.AndNot(q, excluded) if excluded is not None else q

    def search(self, parsed: ParsedQuery, *, sort: str = "relevance", page: int = 1,
               per_page: int = 20) -> HitPage:
        """One page of documents matching the parsed query."""
        searcher = self._current_searcher()
        text_query = self._text_query(parsed)
        q = self._restrict(text_query, self._conditions(parsed), self._excluded(parsed))
        options = {}
        if sort == "newest" or (sort == "relevance" and isinstance(text_query, query.Every)):
            options.update(sortedby="created", reverse=True)
        elif sort == "votes":
            options.update(sortedby=[sorting.FieldFacet("score", reverse=True),
                                     sorting.FieldFacet("created", reverse=True)])
        result_page = searcher.search_page(q, page, pagelen=per_page, terms=True, **options)
        return HitPage(hits=self._hits(result_page.results, result_page), total=len(result_page))

    def similar(self, text: str, *, doc_type: str, limit: int = 5,
                exclude: Iterable[int] = ()) -> list[Hit]:
        """Documents of `doc_type` sharing the most (weighted) words with `text`."""
        searcher = self._current_searcher()
        tokens = self._telling_tokens(searcher, text)
        if not tokens:
            return []
        # Every word in titles, only the rarest in bodies: as many originals of duplicates
        # found as with all words in both, from far fewer candidates.
        q = query.Or([query.Term("title", t) for t in tokens]
                     + [query.Term("body", t) for t in tokens[:SIMILAR_BODY_WORDS]])
        masked = [query.Term("key", f"{doc_type}:{i}") for i in exclude]
        q = self._restrict(q, [query.Term("doc_type", doc_type)],
                           query.Or(masked) if masked else None)
        results = searcher.search(q, limit=limit, terms=True)
        return self._hits(results, results)

    def _telling_tokens(self, searcher, text: str) -> list[str]:
        """The rarer words of `text`: words in most documents say little about similarity
        and would make every document a candidate (slow on a large index)."""
        tokens = list(dict.fromkeys(self._analyzed("body", text)))[:32]
        common = max(SIMILAR_MIN_COMMON, searcher.doc_count() * SIMILAR_COMMON_SHARE)
        by_rarity = sorted(tokens, key=lambda t: searcher.doc_frequency("body", t))
        telling = [t for t in by_rarity if searcher.doc_frequency("body", t) <= common]
        return (telling or by_rarity[:2])[:SIMILAR_MAX_WORDS]

    @staticmethod
    def _hits(results, page) -> list[Hit]:
        # Highlighting re-analyses the stored text: look at its start only, for speed.
        results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60,
                                               charlimit=HIGHLIGHT_CHARS)
        results.formatter = _MarkFormatter()
        hits = []
        for hit in page:
            excerpt = hit.get("excerpt", "")
            snippet = ""
            if results.has_matched_terms():
                snippet = hit.highlights("body", text=excerpt, top=2)
            # Sorted by a field, a hit's score is its sort key, not a relevance.
            relevance = hit.score if isinstance(hit.score, (int, float)) else 0.0
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
            if self._searcher is not None:
                self._searcher.close()
            self._searcher, self._ix = None, None

