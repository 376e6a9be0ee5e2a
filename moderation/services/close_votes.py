"""Community close and reopen votes.

Users with the close_reopen privilege vote to close an open thread (with a
reason) or to reopen a closed one; `CLOSE_VOTES` votes of one round act. A
moderator's vote acts at once. Every close or reopen starts a new round
(`Thread.close_round`), so earlier votes stay on record without counting.
"""
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forum.errors import Conflict
from forum.extensions import db
from forum.models import Thread, User
from forum.permissions import require
from forum.services import threads
from forum.transactions import transactional

from ..models import CloseVote
from .thread_actions import (
    apply_close, apply_reopen, close_reason, lock, other_thread, record, snapshot,
)


@dataclass
class CloseVoteState:
    """What a vote on the thread asks for now, how many votes it has, and the viewer's part."""

    kind: str  # "close" or "reopen"
    count: int
    needed: int
    voted: bool


def needed() -> int:
    """Votes that close or reopen a thread (ASKDESK_CLOSE_VOTES)."""
    return max(1, int(current_app.config.get("CLOSE_VOTES", 3)))


def _kind(thread: Thread) -> str:
    return "reopen" if thread.closed_at is not None else "close"


def _round_votes(thread: Thread) -> list[CloseVote]:
    return list(db.session.scalars(
        select(CloseVote).where(CloseVote.thread_id == thread.id, CloseVote.kind == _kind(thread),
                                CloseVote.round == thread.close_round).order_by(CloseVote.id)
    ))


def state(thread: Thread, viewer: User | None) -> CloseVoteState:
    """The current round's votes for the thread page (one query)."""
    voters = [vote.user_id for vote in _round_votes(thread)]
    return CloseVoteState(_kind(thread), len(voters), needed(),
                          viewer is not None and viewer.id in voters)


@transactional
def cast_vote(user: User, thread_id, reason=None, duplicate_of=None) -> CloseVoteState:
    """Vote to close (with a reason) or reopen the thread; act when enough votes are in."""
    thread = threads.get_thread(thread_id, user)
    require(user, "close_reopen", thread)
    lock(thread)
    if thread.merged_into_id is not None:
        raise Conflict(_l("This thread was merged into another one."))
    kind = _kind(thread)
    votes = _round_votes(thread)
    if any(vote.user_id == user.id for vote in votes):
        raise Conflict(_l("You have voted on this thread already."))
    vote = CloseVote(thread_id=thread.id, user_id=user.id, kind=kind, round=thread.close_round)
    if kind == "close":
        vote.reason = close_reason(reason)
        if vote.reason == "duplicate":
            # Checked now, so a vote never names a thread that could not be the duplicate.
            vote.duplicate_of_id = other_thread(user, duplicate_of, thread, "duplicate_of").id
    db.session.add(vote)
    votes.append(vote)
    if user.is_moderator or len(votes) >= needed():
        _act(user, thread, votes)
    db.session.flush()
    return state(thread, user)


def _act(user: User, thread: Thread, votes: list[CloseVote]) -> None:
    """Close or reopen as the votes say; the audit row names the deciding voter."""
    before = snapshot(thread)
    if votes[-1].kind == "reopen":
        apply_reopen(thread)
    else:
        reason = Counter(v.reason for v in votes).most_common(1)[0][0]
        duplicates = Counter(v.duplicate_of_id for v in votes if v.reason == reason)
        apply_close(user, thread, reason, duplicates.most_common(1)[0][0])
    note = "" if user.is_moderator else "community vote"
    record(user, votes[-1].kind, thread, before, note, voters=[v.user_id for v in votes])
