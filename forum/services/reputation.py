"""The reputation ledger: append events, keep User.reputation as their sum.

Every change is an event row written in the caller's transaction; undoing
something (a withdrawn vote, an un-accept) appends the opposite amount, so
the ledger stays a complete history and the cache can always be rebuilt.
"""
from sqlalchemy import select

from ..extensions import db
from ..models import ReputationEvent, User
from .counters import increment
from .pagination import paginate

POINTS = {
    "upvote": 10,  # to the author of a post voted up
    "downvote": -2,  # to the author of a post voted down
    "downvote_cast": -1,  # to whoever votes an answer down
    "accepted": 15,  # to the author of the accepted answer
    "accept_given": 2,  # to the asker who accepts someone else's answer
    "promoted": 25,  # to the author of an answer that staff promote to the knowledge base
}


def record(user_id: int, reason: str, *, post=None, actor=None, undo: bool = False) -> None:
    """Append one ledger event (or its reversal) and update the cached sum."""
    amount = -POINTS[reason] if undo else POINTS[reason]
    db.session.add(
        ReputationEvent(
            user_id=user_id,
            amount=amount,
            reason=f"{reason}_undone" if undo else reason,
            post_id=post.id if post else None,
            thread_id=post.thread_id if post else None,
            actor_id=actor.id if actor else None,
        )
    )
    increment(User, user_id, reputation=amount)


def ledger(user: User, page: int, per_page: int):
    """The user's ledger events, newest first."""
    query = (
        select(ReputationEvent)
        .where(ReputationEvent.user_id == user.id)
        .order_by(ReputationEvent.created_at.desc(), ReputationEvent.id.desc())
    )
    return paginate(query, page, per_page)
