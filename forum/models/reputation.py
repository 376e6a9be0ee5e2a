"""Reputation: the ledger, badges earned, and votes held back as serial voting."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .users import User


class ReputationEvent(db.Model):
    """One change of one user's reputation; User.reputation caches 1 + their sum.

    `source` names the cause the event belongs to ("vote:<voter>:<post>",
    "accept:<post>", "promotion:<post>"): the events of one source and user
    sum to what that cause currently gives the user, so a reversal writes
    exactly minus that sum. `detail` says why an amount is smaller than the
    rule's points ("capped" by the daily vote limit, "serial" voting).
    """

    __tablename__ = "reputation_events"
    __table_args__ = (
        Index("ix_reputation_events_user_created", "user_id", "created_at"),
        Index("ix_reputation_events_post_id", "post_id"),
        Index("ix_reputation_events_thread_created", "thread_id", "created_at"),
        Index("ix_reputation_events_actor_user_created", "actor_id", "user_id", "created_at"),
        Index("ix_reputation_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(48))
    detail: Mapped[str | None] = mapped_column(String(16))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post = relationship("Post", foreign_keys=[post_id], viewonly=True)


class BadgeAward(db.Model):
    """A badge a user earned. `award_key` is "" for once-only badges and the
    post id for repeatable ones, so the unique constraint forbids a second
    award of the same badge (for the same post) even under concurrency."""

    __tablename__ = "badge_awards"
    __table_args__ = (
        UniqueConstraint("user_id", "badge", "award_key"),
        Index("ix_badge_awards_badge_created", "badge", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge: Mapped[str] = mapped_column(String(32))
    award_key: Mapped[str] = mapped_column(String(32), default="")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    post = relationship("Post", foreign_keys=[post_id], viewonly=True)


class SerialVote(db.Model):
    """A vote that counted but earned no reputation: its voter had already voted
    on more than the limit of the same author's posts within the window.
    Moderators review these (the moderation issue's queue lists them)."""

    __tablename__ = "serial_votes"
    __table_args__ = (
        Index("ix_serial_votes_voter_author", "voter_id", "author_id", "created_at"),
        Index("ix_serial_votes_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    voter: Mapped[User] = relationship(foreign_keys=[voter_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
