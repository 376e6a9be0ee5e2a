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
from .documents import MARK_END, MARK_START, Document, Hit, HitPage
from .query import ParsedQuery, words
from .snippets import SNIPPET_CHARS, plain_snippet

TABLE = "search_documents"
CONFIGS = {"en": "english", "de": "german"}
BATCH = 500
MAX_WORDS = 32
# Normalisation 0 (no length penalty) found the most duplicates on the real dumps.
SIMILAR_RANK = "ts_rank(d.tsv, CAST(:tsq AS tsquery), 0)"
SIMILAR_CANDIDATES = 2_000

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
        params: dict = {"cfg": self.config, "limit": per_page, "offset": (page - 1) * per_page}
        matching = [("plainto_tsquery", w) for w in parsed.terms]
        matching += [("phraseto_tsquery", " ".join(p)) for p in parsed.phrases]
        params["tsq"] = self._compiled(self._tsquery(matching, "&&", params, "w"), params)
        order = _ORDER[sort if params["tsq"] else ("newest" if sort == "relevance" else sort)]
        snippet = "left(page.body, :chars)"
        if params["tsq"]:
            snippet = ("ts_headline(CAST(:cfg AS regconfig), page.body, CAST(:tsq AS tsquery), "
                       ":options)")
        sql = f"""
        WITH page AS (
            SELECT d.doc_type, d.doc_id, d.body, d.created_at, d.score,
                   ts_rank(d.tsv, CAST(:tsq AS tsquery), 1) * d.boost AS rank,
                   count(*) OVER () AS total
            FROM {TABLE} d WHERE {' AND '.join(self._where(parsed, params))}
            ORDER BY {order} LIMIT :limit OFFSET :offset
        )
        SELECT page.doc_type, page.doc_id, page.rank, page.total, {snippet} AS snippet
        FROM page ORDER BY {order}
        """
        params.update(chars=SNIPPET_CHARS * 2, options=_HEADLINE_OPTIONS)
        rows = db.session.execute(text(sql), params).all()
        total = rows[0].total if rows else self._count_beyond(parsed, sort, page, per_page)
        return HitPage(hits=[self._hit(r, sort) for r in rows], total=total)

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
