""""Was this helpful?": one answer per signed-in user or anonymous browser, and the staff report.

An anonymous reader is known by a random visitor id (the pages keep it in a
signed cookie), never by the network address alone; the address only enters
as a keyed hash (`client_key`) that limits how much anonymous feedback one
network can leave per hour.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import RateLimited, ValidationError
from ..extensions import db
from ..models import Article, ArticleFeedback, User
from ..permissions import require
from ..timeutil import utcnow
from ..transactions import transactional
from . import inputs
from .counters import increment
from .indexing import index_article
from .kb import get_article
from .pagination import Page, paginate

COMMENT_MAX = 1000
ANONYMOUS_PER_HOUR = 20
VISITOR_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
REPORT_SORTS = ("least_helpful", "most_helpful", "most_feedback")


def _helpful(value) -> bool:
    if type(value) is not bool:
        raise ValidationError(_l("Say yes or no."), fields={"helpful": "must be true or false"})
    return value


def _comment(value, helpful: bool) -> str | None:
    text = inputs.text(value, "comment", max_len=COMMENT_MAX, label=_l("Comment"))
    if text and helpful:
        raise ValidationError(_l("A comment goes with a “no”: tell us what was missing."),
                              fields={"comment": "only with helpful=false"})
    return text or None


def _visitor(visitor_id) -> str:
    if not isinstance(visitor_id, str) or not VISITOR_ID.fullmatch(visitor_id):
        raise ValidationError(_l("Your browser did not keep our cookie; please allow it."),
                              fields={"visitor_id": "missing or malformed"})
    return visitor_id


def _check_rate(client_key) -> None:
    if client_key is None:
        return
    since = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(select(func.count(ArticleFeedback.id)).where(
        ArticleFeedback.client_key == client_key, ArticleFeedback.user_id.is_(None),
        ArticleFeedback.created_at >= since,
    ))
    if recent >= ANONYMOUS_PER_HOUR:
        raise RateLimited(_l("Thank you! We have enough feedback from your network for now."),
                          retry_after=3600)


def _existing(article: Article, reader: User | None, visitor_id: str | None):
    query = select(ArticleFeedback).where(ArticleFeedback.article_id == article.id)
    if reader is not None:
        return db.session.scalar(query.where(ArticleFeedback.user_id == reader.id))
    return db.session.scalar(query.where(ArticleFeedback.visitor_id == visitor_id))


@transactional
def give_feedback(reader: User | None, slug, helpful, comment=None, *, visitor_id=None,
                  client_key=None) -> ArticleFeedback:
    """Record whether a published article helped; a second answer replaces the first."""
    article = get_article(slug, reader)
    require(reader, "give_feedback", article)
    helpful = _helpful(helpful)
    comment = _comment(comment, helpful)
    if reader is not None:
        visitor_id = client_key = None
    else:
        visitor_id = _visitor(visitor_id)
    feedback = _existing(article, reader, visitor_id)
    if feedback is None:
        if reader is None:
            _check_rate(client_key)
        feedback, inserted = _insert(article, reader, visitor_id, client_key, helpful, comment)
        if inserted:
            increment(Article, article.id, **{_counter(helpful): 1})
            index_article(article.id)  # helpfulness is the article's score in search
            return feedback
    if feedback.helpful != helpful:
        increment(Article, article.id, **{_counter(helpful): 1, _counter(feedback.helpful): -1})
        index_article(article.id)
    feedback.helpful, feedback.updated_at = helpful, utcnow()
    if comment is not None or helpful:
        feedback.comment = comment
    return feedback


def _counter(helpful: bool) -> str:
    return "helpful_yes" if helpful else "helpful_no"


def _insert(article, reader, visitor_id, client_key, helpful, comment):
    """Insert, or return the row a concurrent request inserted first (unique constraints)."""
    now = utcnow()
    try:
        with db.session.begin_nested():
            feedback = ArticleFeedback(
                article_id=article.id, user_id=reader.id if reader else None,
                visitor_id=visitor_id, client_key=client_key, helpful=helpful, comment=comment,
                created_at=now, updated_at=now,
            )
            db.session.add(feedback)
        return feedback, True
    except IntegrityError:
        return _existing(article, reader, visitor_id), False


def my_feedback(article: Article, reader: User | None, visitor_id=None) -> ArticleFeedback | None:
    """The reader's (or browser's) answer on this article, if they gave one."""
    if reader is None and not (isinstance(visitor_id, str) and VISITOR_ID.fullmatch(visitor_id)):
        return None
    return _existing(article, reader, visitor_id)


# --- the staff report ---------------------------------------------------------------------

@dataclass
class FeedbackReport:
    """Articles ordered by helpfulness, and the latest comments readers left."""

    articles: Page
    sort: str
    comments: list[ArticleFeedback]


def feedback_report(viewer: User | None, sort="least_helpful", page=1, per_page=30,
                    comment_count: int = 30) -> FeedbackReport:
    """Published articles by helpfulness, with the most recent "no" comments (staff)."""
    require(viewer, "write_kb")
    sort = inputs.choice(sort or "least_helpful", "sort", REPORT_SORTS)
    total = Article.helpful_yes + Article.helpful_no
    share = cast(Article.helpful_yes, Float) / func.nullif(total, 0)
    no_feedback_last = case((total == 0, 1), else_=0)
    order = {
        "least_helpful": [no_feedback_last, share.asc(), Article.helpful_no.desc()],
        "most_helpful": [no_feedback_last, share.desc(), Article.helpful_yes.desc()],
        "most_feedback": [total.desc()],
    }[sort]
    query = (
        select(Article)
        .where(Article.status == "published")
        .options(joinedload(Article.board))
        .order_by(*order, Article.id)
    )
    comments = db.session.scalars(
        select(ArticleFeedback)
        .where(ArticleFeedback.comment.is_not(None))
        .options(joinedload(ArticleFeedback.article), joinedload(ArticleFeedback.user))
        .order_by(ArticleFeedback.updated_at.desc(), ArticleFeedback.id.desc())
        .limit(comment_count)
    )
    return FeedbackReport(articles=paginate(query, page, per_page), sort=sort,
                          comments=list(comments))
