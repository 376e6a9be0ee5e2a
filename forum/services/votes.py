"""Votes on posts: one per user per post, changeable, never on one's own."""
import functools
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import Conflict, ValidationError
from ..extensions import db
from ..models import Post, Thread, User, Vote
from ..permissions import require
from ..timeutil import utcnow
from ..transactions import transactional
from . import badges, reputation
from .counters import increment
from .indexing import rescore_thread
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
    old = _claim_vote(voter.id, post, value)
    if old == value:
        return post.score, value
    if old:
        reputation.unreward_vote(voter.id, post, voter)
        _change_vote(voter.id, post.id, value)
    if value:
        reputation.reward_vote(voter, post, value)
    score = _add_score(post, value - old, post_scored=not old)
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
        if post is None or _existing_vote(user.id, post.id) is not None:
            continue
        db.session.add(Vote(user_id=user.id, post_id=post.id, value=value,
                            created_at=created_at))
        _add_score(post, value)
        restored.append(post)
    db.session.flush()
    reputation.settle_posts(restored, actor, "vote_restored")
    return len(restored)


# Votes are the most frequent write: their statements are built once and run on the
# session's connection, past the ORM's unit of work (which cost a vote a fifth of its time).
_VOTE = (select(Vote.value).where(Vote.user_id == bindparam("voter"),
                                  Vote.post_id == bindparam("post"))
         # FOR UPDATE (PostgreSQL): a concurrent change of the same vote waits for this
         # one and then sees its result, so a vote is never reversed twice.
         .with_for_update())
_CHANGE = (update(Vote).where(Vote.user_id == bindparam("voter"),
                              Vote.post_id == bindparam("post"))
           .values(value=bindparam("new_value")))
_DELETE = delete(Vote).where(Vote.user_id == bindparam("voter"),
                             Vote.post_id == bindparam("post"))


def _existing_vote(voter_id: int, post_id: int) -> int | None:
    """The value of the voter's vote on the post, None if there is none."""
    return db.session.connection().scalar(_VOTE, {"voter": voter_id, "post": post_id})


def _claim_vote(voter_id: int, post: Post, value: int) -> int:
    """The value of the vote being replaced, 0 if there was none; a first vote is inserted
    here with `value`, and added to the post's score (the post's row is locked before
    the users', as when a post is edited or deleted).

    The insert comes first: most votes are first votes, and it needs no read before.
    When a vote is there already, it is read under a row lock (PostgreSQL); if it was
    withdrawn meanwhile by the member's own concurrent request, the insert is tried again.
    """
    dialect = db.session.connection().dialect.name
    for _ in range(2):
        if value and increment(Post, post.id, score=value, along=(_insert_first(dialect), {
                "vote_user_id": voter_id, "vote_post_id": post.id, "vote_value": value,
                "vote_created_at": utcnow()})) is not None:
            return 0
        old = _existing_vote(voter_id, post.id)
        if old is not None or not value:
            return old or 0
    raise Conflict(_l("Your vote could not be saved. Please try again."))


@functools.cache
def _insert_first(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {column: bindparam(f"vote_{column}")  # named apart from the columns
              for column in ("user_id", "post_id", "value", "created_at")}
    return (insert(Vote).values(values)
            .on_conflict_do_nothing(index_elements=["user_id", "post_id"])
            .returning(Vote.id))


def _change_vote(voter_id: int, post_id: int, value: int) -> None:
    keys = {"voter": voter_id, "post": post_id}
    if value:
        db.session.connection().execute(_CHANGE, {**keys, "new_value": value})
    else:
        db.session.connection().execute(_DELETE, keys)


def _add_score(post: Post, delta: int, *, post_scored: bool = False) -> int:
    """Add `delta` to the post's score (unless `post_scored`: added already) and a
    question's thread's; the post's new score."""
    (score,) = (post.score,) if post_scored else increment(Post, post.id, score=delta)
    if post.is_question:
        increment(Thread, post.thread_id, score=delta)
        rescore_thread(post.thread_id)  # the thread's score ranks and sorts results
    return score
