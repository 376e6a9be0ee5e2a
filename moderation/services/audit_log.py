"""Reading the audit log: moderators list and filter its rows (they are never changed)."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import ValidationError
from forum.models import User
from forum.permissions import add_rules, is_moderator, require
from forum.services import inputs
from forum.services.pagination import Page, paginate

from ..models import AuditEntry

TARGET_TYPES = ("thread", "post", "comment", "user", "flag", "article", "ticket", "board",
                "screening")
SYSTEM_ACTOR = "system"  # the actor filter that finds automatic actions


add_rules({"view_audit_log": is_moderator},
          {"view_audit_log": _l("Only moderators can read the audit log.")})


@dataclass(frozen=True)
class LogFilters:
    """What the log is filtered by; empty values do not filter."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: int | None = None

    @classmethod
    def parse(cls, action=None, actor=None, target_type=None, target_id=None) -> "LogFilters":
        """Check filters as they came from a query string (422 when malformed)."""
        action = inputs.text(action, "action", max_len=40, label=_l("Action"))
        actor = inputs.text(actor, "actor", max_len=40, label=_l("Actor"))
        target_type = target_type or ""
        if target_type:
            target_type = inputs.choice(target_type, "target_type", TARGET_TYPES)
        target_id = inputs.integer(target_id, "target_id", allow_none=True)
        return cls(action, actor, target_type, target_id)



FILTER_NAMES = ("action", "actor", "target_type", "target_id")


def audit_log(moderator: User | None, raw_filters: dict | None = None, page: int = 1,
              per_page: int = 50) -> Page:
    """Audit rows matching the filters (as typed: FILTER_NAMES), newest first.

    Two queries whatever the page size; malformed filters are a ValidationError.
    """
    require(moderator, "view_audit_log")
    filters = LogFilters.parse(**{name: (raw_filters or {}).get(name) for name in FILTER_NAMES})
    query = (select(AuditEntry).options(joinedload(AuditEntry.actor))
             .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor == SYSTEM_ACTOR:
        query = query.where(AuditEntry.actor_id.is_(None))
    elif filters.actor:
        query = query.join(User, User.id == AuditEntry.actor_id).where(
            User.username == filters.actor)
    if filters.target_type:
        query = query.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id is not None:
        if filters.target_id < 1:
            raise ValidationError(_l("target_id must be at least 1."),
                                  fields={"target_id": "must be >= 1"})
        query = query.where(AuditEntry.target_id == filters.target_id)
    return paginate(query, page, per_page)
