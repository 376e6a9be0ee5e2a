"""The knowledge base: articles (article, FAQ, tutorial), their revisions and reader feedback."""
from datetime import datetime

from sqlalchemy import (JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .boards import Board
from .threads import Post, Thread
from .users import User

ARTICLE_KINDS = ("article", "faq", "tutorial")
ARTICLE_STATUSES = ("draft", "published", "archived")


class Article(db.Model):
    """A KB article in one product area (board); `body_html` and `toc` are rendered on save."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        Index("ix_kb_articles_board_status", "board_id", "status"),
        Index("ix_kb_articles_status_updated", "status", "updated_at"),
        # Thread pages join each post to the article promoted from it. The unique index
        # is mostly NULLs, so SQLite's statistics call it useless and it scanned every
        # article per post; this one holds only promoted articles.
        Index("ix_kb_articles_promoted_from", "source_post_id",
              sqlite_where=text("source_post_id IS NOT NULL"),
              postgresql_where=text("source_post_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # [{"level": 2, "id": "section-...", "text": "..."}], from the headings of the body.
    toc: Mapped[list] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(10), default="article")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Promoted articles: the answer they came from, its thread, and the answer's
    # revision number at promotion (to notice later edits of the source).
    source_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), unique=True
    )
    source_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    source_revision: Mapped[int | None]
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id"))
    revision_count: Mapped[int] = mapped_column(default=1)
    # Counters kept by the feedback service.
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    source_post: Mapped[Post | None] = relationship()
    source_thread: Mapped[Thread | None] = relationship()
    replacement: Mapped["Article | None"] = relationship(remote_side=[id])

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_promoted(self) -> bool:
        return self.source_thread_id is not None

    @property
    def feedback_count(self) -> int:
        return self.helpful_yes + self.helpful_no

    @property
    def helpful_percent(self) -> int | None:
        """The share of 'yes' answers in percent, None without feedback."""
        total = self.feedback_count
        return round(100 * self.helpful_yes / total) if total else None

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


class ArticleSlug(db.Model):
    """A former slug of an article, kept so that old links redirect."""

    __tablename__ = "kb_article_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship()


class ArticleRevision(db.Model):
    """One saved version of an article; number 1 is the first."""

    __tablename__ = "kb_article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ArticleFeedback(db.Model):
    """One reader's "was this helpful?" answer: per signed-in user or per anonymous browser.

    `visitor_id` is the random id of an anonymous browser (from a signed
    cookie, or derived for API clients); `client_key` is a keyed hash of the
    network address, kept only to rate-limit anonymous feedback.
    """

    __tablename__ = "kb_article_feedback"
    __table_args__ = (
        UniqueConstraint("user_id", "article_id"),
        UniqueConstraint("visitor_id", "article_id"),
        CheckConstraint("user_id IS NOT NULL OR visitor_id IS NOT NULL", name="has_reader"),
        Index("ix_kb_article_feedback_article_created", "article_id", "created_at"),
        Index("ix_kb_article_feedback_client_created", "client_key", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    client_key: Mapped[str | None] = mapped_column(String(64))
    helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship()
    user: Mapped[User | None] = relationship()
