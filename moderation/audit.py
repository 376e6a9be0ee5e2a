"""The audit log: one row per moderator, staff, admin or automatic action, never changed.

`record` is one of the two calls `forum` makes into moderation, so this
module imports only the models. Rows are append-only: the ORM refuses to
update or delete an AuditEntry (one by one or in bulk), triggers in the
database refuse it too, and no service offers to.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.extensions import db
from forum.models import User

from .models import AuditEntry

SYSTEM = None  # the actor of automatic actions (hides by flags, holds by screening)


def record(actor: User | None, action: str, target_type: str, target_id: int | None, *,
           reason: str = "", before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add an audit row to the current transaction; `actor` None means the system."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None, action=action,
        target_type=target_type, target_id=target_id, reason=reason or "",
        before=before, after=after,
    )
    db.session.add(entry)
    return entry


class AuditImmutable(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise AuditImmutable("audit entries are never changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper, _connection, _target):
    raise AuditImmutable("audit entries are never deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state):
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is AuditEntry:
        raise AuditImmutable("audit entries are append-only")
