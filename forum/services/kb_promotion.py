"""Promote a community answer into a KB draft, and watch the answer for later edits."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from moderation import audit

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import Article, Post, PostRevision, User
from ..permissions import require
from ..transactions import transactional
from . import badges, content, kb, reputation
from .threads import get_post

# How much of the question the "Problem" section keeps: whole paragraphs up to this.
PROBLEM_MAX = 1500


@dataclass
class SourceChange:
    """The promoted answer changed after promotion: its text then and now."""

    old_number: int
    new_number: int
    old_body: str
    new_body: str


def _latest_revision(post_id: int) -> int:
    number = db.session.scalar(
        select(func.max(PostRevision.number)).where(PostRevision.post_id == post_id)
    )
    return number or 1


def _problem(question: str) -> str:
    """The question's opening paragraphs, up to PROBLEM_MAX characters."""
    kept: list[str] = []
    for paragraph in question.split("\n\n"):
        if kept and len("\n\n".join([*kept, paragraph])) > PROBLEM_MAX:
            break
        kept.append(paragraph)
    text = "\n\n".join(kept)
    if len(text) > PROBLEM_MAX:
        text = text[:PROBLEM_MAX].rsplit(" ", 1)[0] + " …"
    if sum(line.lstrip().startswith(("```", "~~~")) for line in text.splitlines()) % 2:
        text += "\n```"  # close a code block cut in half, or it would swallow the solution
    return text


def promoted_body(question: Post, answer: Post) -> str:
    """The draft's Markdown: the question as the problem, the answer as the solution."""
    problem, solution = _l("Problem"), _l("Solution")
    return f"## {problem}\n\n{_problem(question.body)}\n\n## {solution}\n\n{answer.body}\n"


def existing_promotion(post_id: int) -> Article | None:
    """The article already promoted from this post, if any."""
    return db.session.scalar(select(Article).where(Article.source_post_id == post_id))


def _refuse_second_promotion(post_id: int) -> None:
    existing = existing_promotion(post_id)
    if existing is not None:
        raise Conflict(
            _l("This answer is already the knowledge-base article “%(title)s”.",
               title=existing.title),
            code="already_promoted", fields={"article_slug": existing.slug},
        )


@transactional
def promote_answer(staff: User, post_id, title=None) -> Article:
    """Turn an answer into a draft article in its thread's product area.

    The draft keeps the answer's author, thread and revision number; the
    author earns the promotion reward unless they promoted their own answer.
    Promoting the same answer again raises Conflict naming the article.
    """
    answer = get_post(post_id, staff)
    require(staff, "promote", answer)
    _refuse_second_promotion(answer.id)
    thread = answer.thread
    title = thread.title if title in (None, "") else content.title(title)
    try:
        article = kb.new_article(
            staff, title, kb.article_body(promoted_body(thread.question, answer)), thread.board,
            "article", source_post_id=answer.id, source_thread_id=thread.id,
            source_revision=_latest_revision(answer.id),
        )
    except Conflict:  # a concurrent promotion of the same answer won (PostgreSQL)
        _refuse_second_promotion(answer.id)
        raise
    if answer.author_id != staff.id:  # as with accepting: one's own answer earns nothing
        reputation.record_promotion(answer, staff)
    badges.award(answer.author_id, "promoted_to_kb", post=answer)
    audit.record(staff, "promote", "post", answer.id, after={"article": article.slug})
    return article


def source_change(article: Article) -> SourceChange | None:
    """What changed in the source answer since promotion (None: nothing, or not promoted)."""
    if article.source_post_id is None or article.source_revision is None:
        return None
    latest = _latest_revision(article.source_post_id)
    if latest <= article.source_revision:
        return None
    revisions = dict(db.session.execute(
        select(PostRevision.number, PostRevision.body).where(
            PostRevision.post_id == article.source_post_id,
            PostRevision.number.in_([article.source_revision, latest]),
        )
    ).all())
    return SourceChange(article.source_revision, latest,
                        revisions.get(article.source_revision, ""), revisions.get(latest, ""))


@transactional
def mark_source_reviewed(staff: User, slug) -> Article:
    """Note that the article has taken in the source answer's latest edit."""
    require(staff, "write_kb")
    article = kb.get_article(slug, staff)
    if article.source_post_id is None:
        raise NotFound(_l("This article was not promoted from an answer."))
    article.source_revision = _latest_revision(article.source_post_id)
    return article
