"""Support for requesters: contact support, my tickets, a ticket's page and replies.

A ticket has one address for its requester and for staff; staff get the
desk's view of it (internal notes, properties, history), the requester the
conversation without internal notes, and anyone else a 404.
"""
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..errors import ValidationError
from ..extensions import limiter
from ..models.tickets import TICKET_CATEGORIES, TICKET_PRIORITIES
from ..permissions import require
from ..services import attachments, ticket_queries, tickets
from ..services.ticket_rules import SETTABLE_STATUSES
from . import acting_user
from .helpers import page_number
from .ticket_labels import due_tag, event_text, ticket_label

bp = Blueprint("support", __name__, url_prefix="/support")
# The options of the ticket forms' selects.
CHOICES = {"priorities": TICKET_PRIORITIES, "categories": TICKET_CATEGORIES,
           "statuses": SETTABLE_STATUSES}


@bp.app_template_global()
def ticket_url(ticket, **kwargs) -> str:
    """The address of a ticket's page (the same for its requester and for staff)."""
    return url_for("support.ticket", ticket_id=ticket.id, **kwargs)


bp.add_app_template_global(ticket_label, "ticket_label")
bp.add_app_template_global(event_text, "ticket_event_text")
bp.add_app_template_filter(due_tag, "due_tag")


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def contact():
    """Contact support: a form that opens a ticket."""
    user = acting_user()
    require(user, "contact_support")
    if request.method == "GET":
        form = {"category": request.args.get("category", "")}
        return render_template("support/contact.html", form=form, **CHOICES)
    form = request.form
    try:
        ticket = tickets.open_ticket(
            user, form.get("subject"), form.get("body"), form.get("category")
        )
    except ValidationError as error:
        return render_template("support/contact.html", form=form, error=error, **CHOICES), 422
    flash(_("Your request is sent. We will answer you here and by email."), "success")
    return redirect(ticket_url(ticket))


@bp.route("/my-tickets")
def my_tickets():
    """The signed-in user's tickets, latest activity first."""
    page = ticket_queries.requested_tickets(acting_user(), page_number(), 30)
    return render_template("support/my_tickets.html", tickets=page)


def render_ticket(ticket_id, status: int = 200, **context):
    """A ticket's page: the desk's view for staff, the requester's otherwise."""
    viewer = acting_user()
    page = ticket_queries.ticket_page(ticket_id, viewer)
    template = "desk/ticket.html" if viewer.is_staff else "support/ticket.html"
    return render_template(template, page=page, ticket=page.ticket, **CHOICES, **context), status


@bp.route("/tickets/<int:ticket_id>")
def ticket(ticket_id):
    """One ticket with its conversation."""
    return render_ticket(ticket_id)


@bp.route("/tickets/<int:ticket_id>/reply", methods=["POST"])
@limiter.limit("20 per minute")
def reply(ticket_id):
    """Reply to a ticket; staff may add an internal note instead and set the status."""
    form = request.form
    try:
        message = tickets.reply(
            acting_user(), ticket_id, form.get("body"),
            internal=form.get("internal"), status=form.get("status"),
        )
    except ValidationError as error:
        return render_ticket(ticket_id, 422, reply_form=form, reply_error=error)
    flash(_("Internal note added.") if message.is_internal else _("Your reply is sent."),
          "success")
    return redirect(url_for("support.ticket", ticket_id=ticket_id,
                            _anchor=f"message-{message.id}"))


# Shown in the browser; anything else is only ever downloaded (with nosniff, as every response).
_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "text/plain"}


@bp.route("/attachments/<int:attachment_id>/<path:filename>")
def attachment(attachment_id, filename):
    """A file from an emailed message, for the ticket's requester and staff."""
    file, path = attachments.get_attachment(acting_user(), attachment_id)
    inline = file.content_type in _INLINE_TYPES
    return send_file(
        path, mimetype=file.content_type if inline else "application/octet-stream",
        as_attachment=not inline, download_name=file.filename, max_age=0,
    )
