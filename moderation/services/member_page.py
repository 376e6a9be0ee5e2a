"""What the moderator's page about one member shows, loaded in a fixed number of queries."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.models import User
from forum.services import accounts

from ..models import AuditEntry, ModeratorNote, Suspension, UserWarning
from . import flags, members
from .spammers import is_deleted_spammer

RECENT_ACTIONS = 50


@dataclass
class MemberPage:
    """A member's warnings, suspensions, notes, flags raised and the moderation actions
    taken on them."""

    member: User
    stats: dict
    warnings: list[UserWarning]
    suspensions: list[Suspension]
    notes: list[ModeratorNote]
    actions: list[AuditEntry]
    deleted_as_spammer: bool
    flags: flags.FlagHistory


def _newest(model, *options, where):
    return list(db.session.scalars(
        select(model).where(where).options(*options).order_by(model.id.desc())
    ))


def member_page(viewer: User | None, username) -> MemberPage:
    """Everything moderators know about a member, newest first."""
    member = members.member_for(viewer, username, "view_member")
    actions = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "user", AuditEntry.target_id == member.id)
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.id.desc()).limit(RECENT_ACTIONS)
    )
    return MemberPage(
        member=member,
        stats=accounts.user_stats(member),
        warnings=_newest(UserWarning, joinedload(UserWarning.moderator),
                         where=UserWarning.user_id == member.id),
        suspensions=_newest(Suspension, joinedload(Suspension.moderator),
                            joinedload(Suspension.lifted_by),
                            where=Suspension.user_id == member.id),
        notes=_newest(ModeratorNote, joinedload(ModeratorNote.author),
                      where=ModeratorNote.user_id == member.id),
        actions=list(actions),
        deleted_as_spammer=is_deleted_spammer(member),
        flags=flags.flag_history(member),
    )
