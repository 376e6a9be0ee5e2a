"""The review queue page and the moderators' decisions on it."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum.errors import Conflict, ValidationError
from forum.web import acting_user
from forum.web.helpers import page_number

from ..services import flags
from ..services import queue as queue_service
from . import bp


@bp.route("/moderation")
def queue():
    """Flagged and held posts and comments, and serial-voting reports (moderators)."""
    return _render_queue()


def _render_queue(failed: dict | None = None, status: int = 200):
    result = queue_service.review_queue(acting_user(), page_number())
    return render_template("moderation/queue.html", queue=result, failed=failed or {}), status


def _decided(message: str):
    flash(message, "success")
    return redirect(url_for("moderation.queue", page=request.args.get("page", type=int)))


def _form_failed(target: str, error):
    """Show the queue again with the note typed and what was wrong with it."""
    return _render_queue({"target": target, "note": request.form.get("note", ""),
                          "error": error}, error.status)


@bp.route("/moderation/flags/<int:flag_id>/resolve", methods=["POST"])
def resolve_flag(flag_id):
    """Accept or decline one flag."""
    try:
        flag = flags.resolve_flag(acting_user(), flag_id, request.form.get("outcome"),
                                  request.form.get("note"))
    except (ValidationError, Conflict) as error:
        return _form_failed(f"flag-{flag_id}", error)
    return _decided(_("Flag accepted.") if flag.status == "accepted" else _("Flag declined."))


@bp.route("/moderation/<any(post, comment):kind>/<int:item_id>/approve", methods=["POST"])
def approve(kind, item_id):
    """Publish a held or flag-hidden item."""
    try:
        queue_service.approve(acting_user(), kind, item_id, request.form.get("note"))
    except (ValidationError, Conflict) as error:
        return _form_failed(f"{kind}-{item_id}", error)
    return _decided(_("Approved: everyone can see it again."))


@bp.route("/moderation/<any(post, comment):kind>/<int:item_id>/delete", methods=["POST"])
def delete(kind, item_id):
    """Delete a queued item (moderators can restore it)."""
    try:
        queue_service.delete(acting_user(), kind, item_id, request.form.get("note"))
    except (ValidationError, Conflict) as error:
        return _form_failed(f"{kind}-{item_id}", error)
    return _decided(_("Deleted. Its flags were accepted."))


@bp.route("/moderation/serial-votes/dismiss", methods=["POST"])
def dismiss_serial_votes():
    """Mark a serial-voting report as reviewed."""
    queue_service.dismiss_serial_votes(acting_user(), request.form.get("voter_id"),
                                       request.form.get("author_id"))
    return _decided(_("The serial-voting report is marked as reviewed."))
