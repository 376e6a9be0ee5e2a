"""The staff ticket desk: the ticket list, changing tickets, escalating unresolved threads."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import Conflict, ValidationError
from ..extensions import limiter
from ..permissions import require
from ..services import escalation, threads, ticket_queries, tickets
from . import acting_user
from .helpers import page_number
from .support import CHOICES, render_ticket, ticket_url

bp = Blueprint("desk", __name__, url_prefix="/support")


def _filters_from(args) -> ticket_queries.TicketFilters:
    return ticket_queries.TicketFilters(
        status=args.get("status") or "unsolved",
        priority=args.get("priority") or None,
        category=args.get("category") or None,
        assignee=args.get("assignee") or None,
        mine=args.get("mine") == "1",
        overdue=args.get("overdue") == "1",
        sort=args.get("sort") or "due",
    )


@bp.route("/tickets")
def tickets_list():
    """All tickets for staff: filtered, sorted, with counts per status."""
    user = acting_user()
    filters = _filters_from(request.args)
    try:
        page = ticket_queries.desk_tickets(user, filters, page_number(), 30)
    except ValidationError:
        abort(404)  # a filter that is not an option is an address that does not exist
    return render_template(
        "desk/tickets.html", tickets=page, filters=filters, counts=ticket_queries.status_counts(),
        staff=ticket_queries.staff_members(), sorts=ticket_queries.TICKET_SORTS,
        status_tabs=ticket_queries.STATUS_FILTERS, **CHOICES,
    )


@bp.route("/tickets/<int:ticket_id>/update", methods=["POST"])
@limiter.limit("30 per minute")
def update(ticket_id):
    """Change a ticket's status, priority, category and assignee."""
    form = request.form
    try:
        tickets.update_ticket(
            acting_user(), ticket_id, status=form.get("status"), priority=form.get("priority"),
            category=form.get("category"), assignee=form.get("assignee") or None,
        )
    except (ValidationError, Conflict) as error:
        return render_ticket(ticket_id, error.status, update_error=error)
    flash(_("The ticket is updated."), "success")
    return redirect(url_for("support.ticket", ticket_id=ticket_id))


@bp.route("/tickets/<int:ticket_id>/resolution", methods=["POST"])
@limiter.limit("10 per minute")
def resolution(ticket_id):
    """Post the ticket's resolution to its thread as a staff answer."""
    try:
        post = escalation.post_resolution(acting_user(), ticket_id, request.form.get("body"))
    except (ValidationError, Conflict) as error:
        return render_ticket(ticket_id, error.status, resolution_form=request.form,
                             resolution_error=error)
    flash(_("The resolution is posted to the thread."), "success")
    return redirect(url_for("posts.permalink", post_id=post.id))


@bp.route("/unresolved")
def unresolved():
    """Threads the community has not solved, oldest (or most voted, most viewed) first."""
    sort = request.args.get("sort") or "age"
    try:
        page = escalation.unresolved_threads(acting_user(), sort, page_number(), 30)
    except ValidationError:
        abort(404)
    return render_template("desk/unresolved.html", threads=page, sort=sort,
                           sorts=escalation.UNRESOLVED_SORTS)


@bp.route("/threads/<int:thread_id>/convert", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def convert(thread_id):
    """Turn a thread into a ticket: a form to pick category, priority and assignee."""
    user = acting_user()
    if request.method == "GET":
        thread = threads.get_thread(thread_id, user)
        return _convert_form(thread, {"assignee": user.username if user else ""})
    form = request.form
    try:
        ticket = escalation.convert_thread(
            user, thread_id, priority=form.get("priority"), category=form.get("category"),
            assignee=form.get("assignee") or None,
        )
    except (ValidationError, Conflict) as error:
        return _convert_form(threads.get_thread(thread_id, user), form, error)
    flash(_("Ticket #%(id)s is opened for this thread.", id=ticket.id), "success")
    return redirect(ticket_url(ticket))


def _convert_form(thread, form, error=None):
    require(acting_user(), "convert_thread", thread)
    status = error.status if error else 200
    return render_template("desk/convert.html", thread=thread, form=form, error=error,
                           staff=ticket_queries.staff_members(), **CHOICES), status
