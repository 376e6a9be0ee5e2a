"""Suspending a member until a time, with a reason, and lifting it early.

The Suspension rows are the history; `User.suspended_until` and
`suspension_reason` cache the current one for the permission rules.
"""
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forum.errors import Conflict, ValidationError
from forum.extensions import db
from forum.models import User
from forum.timeutil import isoformat, utcnow
from forum.transactions import transactional

from .. import audit
from ..models import Suspension
from . import members


def parse_until(value) -> datetime:
    """An ISO 8601 time in the future as naive UTC (a time without offset is UTC)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and 0 < len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    else:
        moment = None
    if moment is None:
        raise ValidationError(_l("Give the end of the suspension as a date and time."),
                              fields={"until": "ISO 8601 date-time"})
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    if moment <= utcnow():
        raise ValidationError(_l("The end of the suspension must be in the future."),
                              fields={"until": "must be in the future"})
    return moment


def _current(member: User) -> Suspension | None:
    now = utcnow()
    return db.session.scalar(
        select(Suspension)
        .where(Suspension.user_id == member.id, Suspension.lifted_at.is_(None),
               Suspension.ends_at > now)
        .order_by(Suspension.id.desc()).limit(1)
    )


def _state(member: User) -> dict:
    return {"suspended_until": isoformat(member.suspended_until) if member.is_suspended else None,
            "reason": member.suspension_reason if member.is_suspended else None}


@transactional
def suspend(moderator: User, username, until, reason) -> Suspension:
    """Suspend a member until `until`; a current suspension is replaced by this one."""
    member = members.member_for(moderator, username, "suspend_user")
    ends_at = parse_until(until)
    reason = members.reason(reason)
    before = _state(member)
    previous = _current(member)
    now = utcnow()
    if previous is not None:
        previous.lifted_at, previous.lifted_by_id = now, moderator.id
    suspension = Suspension(user_id=member.id, moderator_id=moderator.id, reason=reason,
                            starts_at=now, ends_at=ends_at)
    db.session.add(suspension)
    member.suspended_until, member.suspension_reason = ends_at, reason
    audit.record(moderator, "suspend", "user", member.id, reason=reason, before=before,
                 after=_state(member))
    return suspension


@transactional
def lift(moderator: User, username, reason="") -> User:
    """End a member's current suspension now."""
    member = members.member_for(moderator, username, "lift_suspension")
    reason = members.optional_reason(reason)
    current = _current(member)
    if current is None or not member.is_suspended:
        raise Conflict(_l("%(name)s is not suspended.", name=member.username))
    before = _state(member)
    current.lifted_at, current.lifted_by_id = utcnow(), moderator.id
    member.suspended_until = member.suspension_reason = None
    audit.record(moderator, "lift_suspension", "user", member.id,
                 reason=reason, before=before,
                 after=_state(member))
    return member
