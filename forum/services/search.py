"""Searching threads and published KB articles: results, similar, related.

The index answers which documents match; this module decides what the
viewer may see, by loading the hits from the database and dropping any that
are deleted (or otherwise hidden) even if the index still holds them.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import desc, distinct, func, select
from sqlalchemy.orm import joinedload

from .. import page_generation, search
from ..errors import NotFound, ValidationError
from ..extensions import cache, db
from ..models import Article, Board, SuggestionClick, Thread, User, listed
from ..permissions import require
from ..search.snippets import plain_snippet, to_html
from ..timeutil import utcnow
from ..transactions import transactional
from . import inputs
from .pagination import Page

MAX_QUERY = 500
SIMILAR_LIMIT = 5
# Fewer results than this on the first page: offer a spelling correction.
SUGGEST_BELOW = 3


@dataclass
class Result:
    """One search result the viewer may see."""

    doc_type: str
    doc_id: int
    title: str
    snippet_html: Markup
    relevance: float
    thread: Thread | None = None  # for doc_type "thread"
    article: Article | None = None  # for doc_type "kb"

    @property
    def target(self) -> Thread | Article:
        """What the result links to."""
        return self.thread or self.article

    @property
    def is_solved(self) -> bool:
        """A thread with an accepted answer (articles are neither solved nor unsolved)."""
        return self.thread is not None and self.thread.accepted_answer_id is not None


@dataclass
class Results(Page):
    """One page of results, with what was asked and a "did you mean" suggestion.

    `total` is exact unless `total_exact` is False: then it is an estimate, for a query
    matching much of a large index (see the backends)."""

    total_exact: bool = True
    query: search.ParsedQuery = field(default_factory=search.ParsedQuery)
    text: str = ""
    sort: str = "relevance"
    suggestion: str | None = None
    board: Board | None = None


@dataclass
class Similar:
    """Threads (solved first) and KB articles like a question being typed."""

    threads: list[Result] = field(default_factory=list)
    articles: list[Result] = field(default_factory=list)

    @property
    def items(self) -> list[Result]:
        return self.threads + self.articles


@dataclass
class DeflectionStats:
    """How often a suggestion shown while asking was opened: questions maybe never asked."""

    clicks: int
    clicks_last_30_days: int
    people: int
    top: list[tuple[Thread, int]]


def _visible_threads(ids: list[int]) -> dict[int, Thread]:
    rows = db.session.scalars(
        select(Thread).where(Thread.id.in_(ids), listed(Thread)).options(joinedload(Thread.board))
    )
    return {t.id: t for t in rows}


def _visible_articles(ids: list[int]) -> dict[int, Article]:
    rows = db.session.scalars(
        select(Article)
        .where(Article.id.in_(ids), Article.status == "published")
        .options(joinedload(Article.board))
    )
    return {a.id: a for a in rows}


# doc_type -> load the objects anyone may see for ids (drafts never, even for staff)
RESULT_LOADERS = {"thread": _visible_threads, "kb": _visible_articles}


def _results(hits: list[search.Hit]) -> list[Result]:
    """The hits the viewer may see, in the same order, with their objects loaded."""
    loaded = {}
    for doc_type, load in RESULT_LOADERS.items():
        ids = [h.doc_id for h in hits if h.doc_type == doc_type]
        loaded[doc_type] = load(ids) if ids else {}
    results = []
    for hit in hits:
        obj = loaded.get(hit.doc_type, {}).get(hit.doc_id)
        if obj is None:
            continue  # deleted, archived or hidden since it was indexed
        results.append(Result(
            doc_type=hit.doc_type, doc_id=hit.doc_id, title=obj.title,
            snippet_html=to_html(hit.snippet or plain_snippet(obj.title)),
            relevance=hit.relevance,
            thread=obj if hit.doc_type == "thread" else None,
            article=obj if hit.doc_type == "kb" else None,
        ))
    return results


def _text(value, name: str, max_len: int = MAX_QUERY) -> str:
    return inputs.text(value, name, max_len=max_len, label=name)


def search_page(viewer: User | None, text, *, board=None, doc_type=None, solved=None,
                sort="relevance", page: int = 1, per_page: int = 20) -> Results:
    """Search for `text` (query syntax of forum.search.query), filters on top."""
    text = _text(text, "q")
    sort = inputs.choice(sort or "relevance", "sort", search.SORTS)
    if doc_type not in (None, ""):
        doc_type = inputs.choice(doc_type, "type", search.DOC_TYPES)
    bad_board = board not in (None, "") and inputs.lookup(board, 64) is None
    parsed = search.parse(text).with_filters(
        board=None if bad_board else board or None, doc_type=doc_type or None,
        solved=_flag(solved),
    )
    if parsed.solved is not None and parsed.doc_type is None:
        parsed = parsed.with_filters(doc_type="thread")  # only threads are solved or not
    board_row = None
    if parsed.board:
        board_row = db.session.scalar(select(Board).where(Board.slug == parsed.board))
    found = search.HitPage(hits=[], total=0)
    if _can_match(parsed, bad_board, board_row):
        found = search.backend().search(parsed, sort=sort, page=page, per_page=per_page)
    results = Results(
        items=_results(found.hits), page=page, per_page=per_page, total=found.total,
        total_exact=found.exact, query=parsed, text=text, sort=sort, board=board_row,
    )
    if page == 1 and found.total < SUGGEST_BELOW and parsed.terms:
        results.suggestion = _did_you_mean(text, parsed)
    return results


def _can_match(parsed: search.ParsedQuery, bad_board: bool, board_row: Board | None) -> bool:
    """False for filters nothing can pass: an unknown board, or solved KB articles."""
    if bad_board or (parsed.board and board_row is None):
        return False
    return not (parsed.solved is not None and parsed.doc_type == "kb")


def _flag(value) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no"):
        return False
    raise ValidationError(_l("solved must be true or false."), fields={"solved": "true or false"})


def _did_you_mean(text: str, parsed: search.ParsedQuery) -> str | None:
    fixes = search.backend().corrections(parsed.terms)
    if not fixes:
        return None
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, fixes)) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: fixes[m.group(0).lower()], text)


def similar(viewer: User | None, title, *, exclude: tuple[str, int] | None = None,
            limit: int = SIMILAR_LIMIT, remember: bool = False) -> Similar:
    """Up to `limit` threads (solved first) and `limit` KB articles like `title`;
    `exclude` is the (doc_type, id) of the page asking, which is not like itself.
    With `remember`, the index's answer is kept until the next write, at most
    RELATED_CACHE_SECONDS (what it names is still loaded, and checked for visibility,
    on every call)."""
    title = _text(title, "title", 300)
    if len(search.words(title)) == 0:
        return Similar()

    def like(doc_type: str) -> list[Result]:
        skip = [exclude[1]] if exclude and exclude[0] == doc_type else []
        if not remember:
            return _results(_similar_hits(title, doc_type, limit, skip))
        # Any write (a new thread, a KB article published) starts a new generation.
        generation = page_generation.current()[0]
        key = (f"similar:{generation}:{doc_type}:{limit}:{skip}:"
               f"{hashlib.sha1(title.encode()).hexdigest()}")
        hits = cache.get(key)
        if hits is None:
            hits = _similar_hits(title, doc_type, limit, skip)
            cache.set(key, hits, timeout=current_app.config["RELATED_CACHE_SECONDS"])
        return _results(hits)

    threads = like("thread")
    threads.sort(key=lambda r: not r.thread.is_answered)  # stable: relevance within each
    return Similar(threads=threads, articles=like("kb"))


def _similar_hits(title: str, doc_type: str, limit: int, skip: list[int]) -> list[search.Hit]:
    return search.backend().similar(title, doc_type=doc_type, limit=limit, exclude=skip)


def related(viewer: User | None, thread: Thread) -> Similar:
    """What the thread page lists as "Related": the same search as while asking."""
    text = " ".join([thread.title, *(tag.name for tag in thread.tags)])
    return similar(viewer, text[:300], exclude=("thread", thread.id), remember=True)


def related_to_article(viewer: User | None, article: Article) -> Similar:
    """Threads and other articles like a KB article, for its page."""
    return similar(viewer, article.title, exclude=("kb", article.id), remember=True)


@transactional
def record_suggestion_click(user: User | None, doc_type, doc_id) -> Thread | Article:
    """Count a click on a suggestion from the ask page; returns what was clicked."""
    doc_type = inputs.choice(doc_type, "type", search.DOC_TYPES)
    doc_id = inputs.integer(doc_id, "id")
    target = RESULT_LOADERS[doc_type]([doc_id]).get(doc_id)
    if target is None:
        raise NotFound(_l("Not found."))
    if user is not None:  # only people asking (signed in) see suggestions
        db.session.add(SuggestionClick(doc_type=doc_type, doc_id=doc_id, user_id=user.id))
    return target


def deflection_stats(viewer: User | None, top: int = 10) -> DeflectionStats:
    """Suggestion clicks for staff: in total, lately, by how many people, and the top threads."""
    require(viewer, "view_deflection")
    since = utcnow() - timedelta(days=30)
    clicks, recent, people = db.session.execute(select(
        func.count(SuggestionClick.id),
        func.count(SuggestionClick.id).filter(SuggestionClick.created_at >= since),
        func.count(distinct(SuggestionClick.user_id)),
    )).one()
    rows = db.session.execute(
        select(SuggestionClick.doc_id, func.count(SuggestionClick.id).label("n"))
        .where(SuggestionClick.doc_type == "thread")
        .group_by(SuggestionClick.doc_id).order_by(desc("n"), SuggestionClick.doc_id).limit(top)
    ).all()
    threads = _visible_threads([row.doc_id for row in rows]) if rows else {}
    return DeflectionStats(
        clicks=clicks, clicks_last_30_days=recent, people=people,
        top=[(threads[row.doc_id], row.n) for row in rows if row.doc_id in threads],
    )


def duplicate_hit_rate(limit: int = SIMILAR_LIMIT) -> tuple[int, int]:
    """Relevance on real data: for each thread closed as a duplicate, does `similar`
    with its title list the original among its `limit` threads? Returns (hits, total)."""
    pairs = db.session.execute(
        select(Thread.id, Thread.title, Thread.duplicate_of_id)
        .where(Thread.duplicate_of_id.is_not(None), listed(Thread))
        .order_by(Thread.id)
    ).all()
    hits = 0
    for thread_id, title, original_id in pairs:
        found = similar(None, title, exclude=("thread", thread_id), limit=limit)
        hits += original_id in [r.doc_id for r in found.threads]
    return hits, len(pairs)
