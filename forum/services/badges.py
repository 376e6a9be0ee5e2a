"""Badges: awarded by the services as things happen, never twice unless repeatable.

A repeatable badge is earned once per post (e.g. each answer that reaches a score
of 10); the others once per user. The unique constraint on (user, badge, key)
makes a second award impossible even when two requests race. Badges are never
taken away.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import timeutil
from ..errors import NotFound
from ..extensions import db
from ..models import BadgeAward, Post, Thread, User, listed
from . import inputs
from .pagination import Page, paginate


@dataclass(frozen=True)
class Badge:
    """A kind of badge: slug (in URLs), tier (bronze, silver, gold) and wording."""

    slug: str
    tier: str
    repeatable: bool
    name: object
    description: object


BADGES = (
    Badge("first_question", "bronze", False, _l("Curious"), _l("Asked a first question.")),
    Badge("first_answer", "bronze", False, _l("Helper"), _l("Posted a first answer.")),
    Badge("first_accepted", "bronze", False, _l("Problem solver"),
          _l("Had a first answer accepted.")),
    Badge("solved_own_thread", "bronze", False, _l("Closed the loop"),
          _l("Accepted an answer to one of their own questions, marking the thread solved.")),
    Badge("answer_score_10", "silver", True, _l("Great answer"),
          _l("An answer reached a score of 10.")),
    Badge("accepted_10", "silver", False, _l("Expert"), _l("Had 10 answers accepted.")),
    Badge("accepted_100", "gold", False, _l("Guru"), _l("Had 100 answers accepted.")),
    Badge("promoted_to_kb", "gold", False, _l("Knowledge author"),
          _l("An answer was promoted to a knowledge-base article.")),
)
BY_SLUG = {badge.slug: badge for badge in BADGES}
GREAT_ANSWER_SCORE = 10
ACCEPTED_LEVELS = ((1, "first_accepted"), (10, "accepted_10"), (100, "accepted_100"))


# Asked by every post and vote that may earn a badge: built once, run past the ORM.
_HELD = select(BadgeAward.id).where(BadgeAward.user_id == bindparam("user_id"),
                                    BadgeAward.badge == bindparam("badge"),
                                    BadgeAward.award_key == bindparam("key"))


def award(user_id: int, slug: str, *, post: Post | None = None) -> bool:
    """Give a badge in the caller's transaction; False when the user already has it."""
    badge = BY_SLUG[slug]
    key = str(post.id) if badge.repeatable and post is not None else ""
    held = db.session.connection().scalar(
        _HELD, {"user_id": user_id, "badge": slug, "key": key})
    if held is not None:
        return False
    try:
        with db.session.begin_nested():  # a concurrent award wins the unique constraint
            db.session.add(BadgeAward(
                user_id=user_id, badge=slug, award_key=key,
                post_id=post.id if post is not None else None, created_at=timeutil.utcnow(),
            ))
        return True
    except IntegrityError:
        return False


def accepted_answer_count(user_id: int) -> int:
    """How many of the user's live answers are accepted in live threads."""
    return db.session.scalar(
        select(func.count(Thread.id))
        .join(Post, Post.id == Thread.accepted_answer_id)
        .where(Post.author_id == user_id, listed(Post), listed(Thread))
    ) or 0


def after_accept(thread: Thread, answer: Post, actor: User) -> None:
    """The badges an acceptance may earn: the answerer's and the asker's."""
    if actor.id == thread.author_id:
        award(thread.author_id, "solved_own_thread", post=answer)
    if answer.author_id == thread.author_id:
        return  # one's own answer counts for no answering badge
    count = accepted_answer_count(answer.author_id)
    for level, slug in ACCEPTED_LEVELS:
        if count >= level:
            award(answer.author_id, slug, post=answer)


def after_vote(post: Post, score: int) -> None:
    """An answer reaching a score of 10 earns its author a Great answer badge."""
    if not post.is_question and score >= GREAT_ANSWER_SCORE:
        award(post.author_id, "answer_score_10", post=post)


# --- reading -------------------------------------------------------------------------

@dataclass
class Earned:
    """A badge a user holds, how often, and when they last earned it."""

    badge: Badge
    count: int
    last_at: datetime


def badges_of(user: User) -> list[Earned]:
    """The user's badges, gold first, in definition order."""
    rows = db.session.execute(
        select(BadgeAward.badge, func.count(), func.max(BadgeAward.created_at))
        .where(BadgeAward.user_id == user.id).group_by(BadgeAward.badge)
    )
    held = {slug: (count, last) for slug, count, last in rows}
    order = {"gold": 0, "silver": 1, "bronze": 2}
    earned = [Earned(b, *held[b.slug]) for b in BADGES if b.slug in held]
    return sorted(earned, key=lambda e: order[e.badge.tier])


def overview() -> list[tuple[Badge, int]]:
    """Every badge with the number of users who hold it."""
    rows = db.session.execute(
        select(BadgeAward.badge, func.count(func.distinct(BadgeAward.user_id)))
        .group_by(BadgeAward.badge)
    )
    holders = dict(rows.all())
    return [(badge, holders.get(badge.slug, 0)) for badge in BADGES]


def get_badge(slug) -> Badge:
    """The badge with this slug, or NotFound."""
    slug = inputs.lookup(slug, 32)
    if slug not in BY_SLUG:
        raise NotFound(_l("No such badge."))
    return BY_SLUG[slug]


def awards_of(badge: Badge, page: int = 1, per_page: int = 50) -> Page:
    """Who earned a badge (each award, with its post), newest first."""
    query = (
        select(BadgeAward)
        .where(BadgeAward.badge == badge.slug)
        .options(joinedload(BadgeAward.user), joinedload(BadgeAward.post).joinedload(Post.thread))
        .order_by(BadgeAward.created_at.desc(), BadgeAward.id.desc())
    )
    return paginate(query, page, per_page)
