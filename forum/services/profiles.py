"""Read-only views of a user's activity for the profile page."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Post, Thread, User
from . import accounts, inputs
from .pagination import Page, page_args, paginate

PROFILE_TABS = ("questions", "answers")
_KIND = {"questions": "question", "answers": "answer"}


@dataclass
class ProfilePage:
    """What a profile shows: the user, counts, and one page of their posts."""

    user: User
    stats: dict
    tab: str
    posts: Page


def posts_by(user: User, kind: str, page: int = 1, per_page: int = 20) -> Page:
    """A user's live questions or answers with their threads loaded, newest first."""
    kind = inputs.choice(kind, "kind", ("question", "answer"))
    query = (
        select(Post)
        .join(Post.thread)
        .where(
            Post.author_id == user.id,
            Post.kind == kind,
            Post.deleted_at.is_(None),
            Thread.deleted_at.is_(None),
        )
        .options(contains_eager(Post.thread))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    return paginate(query, page, per_page)


def question_count(user: User) -> int:
    """How many live questions the user asked."""
    return db.session.scalar(
        select(func.count(Thread.id)).where(
            Thread.author_id == user.id, Thread.deleted_at.is_(None)
        )
    ) or 0


def profile_page(username, tab="questions", page=None) -> ProfilePage:
    """Load a profile: the user, their counts and one page of questions or answers."""
    user = accounts.get_user(username)
    tab = inputs.choice(tab or "questions", "tab", PROFILE_TABS)
    page, per_page = page_args(page, None, default_per_page=20)
    stats = {**accounts.user_stats(user), "question_count": question_count(user)}
    posts = posts_by(user, _KIND[tab], page, per_page)
    return ProfilePage(user=user, stats=stats, tab=tab, posts=posts)
