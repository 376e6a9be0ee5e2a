"""Work waiting to be done outside the request: one row per task (see forum/tasks.py)."""
from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class QueuedTask(db.Model):
    """A task stored in the transaction that asked for it, deleted once it has run.

    `run_after` is when it is next due: a runner that takes it moves it a lease
    ahead (so a runner that dies lets it come back), a failure moves it a
    growing delay ahead. After MAX_ATTEMPTS failures it is kept `dead` for an
    operator, never dropped.
    """

    __tablename__ = "queued_tasks"
    __table_args__ = (Index("ix_queued_tasks_due", "dead", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    dead: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
