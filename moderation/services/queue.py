"""The review queue: items with pending flags, items held by spam screening, and votes
held back as serial voting, with the moderators' decisions on them.

A page of the queue loads in a fixed number of queries whatever its length: one
grouped query pages the items, then one query each loads their posts, comments,
flags and the flaggers' records.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal_column, select, union_all, update
from sqlalchemy.orm import aliased, joinedload

from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db
from forum.models import Comment, Post, SerialVote, User
from forum.permissions import can, require
from forum.services import inputs
from forum.services.comments import delete_comment
from forum.services.ledger import SerialVoting
from forum.services.pagination import Page
from forum.services.threads import delete_post
from forum.timeutil import utcnow
from forum.transactions import transactional

from .. import audit
from ..models import Flag
from . import visibility
from .flags import FlagCounts, flag_counts, pending_flags_of, settle

KINDS = ("post", "comment")
SERIAL_REPORTS_SHOWN = 20


@dataclass
class QueueItem:
    """A post or comment waiting for a moderator: its open flags and whether it is held."""

    kind: str
    item: Post | Comment
    since: datetime
    flags: list[Flag] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.item.hidden_reason == "held"

    @property
    def thread(self):
        return visibility.thread_of(self.item)


@dataclass
class Queue:
    """One page of queue items, the flaggers' records, and open serial-voting reports."""

    items: Page
    flaggers: dict[int, FlagCounts]
    serial_votes: list[SerialVoting]
    can_decide: bool = True


def _kind(name: str):
    return literal_column(f"'{name}'").label("kind")


def _open_items():
    """(kind, item_id, since) of every item with pending flags or held, not deleted."""
    parts = [
        select(_kind("post"), Flag.post_id.label("item_id"), Flag.created_at.label("since"))
        .join(Post, Post.id == Flag.post_id)
        .where(Flag.status == "pending", Post.deleted_at.is_(None)),
        select(_kind("comment"), Flag.comment_id, Flag.created_at)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Flag.status == "pending", Comment.deleted_at.is_(None)),
        select(_kind("post"), Post.id, Post.hidden_at)
        .where(Post.hidden_reason == "held", Post.deleted_at.is_(None)),
        select(_kind("comment"), Comment.id, Comment.hidden_at)
        .where(Comment.hidden_reason == "held", Comment.deleted_at.is_(None)),
    ]
    rows = union_all(*parts).subquery()
    return (select(rows.c.kind, rows.c.item_id, func.min(rows.c.since).label("since"))
            .group_by(rows.c.kind, rows.c.item_id))


def _open_serial_votes():
    return select(SerialVote).where(SerialVote.reviewed_at.is_(None))


def queue_size(viewer: User | None) -> int:
    """Open queue items plus open serial-voting reports, in one query (for the header)."""
    require(viewer, "review_queue")
    items = select(func.count()).select_from(_open_items().subquery()).scalar_subquery()
    pairs = _open_serial_votes().with_only_columns(SerialVote.voter_id, SerialVote.author_id)
    reports = select(func.count()).select_from(pairs.distinct().subquery()).scalar_subquery()
    return sum(db.session.execute(select(items, reports)).one())


def moderation_queue(moderator: User | None, page: int = 1, per_page: int = 30) -> Queue:
    """The queue as moderators decide on it (the API's): moderators only."""
    require(moderator, "review_flags")
    return review_queue(moderator, page, per_page)


def review_queue(viewer: User | None, page: int = 1, per_page: int = 30) -> Queue:
    """One page of the queue, oldest first. Moderators decide and see the serial-voting
    reports; members with the review-queue privilege follow the queue read-only."""
    require(viewer, "review_queue")
    moderator = can(viewer, "review_flags")
    keys = _open_items().subquery()
    total = db.session.scalar(select(func.count()).select_from(keys))
    rows = db.session.execute(
        select(keys).order_by(keys.c.since, keys.c.kind, keys.c.item_id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = _load_items(rows)
    flaggers = flag_counts(flag.user_id for item in items for flag in item.flags)
    return Queue(items=Page(items=items, page=page, per_page=per_page, total=total or 0),
                 flaggers=flaggers, serial_votes=_serial_reports() if moderator else [],
                 can_decide=moderator)


def _load_items(rows) -> list[QueueItem]:
    ids = {kind: [row.item_id for row in rows if row.kind == kind] for kind in KINDS}
    posts = {p.id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(ids["post"]))
        .options(joinedload(Post.author), joinedload(Post.thread)))}
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(ids["comment"]))
        .options(joinedload(Comment.author), joinedload(Comment.post).joinedload(Post.thread)))}
    flags = db.session.scalars(
        select(Flag).where(Flag.status == "pending",
                           Flag.post_id.in_(ids["post"]) | Flag.comment_id.in_(ids["comment"]))
        .options(joinedload(Flag.user), joinedload(Flag.duplicate_of))
        .order_by(Flag.created_at, Flag.id)).all()
    loaded = {"post": posts, "comment": comments}
    items = {(row.kind, row.item_id): QueueItem(row.kind, loaded[row.kind][row.item_id],
                                                row.since) for row in rows}
    for flag in flags:
        key = ("post", flag.post_id) if flag.post_id else ("comment", flag.comment_id)
        items[key].flags.append(flag)
    return list(items.values())


def _serial_reports() -> list[SerialVoting]:
    voter, author = aliased(User), aliased(User)
    open_votes = _open_serial_votes().subquery()
    last = func.max(open_votes.c.created_at).label("last_at")
    rows = db.session.execute(
        select(voter, author, func.count(open_votes.c.id), func.min(open_votes.c.created_at),
               last)
        .join(voter, voter.id == open_votes.c.voter_id)
        .join(author, author.id == open_votes.c.author_id)
        .group_by(voter.id, author.id).order_by(last.desc(), voter.id, author.id)
        .limit(SERIAL_REPORTS_SHOWN))
    return [SerialVoting(*row) for row in rows]


# --- decisions ----------------------------------------------------------------------

def _queue_item(moderator: User, kind, item_id) -> Post | Comment:
    require(moderator, "review_flags")
    kind = inputs.choice(kind, "kind", KINDS)
    try:
        item_id = inputs.integer(item_id, "id")
    except ValidationError:
        raise NotFound(_l("Not found."))
    item = db.session.get(Post if kind == "post" else Comment, item_id)
    if item is None:
        raise NotFound(_l("Not found."))
    return item


@transactional
def approve(moderator: User, kind, item_id, reason="") -> Post | Comment:
    """Publish a held or flag-hidden item; its open flags are declined."""
    item = _queue_item(moderator, kind, item_id)
    reason = inputs.text(reason, "reason", max_len=300, label=_l("Reason"))
    if item.hidden_at is None or item.deleted_at is not None:
        raise Conflict(_l("This is not waiting for approval."))
    before = item.hidden_reason
    settle(pending_flags_of(item), moderator, "declined", reason)
    visibility.show(item)
    audit.record(moderator, "approve", visibility.kind_of(item), item.id, reason=reason,
                 before={"hidden_reason": before}, after={"hidden_reason": None})
    return item


@transactional
def delete(moderator: User, kind, item_id, reason="") -> Post | Comment:
    """Delete a queued item (soft, restorable); its open flags are accepted."""
    item = _queue_item(moderator, kind, item_id)
    reason = inputs.text(reason, "reason", max_len=300, label=_l("Reason"))
    settle(pending_flags_of(item), moderator, "accepted", reason)
    if isinstance(item, Comment):
        return delete_comment(moderator, item.id, reason)
    return delete_post(moderator, item.id, reason)  # which writes the audit row


@transactional
def dismiss_serial_votes(moderator: User, voter_id, author_id) -> int:
    """Mark a voter's held-back votes on one author's posts as reviewed; how many."""
    require(moderator, "view_serial_votes")
    voter_id = inputs.integer(voter_id, "voter_id")
    author_id = inputs.integer(author_id, "author_id")
    done = db.session.execute(
        update(SerialVote)
        .where(SerialVote.voter_id == voter_id, SerialVote.author_id == author_id,
               SerialVote.reviewed_at.is_(None))
        .values(reviewed_at=utcnow(), reviewed_by_id=moderator.id)
    ).rowcount
    if not done:
        raise NotFound(_l("No open serial-voting report for these users."))
    audit.record(moderator, "review_serial_votes", "user", voter_id,
                 before={"author_id": author_id, "open_votes": done}, after={"open_votes": 0})
    return done
