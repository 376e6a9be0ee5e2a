"""Who may act on a member: warn, suspend, lift, note, delete or restore a spammer.

Registered with `forum.permissions.add_rules`, so services `require` them
like any other rule and templates ask `can` which forms to show.
"""
from flask_babel import lazy_gettext as _l

from forum import permissions

# A moderator acts only on members of a lower role (never on oneself): moderators
# on users, staff also on moderators, admins on everyone but themselves.
_RANK = {"user": 0, "moderator": 1, "staff": 2, "admin": 3}


def outranks(actor, member) -> bool:
    """Whether `actor` is a moderator of a higher role than `member` (and not `member`)."""
    return (
        actor is not None and actor.is_moderator and actor.id != member.id
        and _RANK.get(actor.role, 0) > _RANK.get(member.role, 0)
    )


def _moderator(user, _member=None) -> bool:
    return user is not None and user.is_moderator


def _may_note(user, member) -> bool:
    return _moderator(user) and user.id != member.id


_ACT_ON_MEMBER = _l("You can only do this to members whose role is below yours, and never "
                    "to yourself.")

permissions.add_rules(
    {
        "view_member": _moderator,
        "warn_user": outranks,
        "suspend_user": outranks,
        "lift_suspension": outranks,
        "add_moderator_note": _may_note,
        "delete_spammer": outranks,
        "restore_spammer": outranks,
    },
    {
        "view_member": _l("Only moderators can see this page."),
        "warn_user": _ACT_ON_MEMBER,
        "suspend_user": _ACT_ON_MEMBER,
        "lift_suspension": _ACT_ON_MEMBER,
        "add_moderator_note": _l("Only moderators can write notes, and not about themselves."),
        "delete_spammer": _ACT_ON_MEMBER,
        "restore_spammer": _ACT_ON_MEMBER,
    },
)
