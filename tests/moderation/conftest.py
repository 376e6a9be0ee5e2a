"""The roles every moderation action is tried against (the permission matrix)."""
from datetime import timedelta

from forum.extensions import db
from forum.timeutil import utcnow
from forum.transactions import write_transaction
from tests.factories import make_user

ROLES = ("anonymous", "new_user", "privileged", "author", "moderator", "staff", "admin",
         "suspended")
# Enough reputation for every privilege, the review queue included.
PRIVILEGED = 5000


def suspend_now(user, days: int = 3, reason: str = "Spamming links"):
    """Mark `user` suspended directly on the row (the services' own tests go through them)."""
    with write_transaction():
        user.suspended_until = utcnow() + timedelta(days=days)
        user.suspension_reason = reason
        db.session.add(user)
    return user


def actor_for(role: str, author):
    """The acting user for `role`; "author" is the author of the item acted on."""
    if role == "anonymous":
        return None
    if role == "author":
        return author
    if role == "new_user":
        return make_user()
    if role == "privileged":
        return make_user(reputation=PRIVILEGED)
    if role == "suspended":
        return suspend_now(make_user(reputation=PRIVILEGED))
    return make_user(role=role)
