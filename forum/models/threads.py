"""Q&A content: threads, their posts (question and answers), comments, votes, tags."""
import hashlib
from datetime import datetime

from sqlalchemy import (
    BigInteger, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, and_, false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..timeutil import utcnow
from .boards import Board
from .users import User

thread_tags = Table(
    "thread_tags",
    db.metadata,
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(35), unique=True)
    thread_count: Mapped[int] = mapped_column(default=0)


def text_hash(text: str) -> int:
    """A 64-bit hash of a text, signed to fit a BIGINT column on every database."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big",
                          signed=True)


def _partial_index(name: str, *columns: str, where: str) -> Index:
    """An index of only the rows meeting `where`, on SQLite and PostgreSQL alike."""
    condition = text(where)
    return Index(name, *columns, sqlite_where=condition, postgresql_where=condition)


def _listed_index(name: str, *columns: str) -> Index:
    """An index of a board's listed threads in one sort's order (pinned first): a board
    page reads its 30 rows straight from it and counts the board from it, on SQLite and
    PostgreSQL (bench/QUERY-PLANS.md)."""
    return _partial_index(name, "board_id", *columns, "id",
                          where="deleted_at IS NULL AND hidden_at IS NULL")


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        _listed_index("ix_threads_listed_activity", "is_pinned", "last_activity_at"),
        _listed_index("ix_threads_listed_created", "is_pinned", "created_at"),
        _listed_index("ix_threads_listed_score", "is_pinned", "score", "created_at"),
        # Thread pages list the threads merged into them; nearly all rows have none.
        _partial_index("ix_threads_merged_into", "merged_into_id",
                       where="merged_into_id IS NOT NULL"),
        _listed_index("ix_threads_listed_unanswered", "answer_count", "is_pinned", "created_at"),
        # The support desk's unresolved threads, oldest first: open, unsolved, listed ones,
        # with what decides "unresolved" in the index so counting them reads no rows.
        _partial_index("ix_threads_unresolved_created", "created_at", "id", "answer_count",
                       "last_activity_at", where="accepted_answer_id IS NULL AND closed_at IS NULL"
                       " AND deleted_at IS NULL AND hidden_at IS NULL"),
        # A member's accepted answers are counted from their posts to the solved threads.
        _partial_index("ix_threads_accepted_answer", "accepted_answer_id",
                       where="accepted_answer_id IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    slug: Mapped[str] = mapped_column(String(80))
    accepted_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL")
    )
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(32))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    deleted_at: Mapped[datetime | None]
    # Hidden by flags or held by spam screening ("flagged" / "held") until a moderator decides.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(16))
    # Set when a moderator merged this thread into another: its URL redirects there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    # Counts close/reopen cycles, so community close votes of a past round stop counting.
    close_round: Mapped[int] = mapped_column(default=0, server_default="0")
    # Counters kept by the services (the question's score, live answers, views).
    score: Mapped[int] = mapped_column(default=0)
    answer_count: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    board: Mapped[Board] = relationship(foreign_keys=[board_id])
    duplicate_of: Mapped["Thread | None"] = relationship(
        remote_side=[id], foreign_keys=[duplicate_of_id]
    )
    merged_into: Mapped["Thread | None"] = relationship(
        remote_side=[id], foreign_keys=[merged_into_id]
    )
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    last_activity_user: Mapped[User | None] = relationship(foreign_keys=[last_activity_user_id])
    tags: Mapped[list[Tag]] = relationship(secondary=thread_tags, order_by=Tag.name)
    question: Mapped["Post"] = relationship(
        primaryjoin=lambda: and_(Post.thread_id == Thread.id, Post.kind == "question"),
        viewonly=True,
        uselist=False,
    )
    # The support ticket the thread was escalated to (at most one).
    ticket = relationship(
        "Ticket", primaryjoin="Ticket.source_thread_id == Thread.id",
        foreign_keys="Ticket.source_thread_id", viewonly=True, uselist=False,
    )

    @property
    def status(self) -> str:
        """One word for the thread's state: deleted, closed, answered or open."""
        if self.deleted_at:
            return "deleted"
        if self.closed_at:
            return "closed"
        if self.accepted_answer_id:
            return "answered"
        return "open"

    @property
    def is_answered(self) -> bool:
        return self.accepted_answer_id is not None

    @property
    def is_listed(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


def _hidden_index(table: str) -> Index:
    """The few hidden rows (held for review, flagged away): the review queue finds the held
    ones without reading every post or comment."""
    return _partial_index(f"ix_{table}_hidden", "hidden_reason", "hidden_at",
                          where="hidden_reason IS NOT NULL")


class Post(db.Model):
    """The question (kind "question", one per thread) or an answer."""

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_thread_kind", "thread_id", "kind"),
        # A member's posts, newest last: profiles.
        Index("ix_posts_author_created", "author_id", "created_at"),
        # The spam check for the same text posted again: without the hash it compared
        # the text of every post the member wrote that day (4 ms at 650 posts).
        Index("ix_posts_author_body_hash", "author_id", "body_hash", "created_at"),
        _hidden_index("posts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # ix_posts_author_created
    kind: Mapped[str] = mapped_column(String(10), default="answer")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # text_hash(body), set with the body; none on rows bulk-inserted past the ORM
    body_hash: Mapped[int | None] = mapped_column(BigInteger)
    score: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(16))
    # An answer posted by staff as a ticket's resolution: shown with a staff badge.
    is_staff_answer: Mapped[bool] = mapped_column(default=False, server_default=false())

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])

    @validates("body")
    def _hash_body(self, _key, body: str) -> str:
        self.body_hash = text_hash(body)
        return body

    @property
    def is_question(self) -> bool:
        return self.kind == "question"

    @property
    def is_accepted(self) -> bool:
        return self.thread.accepted_answer_id == self.id

    @property
    def is_listed(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(db.Model):
    """One saved version of a post; number 1 is the original."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str | None] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class Comment(db.Model):
    """A comment on a post; `parent_id` makes it a reply to another comment."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_author_created", "author_id", "created_at"),
        _hidden_index("comments"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # ix_comments_author_created
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(16))

    post: Mapped[Post] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])

    @property
    def is_listed(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class CommentRevision(db.Model):
    """A comment's earlier text, kept when it is edited (by its author or a moderator)."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class Vote(db.Model):
    """One vote per user per post, enforced by the unique constraint."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("user_id", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def listed(model):
    """SQL condition: a Thread, Post or Comment row that everyone may see (not deleted, not hidden)."""
    return and_(model.deleted_at.is_(None), model.hidden_at.is_(None))
