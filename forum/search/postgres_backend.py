"""The PostgreSQL full-text backend: one table that every web server shares.

`search_documents` (created by the migrations on PostgreSQL only) holds one
row per document with a weighted tsvector (title A, tags B, body C) under a
GIN index. Writes run in their own short transaction on the engine, after
the content's transaction has committed, like the Whoosh backend's.
"""
import difflib
from collections.abc import Callable, Iterable
from itertools import islice

from sqlalchemy import text

from ..extensions import db
from .documents import MARK_END, MARK_START, Document, Hit, HitPage, about
from .query import ParsedQuery, words
from .snippets import SNIPPET_CHARS, plain_snippet

TABLE = "search_documents"
CONFIGS = {"en": "english", "de": "german"}
BATCH = 500
MAX_WORDS = 32
# Normalisation 0 (no length penalty) found the most duplicates on the real dumps.
SIMILAR_RANK = "ts_rank(d.tsv, CAST(:tsq AS tsquery), 0)"
SIMILAR_CANDIDATES = 2_000
HIGHLIGHT_CHARS = 1_000  # of a body, for its snippet
# A search page by relevance ranks at most this many matches (or as many as its page
# needs), the newest, as on Whoosh: ranking reads (detoasts) each match's tsvector, about
# 20 us each, and a query of common words matches most documents (1.1 s a page at
# 100,000 threads when it ranked them all).
RANKED_MATCHES = 1_000
# Matches fetched from the GIN index and sorted by date when fewer than this many windows
# of them are expected (measured: 6,400 matches 66 ms that way, 570 ms walking by date).
SORT_MATCHES_BELOW = 10

_UPSERT = f"""
INSERT INTO {TABLE} (doc_type, doc_id, title, body, board, tags, is_solved, score, boost,
                     created_at, updated_at, tsv)
VALUES (:doc_type, :doc_id, :title, :body, :board, :tags, :is_solved, :score, :boost,
        :created_at, :updated_at,
        setweight(to_tsvector(CAST(:cfg AS regconfig), :title), 'A')
        || setweight(to_tsvector(CAST(:cfg AS regconfig), :tag_text), 'B')
        || setweight(to_tsvector(CAST(:cfg AS regconfig), :body), 'C'))
ON CONFLICT (doc_type, doc_id) DO UPDATE SET
    title = EXCLUDED.title, body = EXCLUDED.body, board = EXCLUDED.board,
    tags = EXCLUDED.tags, is_solved = EXCLUDED.is_solved, score = EXCLUDED.score,
    boost = EXCLUDED.boost, created_at = EXCLUDED.created_at,
    updated_at = EXCLUDED.updated_at, tsv = EXCLUDED.tsv
"""
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=28, MinWords=10, "
    'FragmentDelimiter=" … "'
)
_ORDER = {
    "relevance": "rank DESC, created_at DESC, doc_id DESC",
    "newest": "created_at DESC, doc_id DESC",
    "votes": "score DESC, created_at DESC, doc_id DESC",
}


class PostgresBackend:
    """Full-text search in PostgreSQL, analysed for `language` ("en" or "de")."""

    name = "postgres"

    def __init__(self, language: str = "en"):
        self.language = language
        self.config = CONFIGS.get(language, "english")

    def _row(self, doc: Document) -> dict:
        return {
            "doc_type": doc.doc_type, "doc_id": doc.doc_id, "title": doc.title,
            "body": doc.body, "board": doc.board, "tags": list(doc.tags),
            "tag_text": " ".join(doc.tags), "is_solved": doc.is_solved, "score": doc.score,
            "boost": doc.boost, "created_at": doc.created_at, "updated_at": doc.updated_at,
            "cfg": self.config,
        }

    # --- writing -----------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> None:
        """Add or replace documents."""
        rows = [self._row(doc) for doc in documents]
        if rows:
            with db.engine.begin() as conn:
                conn.execute(text(_UPSERT), rows)

    def delete(self, doc_type: str, doc_ids: Iterable[int]) -> None:
        """Remove documents (deleted or hidden content)."""
        ids = list(doc_ids)
        if ids:
            with db.engine.begin() as conn:
                conn.execute(
                    text(f"DELETE FROM {TABLE} WHERE doc_type = :t AND doc_id = ANY(:ids)"),
                    {"t": doc_type, "ids": ids},
                )

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None]) -> int:
        """Replace every row in one transaction: searches see the old index until it commits."""
        count = 0
        documents = iter(documents)
        with db.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {TABLE}"))
            while batch := [self._row(doc) for doc in islice(documents, BATCH)]:
                conn.execute(text(_UPSERT), batch)
                count += len(batch)
                progress(len(batch))
        with db.engine.connect() as conn:  # fresh statistics, or the planner guesses badly
            conn.execute(text(f"ANALYZE {TABLE}"))
            conn.commit()
        return count

    # --- reading -----------------------------------------------------------------
    def _tsquery(self, parts: list[tuple[str, str]], joiner: str, params: dict, prefix: str) -> str:
        """SQL combining plainto_tsquery (words) and phraseto_tsquery (phrases)."""
        sql = []
        for n, (kind, value) in enumerate(parts):
            params[f"{prefix}{n}"] = value
            sql.append(f"{kind}(CAST(:cfg AS regconfig), :{prefix}{n})")
        return f" {joiner} ".join(sql) if sql else "''::tsquery"

    @staticmethod
    def _compiled(query_sql: str, params: dict) -> str:
        """The tsquery as text, so the main statement gets it as a value: with the query
        known when planning, PostgreSQL estimates how many rows match (a broad query
        then walks the newest rows instead of fetching every match)."""
        return db.session.scalar(text(f"SELECT CAST(({query_sql}) AS text)"), params) or ""

    def _where(self, parsed: ParsedQuery, params: dict) -> list[str]:
        where = ["d.tsv @@ CAST(:tsq AS tsquery)"] if params["tsq"] else ["TRUE"]
        excluded = [("plainto_tsquery", w) for w in parsed.excluded]
        excluded += [("phraseto_tsquery", " ".join(p)) for p in parsed.excluded_phrases]
        if excluded:
            where.append(f"NOT (d.tsv @@ ({self._tsquery(excluded, '||', params, 'x')}))")
        if parsed.doc_type:
            where.append("d.doc_type = :doc_type")
            params["doc_type"] = parsed.doc_type
        if parsed.board:
            where.append("d.board = :board")
            params["board"] = parsed.board
        if parsed.tags:
            where.append("d.tags @> CAST(:tags AS varchar[])")
            params["tags"] = list(parsed.tags)
        if parsed.solved is not None:
            where.append("d.is_solved = :solved")
            params["solved"] = parsed.solved
        return where

    def search(self, parsed: ParsedQuery, *, sort: str = "relevance", page: int = 1,
               per_page: int = 20) -> HitPage:
        """One page of documents matching the parsed query."""
        params: dict = {"cfg": self.config, "limit": per_page, "offset": (page - 1) * per_page,
                        "chars": SNIPPET_CHARS * 2, "highlight_chars": HIGHLIGHT_CHARS,
                        "options": _HEADLINE_OPTIONS}
        matching = [("plainto_tsquery", w) for w in parsed.terms]
        matching += [("phraseto_tsquery", " ".join(p)) for p in parsed.phrases]
        params["tsq"] = self._compiled(self._tsquery(matching, "&&", params, "w"), params)
        if sort == "relevance" and params["tsq"]:
            return self._ranked(parsed, params, page, per_page)
        order = _ORDER["newest" if sort == "relevance" else sort]
        sql = f"""
        WITH page AS (
            SELECT d.doc_type, d.doc_id, d.created_at, d.score, 0 AS rank,
                   count(*) OVER () AS total
            FROM {TABLE} d WHERE {' AND '.join(self._where(parsed, params))}
            ORDER BY {order} LIMIT :limit OFFSET :offset
        )
        SELECT page.doc_type, page.doc_id, page.rank, page.total, {self._snippet(params)}
        FROM page ORDER BY {order}
        """
        rows = db.session.execute(text(sql), params).all()
        total = rows[0].total if rows else self._count_beyond(parsed, sort, page, per_page)
        return HitPage(hits=[self._hit(r, sort) for r in rows], total=total)

    def _ranked(self, parsed: ParsedQuery, params: dict, page: int, per_page: int) -> HitPage:
        """A page by relevance, ranked among the newest max(RANKED_MATCHES, depth) matches;
        the total is exact when they are all the matches, else the planner's estimate."""
        params["window"] = max(RANKED_MATCHES, page * per_page) + 1
        where = " AND ".join(self._where(parsed, params))
        expected = self._estimated_matches(where, params)
        # Walking the newest documents until `window` match reads each one's tsvector: for
        # a query matching a few percent of them, fetching the matches from the GIN index
        # and sorting them costs less; PostgreSQL, which prices the match test as cheap,
        # walks anyway. An expression it has no index for makes it sort.
        newest_first = "d.created_at"
        if expected < params["window"] * SORT_MATCHES_BELOW:
            newest_first = "d.created_at + interval '0 seconds'"
        sql = f"""
        WITH newest AS MATERIALIZED (
            SELECT d.doc_type, d.doc_id, d.created_at, d.boost, d.tsv FROM {TABLE} d
            WHERE {where}
            ORDER BY {newest_first} DESC, d.doc_id DESC LIMIT :window
        ), page AS (
            SELECT doc_type, doc_id, created_at,
                   ts_rank(tsv, CAST(:tsq AS tsquery), 1) * boost AS rank,
                   count(*) OVER () AS total
            FROM newest ORDER BY {_ORDER["relevance"]} LIMIT :limit OFFSET :offset
        )
        SELECT page.doc_type, page.doc_id, page.rank, page.total, {self._snippet(params)}
        FROM page ORDER BY {_ORDER["relevance"]}
        """
        rows = db.session.execute(text(sql), params).all()
        hits = [self._hit(r, "relevance") for r in rows]
        if not rows:
            total = 0 if page == 1 else self.search(parsed, page=1, per_page=1).total
            return HitPage(hits=hits, total=total)
        counted = rows[0].total
        if counted < params["window"]:
            return HitPage(hits=hits, total=counted)
        return HitPage(hits=hits, total=about(max(expected, counted)), exact=False)

    @staticmethod
    def _estimated_matches(where: str, params: dict) -> int:
        """How many documents match, as the planner estimates it from its statistics
        (ANALYZE runs after a rebuild, and autovacuum keeps it current)."""
        plan = db.session.scalar(text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} d "
                                      f"WHERE {where}"), params)
        return int(plan[0]["Plan"]["Plan Rows"])

    @staticmethod
    def _snippet(params: dict) -> str:
        """The snippet of a page's row, its body read for it only (bodies are long), and
        only its start highlighted, as on Whoosh (ts_headline parses all it is given:
        several milliseconds for a whole thread)."""
        snippet = "left(d.body, :chars)"
        if params["tsq"]:
            snippet = ("ts_headline(CAST(:cfg AS regconfig), left(d.body, :highlight_chars), "
                       "CAST(:tsq AS tsquery), :options)")
        return (f"(SELECT {snippet} FROM {TABLE} d WHERE d.doc_type = page.doc_type "
                "AND d.doc_id = page.doc_id) AS snippet")

    def _count_beyond(self, parsed, sort, page, per_page) -> int:
        """The total when the page asked for lies past the last match."""
        if page == 1:
            return 0
        return self.search(parsed, sort=sort, page=1, per_page=1).total

    @staticmethod
    def _hit(row, sort: str) -> Hit:
        return Hit(
            doc_type=row.doc_type, doc_id=row.doc_id,
            relevance=float(row.rank or 0) if sort == "relevance" else 0.0,
            snippet=plain_snippet(row.snippet) if MARK_START not in row.snippet else row.snippet,
        )

    def similar(self, text_: str, *, doc_type: str, limit: int = 5,
                exclude: Iterable[int] = ()) -> list[Hit]:
        """Documents of `doc_type` sharing the most (weighted) words with `text_`."""
        params: dict = {"cfg": self.config, "doc_type": doc_type, "limit": limit,
                        "exclude": list(exclude) or [0]}
        terms = [("plainto_tsquery", w) for w in dict.fromkeys(words(text_))][:MAX_WORDS]
        if not terms:
            return []
        params["tsq"] = self._compiled(self._tsquery(terms, "||", params, "w"), params)
        if not params["tsq"]:
            return []  # only stop words
        # PostgreSQL ranks every match (no top-k pruning), and a title ORs many words:
        # rank only the newest matches, which is all of them on a site of modest size.
        sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT d.doc_type, d.doc_id, d.body, d.boost, d.tsv FROM {TABLE} d
            WHERE d.tsv @@ CAST(:tsq AS tsquery) AND d.doc_type = :doc_type
              AND NOT (d.doc_id = ANY(:exclude))
            ORDER BY d.created_at DESC LIMIT :candidates
        )
        SELECT d.doc_type, d.doc_id, {SIMILAR_RANK} * d.boost AS rank,
               ts_headline(CAST(:cfg AS regconfig), left(d.body, 2000),
                           CAST(:tsq AS tsquery), :options) AS snippet
        FROM candidates d
        ORDER BY rank DESC, d.doc_id DESC LIMIT :limit
        """
        params["candidates"] = SIMILAR_CANDIDATES
        params["options"] = _HEADLINE_OPTIONS
        return [self._hit(r, "relevance") for r in db.session.execute(text(sql), params)]

    def corrections(self, candidates: Iterable[str]) -> dict[str, str]:
        """Known words for unknown ones ("did you mean"), from titles and tags."""
        fixes = {}
        for word in candidates:
            if len(word) < 4 or self._is_known(word):
                continue
            vocabulary = list(db.session.scalars(text(f"""
                SELECT word FROM ts_stat($$SELECT to_tsvector('simple', title || ' ' ||
                    array_to_string(tags, ' ')) FROM {TABLE}$$)
                WHERE left(word, 1) = :first AND length(word) BETWEEN :low AND :high
            """), {"first": word[0], "low": len(word) - 2, "high": len(word) + 2}))
            if word in vocabulary:
                continue
            match = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.75)
            if match:
                fixes[word] = match[0]
        return fixes

    def _is_known(self, word: str) -> bool:
        """Whether some document has the word (then it is no misspelling)."""
        return db.session.scalar(text(
            f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE tsv @@ plainto_tsquery("
            "CAST(:cfg AS regconfig), :word))"), {"cfg": self.config, "word": word})

    def count(self) -> int:
        """How many documents the index holds."""
        return db.session.scalar(text(f"SELECT count(*) FROM {TABLE}"))

    def size_bytes(self) -> int:
        """The table's size with its indexes."""
        return db.session.scalar(text(f"SELECT pg_total_relation_size('{TABLE}')"))

    def close(self) -> None:
        """Nothing to let go of: the rows live in the database."""
