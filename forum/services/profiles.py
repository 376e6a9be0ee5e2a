"""Read-only views of a user's activity for the profile page."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Post, Thread, User, listed
from . import accounts, badges, inputs, ledger
from .pagination import Page, page_args, paginate

PROFILE_TABS = ("questions", "answers", "reputation")
TOP_ANSWERS = 5
LEDGER_DAYS_PER_PAGE = 10
_KIND = {"questions": "question", "answers": "answer"}


@dataclass
class ProfilePage:
    """What a profile shows: the user, counts, badges, top answers, and the tab's
    page: their questions or answers, or their reputation history and ledger by day."""

    user: User
    stats: dict
    tab: str
    posts: Page | None
    badges: list
    top_answers: list[Post]
    history: list | None = None
    ledger: Page | None = None


def posts_by(user: User, kind: str, page: int = 1, per_page: int = 20) -> Page:
    """A user's live questions or answers with their threads loaded, newest first."""
    kind = inputs.choice(kind, "kind", ("question", "answer"))
    query = (
        select(Post)
        .join(Post.thread)
        .where(
            Post.author_id == user.id,
            Post.kind == kind,
            listed(Post),
            listed(Thread),
        )
        .options(contains_eager(Post.thread))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    return paginate(query, page, per_page)


def question_count(user: User) -> int:
    """How many live questions the user asked."""
    return db.session.scalar(
        select(func.count(Thread.id)).where(
            Thread.author_id == user.id, listed(Thread)
        )
    ) or 0


def top_answers(user: User, limit: int = TOP_ANSWERS) -> list[Post]:
    """The user's best-scored live answers (score above 0), with their threads."""
    query = (
        select(Post)
        .join(Post.thread)
        .where(
            Post.author_id == user.id, Post.kind == "answer", Post.score > 0,
            listed(Post), listed(Thread),
        )
        .options(contains_eager(Post.thread))
        .order_by(Post.score.desc(), Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def profile_page(username, tab="questions", page=None) -> ProfilePage:
    """Load a profile: the user, counts, badges, top answers and the chosen tab."""
    user = accounts.get_user(username)
    tab = inputs.choice(tab or "questions", "tab", PROFILE_TABS)
    stats = {**accounts.user_stats(user), "question_count": question_count(user)}
    profile = ProfilePage(
        user=user, stats=stats, tab=tab, posts=None,
        badges=badges.badges_of(user), top_answers=top_answers(user),
    )
    if tab == "reputation":
        page, per_page = page_args(page, None, default_per_page=LEDGER_DAYS_PER_PAGE)
        profile.history = ledger.history(user)
        profile.ledger = ledger.ledger_days(user, page, per_page)
    else:
        page, per_page = page_args(page, None, default_per_page=20)
        profile.posts = posts_by(user, _KIND[tab], page, per_page)
    return profile
