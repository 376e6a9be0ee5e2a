"""Finding the member a moderator acts on, and the text rules shared by the member actions."""
from flask_babel import lazy_gettext as _l

from forum.models import User
from forum.permissions import require
from forum.services import accounts, inputs

from .. import user_rules  # noqa: F401  (registers the rules this module requires)

REASON_MAX = 500
MESSAGE_MAX = 2_000


def member_for(actor: User | None, username, action: str) -> User:
    """The member called `username` once `actor` may do `action` to them.

    Anonymous callers and non-moderators are refused before the name is looked
    up, so that the answer does not tell them who exists.
    """
    require(actor, "view_member")
    member = accounts.get_user(username)
    require(actor, action, member)
    return member


def reason(value) -> str:
    """A required reason (suspensions): 1-500 characters."""
    return inputs.text(value, "reason", min_len=1, max_len=REASON_MAX, label=_l("Reason"))


def optional_reason(value) -> str:
    """An optional reason (lifting, deleting a spammer): up to 500 characters."""
    return inputs.text(value, "reason", max_len=REASON_MAX, label=_l("Reason"))


def message(value, field: str = "message") -> str:
    """A required message to or about the member (warnings, notes): 1-2,000 characters."""
    return inputs.text(value, field, min_len=1, max_len=MESSAGE_MAX, label=_l("Message"))
