"""Deleting a spammer in one action, and restoring everything that action removed.

Deleting soft-deletes every live post (answers first, then questions, which
take their threads with them) through the thread services, so reputation is
reversed the usual way; soft-deletes their live comments; and removes their
votes with what those earned. The audit row keeps the ids and the votes, so
`restore_spammer` brings back exactly what this action took and nothing that
was deleted for another reason.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forum.errors import Conflict
from forum.extensions import db
from forum.models import Comment, Post, User, Vote
from forum.services import threads, votes
from forum.timeutil import utcnow
from forum.transactions import transactional

from .. import audit
from ..models import AuditEntry
from . import members

DELETE, RESTORE = "delete_spammer", "restore_spammer"


def _last_action(member: User) -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.target_type == "user", AuditEntry.target_id == member.id,
               AuditEntry.action.in_((DELETE, RESTORE)))
        .order_by(AuditEntry.id.desc()).limit(1)
    )


def is_deleted_spammer(member: User) -> bool:
    """Whether the member's content is currently removed as spam."""
    last = _last_action(member)
    return last is not None and last.action == DELETE


@transactional
def delete_spammer(moderator: User, username, reason="") -> dict:
    """Remove all of a member's content and votes in one action; returns what was removed."""
    member = members.member_for(moderator, username, "delete_spammer")
    reason = members.optional_reason(reason)
    if is_deleted_spammer(member):
        raise Conflict(_l("%(name)s was already deleted as a spammer.", name=member.username))
    cast = [[v.post_id, v.value, v.created_at.isoformat()] for v in db.session.scalars(
        select(Vote).where(Vote.user_id == member.id).order_by(Vote.id))]
    votes.remove_votes_of(moderator, member)
    posts = list(db.session.scalars(
        select(Post).where(Post.author_id == member.id, Post.deleted_at.is_(None))
        .order_by(Post.kind == "question", Post.id)  # answers first
    ))
    for post in posts:
        if post.thread.deleted_at is None or post.is_question:
            threads.delete_post(moderator, post.id)
    comments = list(db.session.scalars(
        select(Comment).where(Comment.author_id == member.id, Comment.deleted_at.is_(None))))
    now = utcnow()
    for comment in comments:
        comment.deleted_at = now
    removed = {"posts": [p.id for p in posts if p.deleted_at is not None],
               "comments": [c.id for c in comments], "votes": cast}
    audit.record(moderator, DELETE, "user", member.id, reason=reason, after=removed)
    return removed


@transactional
def restore_spammer(moderator: User, username, reason="") -> dict:
    """Bring back what the member's last deletion as a spammer removed."""
    member = members.member_for(moderator, username, "restore_spammer")
    reason = members.optional_reason(reason)
    last = _last_action(member)
    if last is None or last.action != DELETE:
        raise Conflict(_l("%(name)s was not deleted as a spammer.", name=member.username))
    removed = last.after or {}
    posts = db.session.scalars(select(Post).where(Post.id.in_(removed.get("posts", []))))
    for post in sorted(posts, key=lambda p: (not p.is_question, p.id)):  # threads first
        if post.deleted_at is not None:
            threads.restore_post(moderator, post.id)
    for comment in db.session.scalars(
            select(Comment).where(Comment.id.in_(removed.get("comments", [])))):
        comment.deleted_at = None
    cast = [(post_id, value, datetime.fromisoformat(when))
            for post_id, value, when in removed.get("votes", [])]
    votes.restore_votes(moderator, member, cast)
    audit.record(moderator, RESTORE, "user", member.id, reason=reason, after=removed)
    return removed
