"""Warnings to members and moderators' notes about them.

A warning is shown to its member on their next page view, then marked seen
and kept; notes are read by moderators only (on the member's moderation page).
"""
from sqlalchemy import select, update

from forum.extensions import db
from forum.models import User
from forum.services import counters
from forum.timeutil import utcnow
from forum.transactions import transactional

from .. import audit
from ..models import ModeratorNote, UserWarning
from . import members


@transactional
def warn(moderator: User, username, message) -> UserWarning:
    """Warn a member; they see the message on their next page."""
    member = members.member_for(moderator, username, "warn_user")
    text = members.message(message)
    warning = UserWarning(user_id=member.id, moderator_id=moderator.id, message=text)
    db.session.add(warning)
    db.session.flush()
    counters.increment(User, member.id, unseen_warnings=1)
    audit.record(moderator, "warn", "user", member.id, reason=text[:500],
                 after={"warning_id": warning.id})
    return warning


@transactional
def add_note(moderator: User, username, body) -> ModeratorNote:
    """Write a note about a member that only moderators read."""
    member = members.member_for(moderator, username, "add_moderator_note")
    text = members.message(body, "body")
    note = ModeratorNote(user_id=member.id, author_id=moderator.id, body=text)
    db.session.add(note)
    db.session.flush()
    audit.record(moderator, "note", "user", member.id, reason=text[:500],
                 after={"note_id": note.id})
    return note


def unseen_warnings(user: User) -> list[UserWarning]:
    """The member's warnings not shown yet, oldest first (no query when the count on
    their row says there is none)."""
    if not user.unseen_warnings:
        return []
    return list(db.session.scalars(
        select(UserWarning)
        .where(UserWarning.user_id == user.id, UserWarning.seen_at.is_(None))
        .order_by(UserWarning.id)
    ))


@transactional
def mark_seen(user: User, warning_ids: list[int]) -> None:
    """Record that the member's page showed these warnings (they stay on record)."""
    seen = db.session.execute(
        update(UserWarning)
        .where(UserWarning.user_id == user.id, UserWarning.id.in_(warning_ids),
               UserWarning.seen_at.is_(None))
        .values(seen_at=utcnow())
    ).rowcount
    counters.increment(User, user.id, unseen_warnings=-seen)
