"""Escalation: threads the community could not solve become tickets, and back again.

Staff find unresolved threads, convert one into a ticket for its asker, and
when the ticket is solved post the resolution to the thread as a staff answer
that the asker can accept.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import Conflict
from ..extensions import db
from ..links import absolute_url
from ..models import Post, Thread, Ticket, User, listed
from ..permissions import require
from ..timeutil import utcnow
from ..transactions import transactional
from . import inputs, threads, ticket_mail
from . import ticket_rules as rules
from .pagination import Page, paginate
from .ticket_queries import get_ticket
from .tickets import create_ticket

UNRESOLVED_SORTS = ("age", "votes", "views")
# The list counts this far past the page shown ("1,000+ threads"): most old threads of
# a big site are unresolved, and counting them all read the whole of them (30 ms at
# 100,000 threads) on every look at the list.
UNRESOLVED_COUNT_BEYOND = 1000


def unresolved_threads(viewer: User | None, sort="age", page: int = 1, per_page: int = 30) -> Page:
    """Threads with no accepted answer: unanswered for 48 hours or idle for 7 days (configurable).

    Closed, deleted and already escalated threads are left out. The total is
    counted up to UNRESOLVED_COUNT_BEYOND threads past the page.
    """
    require(viewer, "view_desk")
    sort = inputs.choice(sort or "age", "sort", UNRESOLVED_SORTS)
    config = current_app.config
    now = utcnow()
    unanswered = and_(
        Thread.answer_count == 0,
        Thread.created_at <= now - timedelta(hours=config["UNRESOLVED_NO_ANSWER_HOURS"]),
    )
    idle = Thread.last_activity_at <= now - timedelta(days=config["UNRESOLVED_IDLE_DAYS"])
    query = (
        select(Thread)
        .where(
            Thread.accepted_answer_id.is_(None),
            listed(Thread),
            Thread.closed_at.is_(None),
            or_(unanswered, idle),
            ~exists().where(Ticket.source_thread_id == Thread.id),
        )
        .options(joinedload(Thread.board), joinedload(Thread.author))
    )
    order = {
        "age": [Thread.created_at],
        "votes": [Thread.score.desc(), Thread.created_at],
        "views": [Thread.view_count.desc(), Thread.created_at],
    }[sort]
    return paginate(query.order_by(*order, Thread.id), page, per_page, key=Thread.id,
                    count_beyond=UNRESOLVED_COUNT_BEYOND)


def _quoted_question(thread: Thread, requester: User) -> str:
    """The first message of an escalated ticket: the question quoted, with a link back."""
    quoted = "\n".join(f"> {line}".rstrip() for line in thread.question.body.splitlines())
    url = absolute_url("threads.show", thread_id=thread.id, slug=thread.slug)
    # Stored text, so it is written in the requester's language once.
    with force_locale(requester.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        source = _("Escalated from the community thread [%(title)s](%(url)s):",
                   title=thread.title.replace("]", ")"), url=url)
    return f"{source}\n\n{quoted}"


def convert_thread(actor: User | None, thread_id, *, priority=None, category=None,
                   assignee=None) -> Ticket:
    """Turn a thread into a ticket for its asker (who is told by email); at most one per thread."""
    ticket = _convert_thread(actor, thread_id, priority, category, assignee)
    ticket_mail.ticket_created(ticket.id)
    return ticket


@transactional
def _convert_thread(actor: User | None, thread_id, priority, category, assignee) -> Ticket:
    thread = threads.get_thread(thread_id, actor)
    require(actor, "convert_thread", thread)
    priority = rules.priority("normal" if priority in (None, "") else priority)
    category = rules.category("other" if category in (None, "") else category)
    assignee = rules.assignee(assignee)
    if db.session.scalar(select(Ticket.id).where(Ticket.source_thread_id == thread.id)):
        raise Conflict(_l("This thread already has a ticket."), fields={"thread": "has a ticket"})
    requester = thread.author
    try:
        # A savepoint: a concurrent conversion loses on the unique constraint, not with a 500.
        with db.session.begin_nested():
            ticket = create_ticket(
                requester, thread.title, _quoted_question(thread, requester), category,
                actor=actor, via="thread", when=utcnow(), priority=priority, assignee=assignee,
                source_thread_id=thread.id,
            )
    except IntegrityError:
        raise Conflict(_l("This thread already has a ticket."), fields={"thread": "has a ticket"})
    rules.record(ticket, actor, "escalated", new=thread.id, when=ticket.created_at)
    return ticket


@transactional
def post_resolution(actor: User | None, ticket_id, body) -> Post:
    """Answer the ticket's thread with the resolution, marked as a staff answer."""
    ticket = get_ticket(ticket_id, actor)
    require(actor, "post_resolution", ticket)
    if ticket.source_thread_id is None:
        raise Conflict(_l("This ticket did not come from a community thread."))
    if ticket.status not in ("solved", "closed"):
        raise Conflict(_l("Solve the ticket before posting its resolution."))
    if ticket.resolution_post_id is not None:
        raise Conflict(_l("The resolution is already posted to the thread."))
    post = threads.post_answer(actor, ticket.source_thread_id, body)
    post.is_staff_answer = True
    ticket.resolution_post_id = post.id
    rules.record(ticket, actor, "resolution", new=post.id, when=post.created_at)
    return post
