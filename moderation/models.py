"""Moderation's tables: flags, the audit log, warnings, suspensions, notes, close votes
and the screening lists.

Imports only `forum.extensions`, `forum.models` and `forum.timeutil`, so that
`forum` can write an audit row or screen content without an import cycle.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models import Comment, Post, Thread, User
from forum.timeutil import utcnow

FLAG_REASONS = ("spam", "offensive", "off_topic", "duplicate", "other")
FLAG_STATUSES = ("pending", "accepted", "declined")
CLOSE_REASONS = ("duplicate", "off_topic", "unclear", "resolved_elsewhere")


class Flag(db.Model):
    """A user's report of a post or a comment (exactly one of the two is set).

    `open_key` is "<user>:<post|comment>:<id>" while the flag is pending and
    NULL once resolved: its unique index allows one open flag per user per
    item on both databases, and any number of resolved ones.
    """

    __tablename__ = "flags"
    __table_args__ = (
        Index("ix_flags_status_created", "status", "created_at"),
        Index("ix_flags_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    open_key: Mapped[str | None] = mapped_column(String(48), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    post: Mapped[Post | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    duplicate_of: Mapped[Thread | None] = relationship()
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class AuditEntry(db.Model):
    """One moderator, staff, admin or automatic action; written once, never changed.

    `actor_id` is NULL for the system (an automatic hide or hold). `target_type`
    and `target_id` name what was acted on ("thread", "post", "comment", "user",
    "flag", "article", "ticket", "board", "screening"); `before` and `after`
    hold the values the action changed.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_target", "target_type", "target_id"),
        Index("ix_audit_entries_actor_created", "actor_id", "created_at"),
        Index("ix_audit_entries_action_created", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class UserWarning(db.Model):
    """A moderator's warning, shown to the user on their next page view and kept."""

    __tablename__ = "user_warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    moderator: Mapped[User] = relationship(foreign_keys=[moderator_id])


class Suspension(db.Model):
    """One suspension in a user's history; `User.suspended_until` caches the current one."""

    __tablename__ = "suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    moderator: Mapped[User] = relationship(foreign_keys=[moderator_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])


class ModeratorNote(db.Model):
    """A note about a user that only moderators see."""

    __tablename__ = "moderator_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])


class CloseVote(db.Model):
    """A community vote to close (or reopen) a thread; the votes of one round act together.

    `round` counts the thread's close/reopen cycles, so votes of an earlier
    round stay on record without counting towards the next decision.
    """

    __tablename__ = "close_votes"
    __table_args__ = (UniqueConstraint("thread_id", "user_id", "kind", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(8))  # close | reopen
    reason: Mapped[str | None] = mapped_column(String(24))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    round: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ScreeningTerm(db.Model):
    """A blocked word or domain (kind "word" or "domain"), edited by admins."""

    __tablename__ = "screening_terms"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
