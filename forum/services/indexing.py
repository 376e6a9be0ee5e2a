"""Keeping the search index in step with the database.

Services call `index_thread(...)` inside their transaction: it stores a
"search.index" task with the write (forum/tasks.py), which brings the entry
up to date once the transaction has committed, so the index only ever sees
committed content. Tasks arriving together are written in one batch, one
index commit for many documents. An index write that fails (Whoosh locked,
PostgreSQL away) never undoes the post: the task stays and is retried, and a
full `reindex()` rebuilds everything.

Each document type has a loader that turns ids into `Document`s for what
anyone may see; ids it does not return are removed from the index: deleted
threads, and KB articles that are drafts or archived.
"""
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from flask import current_app

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import search, tasks
from ..extensions import db
from ..models import Article, Post, Thread, listed
from ..rendering import plain_text
from ..timeutil import utcnow

log = logging.getLogger(__name__)

BATCH = 500
TASK = "search.index"
MAX_BODY_CHARS = 50_000
_EPOCH = datetime(1970, 1, 1)


def thread_documents(thread_ids: list[int]) -> dict[int, search.Document]:
    """Documents for the visible threads among `thread_ids` (question, answers, tags)."""
    threads = db.session.scalars(
        select(Thread)
        .where(Thread.id.in_(thread_ids), listed(Thread))
        .options(joinedload(Thread.board), selectinload(Thread.tags))
        .order_by(Thread.id)  # the same index order, and so the same ties, on every database
    ).unique().all()
    texts: dict[int, list[str]] = {t.id: [] for t in threads}
    if texts:
        rows = db.session.execute(
            select(Post.thread_id, Post.body_html)
            .where(Post.thread_id.in_(list(texts)), listed(Post))
            .order_by(Post.thread_id, Post.kind.desc(), Post.score.desc(), Post.id)
        )
        for thread_id, body_html in rows:  # the question ("question" > "answer") first
            texts[thread_id].append(plain_text(body_html))
    return {
        t.id: search.Document(
            doc_type="thread", doc_id=t.id, title=t.title,
            body=" ".join(texts[t.id])[:MAX_BODY_CHARS], board=t.board.slug,
            tags=tuple(tag.name for tag in t.tags), is_solved=t.accepted_answer_id is not None,
            score=t.score, created_at=t.created_at, updated_at=t.last_activity_at,
        )
        for t in threads
    }


def article_documents(article_ids: list[int]) -> dict[int, search.Document]:
    """Documents for the published KB articles among `article_ids`."""
    articles = db.session.scalars(
        select(Article)
        .where(Article.id.in_(article_ids), Article.status == "published")
        .options(joinedload(Article.board)).order_by(Article.id)
    ).all()
    return {
        a.id: search.Document(
            doc_type="kb", doc_id=a.id, title=a.title,
            body=plain_text(a.body_html)[:MAX_BODY_CHARS], board=a.board.slug, tags=(),
            # Only threads are solved or not; the search service keeps is:solved to threads.
            is_solved=False, score=a.helpful_yes - a.helpful_no,
            created_at=a.published_at or a.created_at, updated_at=a.updated_at,
        )
        for a in articles
    }


def _id_batches(column, visible) -> Iterator[list[int]]:
    """The ids in `column` of rows matching `visible`, in batches of BATCH."""
    last = 0
    while True:
        ids = list(db.session.scalars(
            select(column).where(visible, column > last).order_by(column).limit(BATCH)
        ))
        if not ids:
            return
        yield ids
        last = ids[-1]


def _loader(load: Callable, column, visible) -> tuple[Callable, Callable, Callable]:
    return (
        load,
        lambda: _id_batches(column, visible),
        lambda: db.session.scalar(select(func.count(column)).where(visible)),
    )


# doc_type -> (load documents by id, iterate over every visible id in batches, count them)
LOADERS: dict[str, tuple[Callable, Callable, Callable]] = {
    "thread": _loader(thread_documents, Thread.id, listed(Thread)),
    "kb": _loader(article_documents, Article.id, Article.status == "published"),
}


def index_thread(thread_id: int) -> None:
    """Bring a thread's index entry up to date once the current transaction commits."""
    tasks.enqueue(TASK, {"type": "thread", "id": thread_id})


def rescore_thread(thread_id: int) -> None:
    """Bring a thread's score in the index up to date at the end of the current window of
    SEARCH_RESCORE_SECONDS (at once when that is 0).

    Only the score changed (a vote on the question), but an index entry is written
    whole: re-reading and re-analysing the thread's text cost a search index about
    20 ms of CPU, a quarter of a worker's time under a stream of votes. Votes in the
    same window share one write, as every task of a window falls due together (and
    one batch writes a thread once), and results are ordered by a score at most a
    window and a poll old; the scores shown with results are read from the database.
    """
    window = current_app.config["SEARCH_RESCORE_SECONDS"]
    if not window:
        return index_thread(thread_id)
    tasks.enqueue(TASK, {"type": "thread", "id": thread_id}, due=window_end(utcnow(), window))


def window_end(now: datetime, seconds: int) -> datetime:
    """The end of the `seconds`-long window (counted from the epoch) that `now` is in."""
    elapsed = (now - _EPOCH).total_seconds()
    return _EPOCH + timedelta(seconds=elapsed - elapsed % seconds + seconds)


def index_article(article_id: int) -> None:
    """Bring a KB article's index entry up to date once the current transaction commits:
    published articles are written, drafts and archived ones removed."""
    tasks.enqueue(TASK, {"type": "kb", "id": article_id})


def write_batch(payloads: list[dict]) -> None:
    """The "search.index" task: write (or remove) the documents named, once each."""
    for doc_type in LOADERS:
        ids = list(dict.fromkeys(p["id"] for p in payloads if p["type"] == doc_type))
        if ids:
            write_documents(doc_type, ids)


def write_documents(doc_type: str, doc_ids: Iterable[int]) -> None:
    """Write (or remove) these documents now, as the database has them."""
    doc_ids = list(doc_ids)
    documents = LOADERS[doc_type][0](doc_ids)
    index = search.backend()
    if documents:
        index.upsert(documents.values())
    gone = [i for i in doc_ids if i not in documents]
    if gone:
        index.delete(doc_type, gone)


def write_or_queue(doc_type: str, doc_ids: list[int]) -> None:
    """Write now (bulk paths such as an import); if the index fails, leave tasks to retry."""
    try:
        write_documents(doc_type, doc_ids)
    except Exception as error:
        log.warning("search index write failed, queued for a retry: %s", error)
        for doc_id in doc_ids:
            tasks.enqueue(TASK, {"type": doc_type, "id": doc_id})


def queued_count() -> int:
    """How many index updates wait to be written (or retried)."""
    return tasks.counts(TASK)["waiting"]


def document_count() -> int:
    """How many documents a full reindex writes."""
    return sum(count() for _load, _ids, count in LOADERS.values())


def all_documents() -> Iterator[search.Document]:
    """Every visible document, loaded in batches so memory stays flat."""
    for load, batches, _count in LOADERS.values():
        for ids in batches():
            yield from load(ids).values()
            db.session.expunge_all()


def reindex(progress: Callable[[int], None] = lambda n: None) -> int:
    """Rebuild the whole index from the database; returns the number of documents."""
    started = tasks.last_id()
    count = search.backend().rebuild(all_documents(), progress)
    tasks.discard(TASK, started)  # what was queued before the rebuild is in it now
    return count
