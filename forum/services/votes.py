"""Votes on posts: one per user per post, changeable, never on one's own."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..models import Post, Thread, User, Vote
from ..permissions import require
from ..transactions import transactional
from . import reputation
from .counters import increment
from .indexing import index_thread
from .threads import get_post


def _value(value) -> int:
    if type(value) is not int or value not in (1, -1, 0):
        raise ValidationError(_l("Vote value must be 1, -1 or 0."), fields={"value": "1, -1 or 0"})
    return value


@transactional
def cast_vote(voter: User, post_id, value) -> tuple[int, int]:
    """Vote a post up (1), down (-1) or withdraw (0); returns (score, my_vote)."""
    value = _value(value)
    post = get_post(post_id, voter)
    require(voter, "vote", post)
    vote = _existing_vote(voter, post)
    if vote is None and value:
        vote, inserted = _insert_vote(voter, post, value)
        old = 0 if inserted else vote.value
    else:
        old = vote.value if vote else 0
    if old == value:
        return post.score, value
    if old:
        _reward(voter, post, old, undo=True)
    if value:
        vote.value = value
        _reward(voter, post, value)
    else:
        db.session.delete(vote)
    _add_score(post, value - old)
    db.session.refresh(post, ["score"])
    return post.score, value


def _existing_vote(voter: User, post: Post) -> Vote | None:
    return db.session.scalar(
        select(Vote).where(Vote.user_id == voter.id, Vote.post_id == post.id)
    )


def _insert_vote(voter: User, post: Post, value: int) -> tuple[Vote, bool]:
    """Insert the vote, or return the one a concurrent request inserted first.

    The unique constraint decides the race (PostgreSQL); the savepoint keeps
    the rest of the transaction usable when it does.
    """
    try:
        with db.session.begin_nested():
            vote = Vote(user_id=voter.id, post_id=post.id, value=value)
            db.session.add(vote)
        return vote, True
    except IntegrityError:
        return _existing_vote(voter, post), False


def _add_score(post: Post, delta: int) -> None:
    increment(Post, post.id, score=delta)
    if post.is_question:
        increment(Thread, post.thread_id, score=delta)
        index_thread(post.thread_id)  # the thread's score ranks and sorts results


def _reward(voter: User, post: Post, value: int, *, undo: bool = False) -> None:
    if value > 0:
        reputation.record(post.author_id, "upvote", post=post, actor=voter, undo=undo)
        return
    reputation.record(post.author_id, "downvote", post=post, actor=voter, undo=undo)
    if not post.is_question:
        reputation.record(voter.id, "downvote_cast", post=post, actor=voter, undo=undo)
