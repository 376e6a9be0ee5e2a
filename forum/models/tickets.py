"""Support tickets: the request, its conversation, attachments and change history."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .threads import Thread
from .users import User

TICKET_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_CATEGORIES = (
    "technical", "installation", "billing", "order_shipping", "account", "product_info",
    "complaint", "feedback", "other",
)
# Statuses in which a ticket still needs work; solved and closed are done.
UNSOLVED_STATUSES = ("new", "open", "pending", "on_hold")
# Statuses in which the response clock runs (pending and on hold pause it, as in Zendesk).
CLOCK_STATUSES = ("new", "open")


class Ticket(db.Model):
    """A support request; `due_at` is when staff owe the requester a response (None: nothing owed)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_due", "status", "due_at"),
        Index("ix_tickets_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(150))
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    category: Mapped[str] = mapped_column(String(32), default="other")
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A thread is escalated at most once: the unique constraint decides races.
    source_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), unique=True
    )
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    resolution_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL")
    )
    # The requester message staff have not answered yet, and the SLA deadline for it.
    waiting_since: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    source_thread: Mapped[Thread | None] = relationship(foreign_keys=[source_thread_id])
    follow_up_of: Mapped["Ticket | None"] = relationship(remote_side=[id])

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def is_overdue(self) -> bool:
        """Whether the response deadline has passed while the clock runs."""
        return (
            self.due_at is not None
            and self.status in CLOCK_STATUSES
            and self.due_at < utcnow()
        )

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status}>"


class TicketMessage(db.Model):
    """A public reply or (`is_internal`) a staff-only note on a ticket."""

    __tablename__ = "ticket_messages"
    __table_args__ = (Index("ix_ticket_messages_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(default=False)
    # Where it came from: web, api, email or thread (an escalated question).
    via: Mapped[str] = mapped_column(String(8), default="web")
    # The Message-ID of an inbound email, so a redelivered message is not added twice.
    email_message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship()
    author: Mapped[User] = relationship()
    attachments: Mapped[list["TicketAttachment"]] = relationship(
        order_by="TicketAttachment.id", viewonly=True
    )


class TicketAttachment(db.Model):
    """A file that came with an emailed message; `stored_name` is None when it was refused."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    # A generated name under <instance>/uploads/; never anything the sender chose.
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[TicketMessage] = relationship()

    @property
    def is_refused(self) -> bool:
        return self.stored_name is None


class TicketEvent(db.Model):
    """One change to a ticket: who (None: the system), what, from which value to which."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

