"""Flags: users with the flag privilege report posts and comments; enough pending flags
(or one spam/offensive flag from a moderator) hide the item until a moderator decides.

A moderator accepts or declines each flag; the outcome is kept on the flag, so every
flagger has a record (`flag_history`) that moderators weigh next time.
"""
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db
from forum.models import Comment, Post, Thread, User
from forum.permissions import add_rules, is_moderator, require
from forum.services import inputs
from forum.services.comments import get_comment
from forum.services.threads import get_post
from forum.timeutil import utcnow
from forum.transactions import transactional

from .. import audit
from ..models import FLAG_REASONS, Flag
from . import visibility

OUTCOMES = ("accepted", "declined")
# One of these from a moderator hides the item at once.
MODERATOR_HIDES = ("spam", "offensive")
# Accepting one of these keeps the item hidden (or hides it); the others ask for
# another action (close as duplicate, a word with the author) and leave it shown.
HIDDEN_ON_ACCEPT = ("spam", "offensive", "off_topic")
NOTE_MAX = 500


add_rules({"review_flags": is_moderator},
          {"review_flags": _l("Only moderators can review flags.")})


@transactional
def flag_post(user: User, post_id, reason, note="", duplicate_of=None) -> Flag:
    """Flag a post; one open flag per user per post."""
    post = get_post(post_id, user)
    require(user, "flag", post)
    return _file(user, post, reason, note, duplicate_of)


@transactional
def flag_comment(user: User, comment_id, reason, note="", duplicate_of=None) -> Flag:
    """Flag a comment; one open flag per user per comment."""
    comment = get_comment(comment_id, user)
    require(user, "flag_comment", comment)
    return _file(user, comment, reason, note, duplicate_of)


def _file(user: User, item: Post | Comment, reason, note, duplicate_of) -> Flag:
    reason = inputs.choice(reason, "reason", FLAG_REASONS)
    note = inputs.text(note, "note", max_len=NOTE_MAX, min_len=10 if reason == "other" else 0,
                       label=_l("Note"))
    duplicate = _duplicate_target(item, duplicate_of) if reason == "duplicate" else None
    kind = visibility.kind_of(item)
    flag = Flag(user_id=user.id, reason=reason, note=note,
                duplicate_of_id=duplicate.id if duplicate else None,
                open_key=f"{user.id}:{kind}:{item.id}", **{f"{kind}_id": item.id})
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        raise Conflict(_l("You have already flagged this; a moderator will look at it."))
    _hide_when_flagged_enough(user, item, reason)
    return flag


# A thread id (small enough for any database's integer) alone, or in a link to the thread.
_THREAD_ID = re.compile(r"(?:.*/t/)?(\d{1,9})(?:[/?#].*)?", re.ASCII | re.DOTALL)


def _duplicate_target(item, value) -> Thread:
    """The thread a duplicate flag points to, given as an id or a link to it."""
    if type(value) is int:
        value = str(value)
    match = _THREAD_ID.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(_l("Give the original thread as a link or a number."),
                              fields={"duplicate_of": "thread link or id required"})
    thread = db.session.get(Thread, int(match.group(1)))
    if thread is None or not thread.is_listed:
        raise ValidationError(_l("There is no such thread."), fields={"duplicate_of": "not found"})
    if thread.id == visibility.thread_of(item).id:
        raise ValidationError(_l("A thread cannot duplicate itself."),
                              fields={"duplicate_of": "same thread"})
    return thread


def flags_to_hide() -> int:
    """How many pending flags from distinct users hide an item (ASKDESK_FLAGS_TO_HIDE)."""
    return current_app.config.get("FLAGS_TO_HIDE", 3)


def _hide_when_flagged_enough(flagger: User, item, reason: str) -> None:
    if item.hidden_at is not None:
        return
    by_moderator = flagger.is_moderator and reason in MODERATOR_HIDES
    if not by_moderator and _pending_count(item) < flags_to_hide():
        return
    why = _l("spam or offensive flag from a moderator") if by_moderator else _l("flagged by users")
    visibility.hide(item, "flagged")
    audit.record(audit.SYSTEM, "auto_hide", visibility.kind_of(item), item.id, reason=str(why),
                 before={"hidden_reason": None}, after={"hidden_reason": "flagged"})


def _item_condition(item):
    column = Flag.post_id if isinstance(item, Post) else Flag.comment_id
    return column == item.id


def _pending_count(item) -> int:
    return db.session.scalar(
        select(func.count(Flag.id)).where(_item_condition(item), Flag.status == "pending")
    )


@transactional
def resolve_flag(moderator: User, flag_id, outcome, note="") -> Flag:
    """Accept or decline a pending flag; the item's hidden state follows the decision.

    Accepting a spam, offensive or off-topic flag keeps the item hidden (hiding it if
    it was not). Declining the last open flag of an item that flags hid shows it again,
    unless another flag on it was accepted.
    """
    require(moderator, "review_flags")
    flag = db.session.get(Flag, _flag_id(flag_id), options=[joinedload(Flag.post),
                                                           joinedload(Flag.comment)])
    if flag is None:
        raise NotFound(_l("No such flag."))
    outcome = inputs.choice(outcome, "outcome", OUTCOMES)
    note = inputs.text(note, "note", max_len=NOTE_MAX, label=_l("Note"))
    if flag.status != "pending":
        raise Conflict(_l("This flag has already been resolved."))
    settle([flag], moderator, outcome, note)
    item = flag.post or flag.comment
    before = item.hidden_reason
    if outcome == "accepted" and flag.reason in HIDDEN_ON_ACCEPT and item.hidden_at is None:
        visibility.hide(item, "flagged")
    elif outcome == "declined" and before == "flagged" and not _still_held_up(item):
        visibility.show(item)
    audit.record(moderator, f"flag_{outcome}", "flag", flag.id, reason=note,
                 before={"status": "pending", "hidden_reason": before},
                 after={"status": outcome, "hidden_reason": item.hidden_reason})
    return flag


def _still_held_up(item) -> bool:
    """Whether flags on `item` other than declined ones remain (pending or accepted)."""
    return bool(db.session.scalar(
        select(func.count(Flag.id)).where(_item_condition(item), Flag.status != "declined")
    ))


def settle(flags: list[Flag], moderator: User, outcome: str, note: str = "") -> None:
    """Record a moderator's outcome on pending flags (no permission check: callers do)."""
    now = utcnow()
    for flag in flags:
        flag.status, flag.open_key = outcome, None
        flag.resolved_by_id, flag.resolved_at, flag.resolution_note = moderator.id, now, note


def pending_flags_of(item) -> list[Flag]:
    """The pending flags on a post or comment."""
    return list(db.session.scalars(
        select(Flag).where(_item_condition(item), Flag.status == "pending")
    ))


def _flag_id(value) -> int:
    try:
        return inputs.integer(value, "id")
    except ValidationError:
        raise NotFound(_l("No such flag."))


# --- a flagger's record ------------------------------------------------------------

@dataclass
class FlagCounts:
    """How a user's flags turned out."""

    accepted: int = 0
    declined: int = 0
    pending: int = 0


@dataclass
class FlagHistory:
    """A user's flag record and their latest flags, for moderators."""

    counts: FlagCounts
    recent: list[Flag] = field(default_factory=list)


def flag_counts(user_ids) -> dict[int, FlagCounts]:
    """Accepted/declined/pending counts for each of `user_ids`, in one query."""
    ids = list(set(user_ids))
    rows = db.session.execute(
        select(Flag.user_id,
               *(func.sum(case((Flag.status == status, 1), else_=0)) for status in
                 ("accepted", "declined", "pending")))
        .where(Flag.user_id.in_(ids)).group_by(Flag.user_id)
    )
    counts = {user_id: FlagCounts(int(a or 0), int(d or 0), int(p or 0))
              for user_id, a, d, p in rows}
    return {user_id: counts.get(user_id, FlagCounts()) for user_id in ids}


def flag_history(user: User, limit: int = 10) -> FlagHistory:
    """`user`'s flag record with their latest flags (for moderators' pages only)."""
    recent = db.session.scalars(
        select(Flag).where(Flag.user_id == user.id)
        .options(joinedload(Flag.post), joinedload(Flag.comment))
        .order_by(Flag.created_at.desc(), Flag.id.desc()).limit(limit)
    ).all()
    return FlagHistory(counts=flag_counts([user.id])[user.id], recent=list(recent))


def flaggable(user: User | None, kind: str, item_id) -> Post | Comment:
    """The post or comment `user` is about to flag (for the flag form), if they may."""
    item = get_post(item_id, user) if kind == "post" else get_comment(item_id, user)
    require(user, "flag" if kind == "post" else "flag_comment", item)
    return item


