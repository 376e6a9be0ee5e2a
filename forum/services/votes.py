"""Votes on posts: one per user per post, changeable, never on one's own."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..models import Post, Thread, User, Vote
from ..permissions import require
from ..transactions import transactional
from . import badges, reputation
from .counters import increment
from .indexing import index_thread
from .threads import get_post

# What casting each value needs: up and down votes their privileges; withdrawing
# a vote only what any vote needs (so someone who lost points can still undo one).
_ACTIONS = {1: "vote_up", -1: "vote_down", 0: "vote"}


def _value(value) -> int:
    if type(value) is not int or value not in (1, -1, 0):
        raise ValidationError(_l("Vote value must be 1, -1 or 0."), fields={"value": "1, -1 or 0"})
    return value


@transactional
def cast_vote(voter: User, post_id, value) -> tuple[int, int]:
    """Vote a post up (1), down (-1) or withdraw (0); returns (score, my_vote)."""
    value = _value(value)
    post = get_post(post_id, voter)
    require(voter, _ACTIONS[value], post)
    vote = _existing_vote(voter, post)
    if vote is None and value:
        vote, inserted = _insert_vote(voter, post, value)
        old = 0 if inserted else vote.value
    else:
        old = vote.value if vote else 0
    if old == value:
        return post.score, value
    if old:
        reputation.unreward_vote(voter.id, post, voter)
    if value:
        vote.value = value
        reputation.reward_vote(voter, post, value)
    else:
        db.session.delete(vote)
    score = _add_score(post, value - old)
    badges.after_vote(post, score)
    return score, value


@transactional
def remove_votes_of(actor: User, user: User) -> int:
    """Remove every vote `user` cast, with what it earned (moderators: suspensions,
    deleted accounts). Votes on deleted posts earn nothing now, so only their
    scores change. Returns how many votes were removed."""
    require(actor, "remove_votes")
    removed = 0
    for vote in db.session.scalars(
        select(Vote).where(Vote.user_id == user.id).order_by(Vote.id).with_for_update()
    ):
        post = db.session.get(Post, vote.post_id)
        reputation.unreward_vote(user.id, post, actor)
        _add_score(post, -vote.value)
        db.session.delete(vote)
        removed += 1
    return removed


@transactional
def restore_votes(actor: User, user: User, cast: list[tuple[int, int, datetime]]) -> int:
    """Put back votes that `remove_votes_of` removed, as (post_id, value, created_at).

    Restoring a deleted spammer uses it: each vote earns again exactly what it
    earned before it was removed (the ledger's latest grant, never re-capped).
    Votes whose post is gone or that were cast again meanwhile are skipped.
    Returns how many votes came back.
    """
    require(actor, "remove_votes")
    restored: list[Post] = []
    for post_id, value, created_at in cast:
        post = db.session.get(Post, post_id)
        if post is None or _existing_vote(user, post) is not None:
            continue
        db.session.add(Vote(user_id=user.id, post_id=post.id, value=value,
                            created_at=created_at))
        _add_score(post, value)
        restored.append(post)
    db.session.flush()
    reputation.settle_posts(restored, actor, "vote_restored")
    return len(restored)


def _existing_vote(voter: User, post: Post) -> Vote | None:
    # FOR UPDATE (PostgreSQL): a concurrent change of the same vote waits for this
    # one and then sees its result, so a vote is never reversed twice.
    return db.session.scalar(
        select(Vote).where(Vote.user_id == voter.id, Vote.post_id == post.id).with_for_update()
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


def _add_score(post: Post, delta: int) -> int:
    """Add `delta` to the post's score (and a question's thread's); the post's new score."""
    (score,) = increment(Post, post.id, score=delta)
    if post.is_question:
        increment(Thread, post.thread_id, score=delta)
        index_thread(post.thread_id)  # the thread's score ranks and sorts results
    return score
