"""Moderators' actions on a thread: close, reopen, lock, pin, move, merge, delete, restore.

Every action writes one audit row with the thread's values before and after,
in the same transaction as the change. `moderate` is the single entry point
of the API endpoint and of the thread page's tool form.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db
from forum.models import Board, Comment, Post, ReputationEvent, Thread, User
from forum.permissions import add_rules, is_moderator, require
from forum.services import inputs, reputation, threads
from forum.services.boards import get_board
from forum.services.counters import increment
from forum.services.indexing import index_thread
from forum.timeutil import utcnow
from forum.transactions import transactional

from .. import audit
from ..models import CLOSE_REASONS

ACTIONS = ("close", "reopen", "lock", "unlock", "pin", "unpin", "move", "merge", "delete",
           "restore")
MERGED = "merged"  # Thread.hidden_reason of a thread merged into another
NOTE_MAX = 500


add_rules({"moderate_thread": is_moderator},
          {"moderate_thread": _l("Only moderators can do this to a thread.")})


def _iso(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None


def snapshot(thread: Thread) -> dict:
    """The thread values moderator actions change, as an audit row stores them."""
    return {
        "closed_at": _iso(thread.closed_at), "close_reason": thread.close_reason,
        "duplicate_of_id": thread.duplicate_of_id, "is_locked": thread.is_locked,
        "is_pinned": thread.is_pinned, "board_id": thread.board_id,
        "merged_into_id": thread.merged_into_id, "deleted_at": _iso(thread.deleted_at),
    }


def record(actor: User | None, action: str, thread: Thread, before: dict, note: str = "",
           **extra) -> None:
    """Write the audit row of `action`: the values that changed, before and after."""
    after = snapshot(thread)
    changed = [key for key in after if after[key] != before[key]]
    audit.record(actor, action, "thread", thread.id, reason=note,
                 before={key: before[key] for key in changed},
                 after={**{key: after[key] for key in changed}, **extra})


def note(value) -> str:
    """A moderator's optional note for the audit log."""
    return inputs.text(value, "reason", max_len=NOTE_MAX, label=_l("Reason"))


def lock(thread: Thread) -> None:
    """Re-read the thread under a row lock (PostgreSQL), so concurrent moderators and voters
    queue; SQLite's BEGIN IMMEDIATE already serialises writers."""
    db.session.execute(select(Thread).where(Thread.id == thread.id).with_for_update(key_share=True)
                       .execution_options(populate_existing=True))


def _thread_for(actor: User, thread_id) -> Thread:
    """The thread, locked for this transaction, once `actor` is known to be a moderator."""
    thread = threads.get_thread(thread_id, actor)
    require(actor, "moderate_thread", thread)
    lock(thread)
    return thread


def other_thread(actor: User, value, thread: Thread, field: str) -> Thread:
    """The live thread another field names (duplicate_of, into); 422 when it cannot be one."""
    other_id = inputs.integer(value, field)
    try:
        other = threads.get_thread(other_id, actor)
    except NotFound:
        other = None
    if other is None or other.id == thread.id or not other.is_listed:
        raise ValidationError(_l("Name another thread that is not deleted, hidden or merged."),
                              fields={field: "not an open thread"})
    return other


def counts_on_board(thread: Thread) -> bool:
    """Whether the board's thread_count counts the thread (deleted and merged ones are out)."""
    return thread.deleted_at is None and thread.merged_into_id is None


# --- closing ---------------------------------------------------------------------------

def close_reason(value) -> str:
    """A valid close reason, or a 422 naming the field."""
    if value in (None, ""):
        raise ValidationError(_l("Choose why the thread is closed."), fields={"reason": "is required"})
    return inputs.choice(value, "reason", CLOSE_REASONS)


def apply_close(actor: User, thread: Thread, reason: str, duplicate_of) -> None:
    """Close the thread (checked input); a new close-vote round starts."""
    if thread.closed_at is not None:
        raise Conflict(_l("This thread is closed already."))
    target = other_thread(actor, duplicate_of, thread, "duplicate_of") if reason == "duplicate" \
        else None
    thread.closed_at = utcnow()
    thread.close_reason = reason
    thread.duplicate_of_id = target.id if target is not None else None
    thread.close_round += 1


def apply_reopen(thread: Thread) -> None:
    """Reopen the thread; a new close-vote round starts."""
    if thread.closed_at is None:
        raise Conflict(_l("This thread is not closed."))
    thread.closed_at = thread.close_reason = thread.duplicate_of_id = None
    thread.close_round += 1


def _close(actor, thread, reason=None, duplicate_of=None, **_):
    apply_close(actor, thread, close_reason(reason), duplicate_of)
    return thread


def _reopen(_actor, thread, **_):
    apply_reopen(thread)
    return thread


# --- flags: locked, pinned -------------------------------------------------------------

def _flag_setter(name: str, value: bool, already):
    def change(_actor, thread, **_):
        if getattr(thread, name) == value:
            raise Conflict(already)
        setattr(thread, name, value)
        return thread
    return change


# --- moving and merging ----------------------------------------------------------------

def _move(_actor, thread, board=None, **_):
    if board in (None, ""):
        raise ValidationError(_l("Choose the board to move the thread to."),
                              fields={"board": "is required"})
    try:
        target = get_board(board)
    except NotFound:
        raise ValidationError(_l("There is no such board."), fields={"board": "not found"})
    if target.id == thread.board_id:
        raise ValidationError(_l("The thread is on this board already."),
                              fields={"board": "same board"})
    if counts_on_board(thread):
        increment(Board, thread.board_id, thread_count=-1)
        increment(Board, target.id, thread_count=1)
    thread.board_id = target.id
    thread.board = target
    index_thread(thread.id)
    return thread


def _merge(actor, thread, into=None, **_):
    """Move the answers and comments into `into`; the thread becomes a redirect to it.

    An accepted answer of the merged thread loses its acceptance (the ledger takes
    the points back): the asker of the target did not choose it.
    """
    if into in (None, ""):
        raise ValidationError(_l("Name the thread to merge into."), fields={"into": "is required"})
    target = other_thread(actor, into, thread, "into")
    if thread.deleted_at is not None:
        raise Conflict(_l("Restore the thread before merging it."))
    lock(target)
    if thread.accepted_answer_id is not None:
        reputation.unreward_accept(db.session.get(Post, thread.accepted_answer_id), actor)
        thread.accepted_answer_id = None
    answer_ids = list(db.session.scalars(
        select(Post.id).where(Post.thread_id == thread.id, Post.kind == "answer")))
    live = db.session.scalar(select(func.count(Post.id)).where(
        Post.id.in_(answer_ids), Post.deleted_at.is_(None))) if answer_ids else 0
    question_id = thread.question.id
    comment_ids = list(db.session.scalars(select(Comment.id).where(Comment.post_id == question_id)))
    db.session.execute(update(Post).where(Post.id.in_(answer_ids)).values(thread_id=target.id))
    db.session.execute(update(Comment).where(Comment.id.in_(comment_ids))
                       .values(post_id=target.question.id))
    # The ledger's per-board views follow a post to its thread.
    db.session.execute(update(ReputationEvent).where(ReputationEvent.post_id.in_(answer_ids))
                       .values(thread_id=target.id))
    increment(Thread, thread.id, answer_count=-live)
    increment(Thread, target.id, answer_count=live)
    increment(Board, thread.board_id, thread_count=-1)
    thread.merged_into_id = target.id
    thread.hidden_at, thread.hidden_reason = utcnow(), MERGED
    target.last_activity_at = max(target.last_activity_at, thread.last_activity_at)
    index_thread(thread.id)
    index_thread(target.id)
    return target, {"answer_ids": answer_ids, "comment_ids": comment_ids}


# --- deleting (soft) -------------------------------------------------------------------

def _delete(actor, thread, note="", **_):
    if thread.deleted_at is not None:
        raise Conflict(_l("This thread is deleted already."))
    threads.delete_post(actor, thread.question.id, reason=note)
    return thread


def _restore(actor, thread, note="", **_):
    if thread.deleted_at is None:
        raise Conflict(_l("This thread is not deleted."))
    threads.restore_post(actor, thread.question.id, reason=note)
    return thread


_HANDLERS = {
    "close": _close,
    "reopen": _reopen,
    "lock": _flag_setter("is_locked", True, _l("This thread is locked already.")),
    "unlock": _flag_setter("is_locked", False, _l("This thread is not locked.")),
    "pin": _flag_setter("is_pinned", True, _l("This thread is pinned already.")),
    "unpin": _flag_setter("is_pinned", False, _l("This thread is not pinned.")),
    "move": _move,
    "merge": _merge,
    "delete": _delete,
    "restore": _restore,
}
# Delete and restore are audited by forum's delete_post/restore_post, which every path shares.
_AUDITED_ELSEWHERE = ("delete", "restore")


@transactional
def moderate(actor: User, thread_id, action, *, reason=None, board=None, duplicate_of=None,
             into=None) -> Thread:
    """Do one moderator `action` to a thread and return the thread to show.

    `reason` is the close reason for "close" and a free note (kept in the audit
    log) for the others. "merge" returns the thread merged into.
    """
    thread = _thread_for(actor, thread_id)
    if action in (None, ""):
        raise ValidationError(_l("Choose an action."), fields={"action": "is required"})
    action = inputs.choice(action, "action", ACTIONS)
    audit_note = "" if action == "close" else note(reason)
    if thread.merged_into_id is not None:
        raise Conflict(_l("This thread was merged into another one."))
    before = snapshot(thread)
    result = _HANDLERS[action](actor, thread, reason=reason, board=board,
                               duplicate_of=duplicate_of, into=into, note=audit_note)
    shown, extra = result if isinstance(result, tuple) else (result, {})
    if action not in _AUDITED_ELSEWHERE:
        record(actor, action, thread, before, audit_note, **extra)
    return shown
