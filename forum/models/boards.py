"""Boards: the product areas that threads are organised by."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    # Counters kept by the thread services so that lists never count per row.
    thread_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None]
    last_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", use_alter=True, ondelete="SET NULL")
    )

    parent: Mapped["Board | None"] = relationship(remote_side=[id])
    last_thread = relationship("Thread", foreign_keys=[last_thread_id], post_update=True)

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"
