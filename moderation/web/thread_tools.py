"""The thread page's moderation part: banners, moderator tools, close votes; their forms."""
from dataclasses import dataclass, field

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from forum.errors import Conflict, ValidationError
from forum.extensions import db, limiter
from forum.models import Thread
from forum.permissions import can
from forum.services import boards, threads
from forum.web import acting_user
from forum.web.templating import thread_url
from forum.web.threads import board_choices, extend_page, render_thread_with_error

from ..services import close_votes, thread_actions
from ..services.close_votes import CloseVoteState
from . import bp

CLOSE_REASON_LABELS = {
    "duplicate": _l("Duplicate of another thread"),
    "off_topic": _l("Off-topic"),
    "unclear": _l("Unclear what is asked"),
    "resolved_elsewhere": _l("Resolved elsewhere"),
}
_DONE = {
    "close": _l("The thread is closed."), "reopen": _l("The thread is reopened."),
    "lock": _l("The thread is locked."), "unlock": _l("The thread is unlocked."),
    "pin": _l("The thread is pinned."), "unpin": _l("The thread is unpinned."),
    "move": _l("The thread is moved."), "merge": _l("The thread is merged into this one."),
    "delete": _l("The thread is deleted."), "restore": _l("The thread is restored."),
}


@dataclass
class ThreadTools:
    """What the thread page shows of moderation, loaded in a fixed number of queries."""

    moderator: bool
    reasons: dict
    close_votes: CloseVoteState | None = None
    can_vote: bool = False
    board_choices: list = field(default_factory=list)
    merged_from: list = field(default_factory=list)


def page_part(page, viewer) -> dict:
    """The `mod` template context of a thread page (three queries at most)."""
    thread = page.thread
    moderator = can(viewer, "moderate_thread", thread)
    tools = ThreadTools(moderator=moderator, reasons=CLOSE_REASON_LABELS)
    tools.merged_from = list(db.session.execute(
        select(Thread.id, Thread.title).where(Thread.merged_into_id == thread.id)
        .order_by(Thread.id)).all())
    if can(viewer, "close_reopen", thread):
        tools.can_vote = not moderator
        tools.close_votes = close_votes.state(thread, viewer)
    if moderator:
        tools.board_choices = board_choices(boards.list_boards())
    return {"mod": tools}


extend_page(page_part)


@bp.post("/t/<int:thread_id>/moderate")
@limiter.limit("60 per minute")
def moderate(thread_id):
    """A moderator's action from the thread page's tools."""
    form = request.form
    action = form.get("action")
    try:
        thread = thread_actions.moderate(
            acting_user(), thread_id, action, reason=form.get("reason"), board=form.get("board"),
            duplicate_of=form.get("duplicate_of"), into=form.get("into"),
        )
    except (ValidationError, Conflict) as error:
        return render_thread_with_error(thread_id, error, mod_form=form, mod_error=error)
    flash(str(_DONE[action]), "success")
    return redirect(thread_url(thread))


@bp.post("/t/<int:thread_id>/close-vote")
@limiter.limit("20 per minute")
def close_vote(thread_id):
    """A community vote to close (with a reason) or to reopen the thread."""
    form = request.form
    try:
        result = close_votes.cast_vote(acting_user(), thread_id, form.get("reason"),
                                       form.get("duplicate_of"))
    except (ValidationError, Conflict) as error:
        return render_thread_with_error(thread_id, error, vote_form=form, vote_error=error)
    thread = threads.get_thread(thread_id, acting_user())
    if result.count == 0:
        flash(_("The thread is closed.") if thread.closed_at else _("The thread is reopened."),
              "success")
    else:
        flash(_("Your vote is counted: %(count)s of %(needed)s.", count=result.count,
                needed=result.needed), "success")
    return redirect(thread_url(thread))


@bp.post("/p/<int:post_id>/restore")
@limiter.limit("30 per minute")
def restore_post(post_id):
    """Restore a deleted post (moderators); the question restores its thread."""
    post = threads.restore_post(acting_user(), post_id)
    flash(_("The post is restored."), "success")
    return redirect(url_for("posts.permalink", post_id=post.id))
