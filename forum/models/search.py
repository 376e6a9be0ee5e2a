"""Search bookkeeping: clicked suggestions, and the
ids that imported content had at its source (so a second import adds nothing)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .users import User


class SuggestionClick(db.Model):
    """A click on a suggestion shown while asking: a question maybe never asked."""

    __tablename__ = "suggestion_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(8))
    doc_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class ExternalId(db.Model):
    """Which local row an imported item became, e.g. Stack Exchange post 17 -> post 4."""

    __tablename__ = "external_ids"
    __table_args__ = (UniqueConstraint("source", "kind", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))  # e.g. "stackexchange:iot"
    kind: Mapped[str] = mapped_column(String(16))  # user, question, answer, comment
    external_id: Mapped[int]
    local_id: Mapped[int]
