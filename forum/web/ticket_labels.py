"""Ticket statuses, priorities, categories and history entries in the reader's language."""
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..timeutil import isoformat, utcnow
from .templating import absolute

LABELS = {
    "status": {
        "new": _l("New"), "open": _l("Open"), "pending": _l("Pending"),
        "on_hold": _l("On hold"), "solved": _l("Solved"), "closed": _l("Closed"),
        "unsolved": _l("Unsolved"), "all": _l("All"),
    },
    "priority": {
        "low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent"),
    },
    "category": {
        "technical": _l("Technical problem"), "installation": _l("Installation"),
        "billing": _l("Billing"), "order_shipping": _l("Order & shipping"),
        "account": _l("Account"), "product_info": _l("Product information"),
        "complaint": _l("Complaint"), "feedback": _l("Feedback"), "other": _l("Other"),
    },
    "via": {
        "web": _l("web"), "api": _l("API"), "email": _l("email"), "thread": _l("community thread"),
    },
    "sort": {
        "due": _l("Due first"), "updated": _l("Recently updated"),
        "created": _l("Newest"), "priority": _l("Priority"),
        "age": _l("Oldest first"), "votes": _l("Most votes"), "views": _l("Most views"),
    },
}
EVENTS = {
    "created": _l("opened the ticket via %(new)s"),
    "follow_up": _l("opened it as a follow-up to ticket #%(new)s"),
    "escalated": _l("escalated it from a community thread"),
    "status": _l("changed the status from %(old)s to %(new)s"),
    "priority": _l("changed the priority from %(old)s to %(new)s"),
    "category": _l("changed the category from %(old)s to %(new)s"),
    "assignee": _l("changed the assignee from %(old)s to %(new)s"),
    "resolution": _l("posted the resolution to the thread"),
}
_EVENT_FIELDS = {"created": "via", "status": "status", "priority": "priority",
                 "category": "category"}


def ticket_label(kind: str, value) -> str:
    """The reader's word for a status, priority, category, channel or sort order."""
    return str(LABELS[kind].get(value, value))


def event_text(event) -> str:
    """One history entry as a phrase, e.g. "changed the priority from Normal to High"."""
    field = _EVENT_FIELDS.get(event.kind)

    def shown(value):
        if value is None:
            return str(_l("nobody"))
        return ticket_label(field, value) if field else value

    template = EVENTS.get(event.kind)
    if template is None:
        return event.kind
    return str(template) % {"old": shown(event.old_value), "new": shown(event.new_value)}


def due_tag(value) -> Markup:
    """A deadline as a <time> element: "in 3 hours" or "2 hours ago", the exact time as title."""
    rel = format_timedelta(value - utcnow(), granularity="minute", add_direction=True)
    return Markup('<time datetime="{iso}" title="{full}">{rel}</time>').format(
        iso=isoformat(value), full=absolute(value), rel=rel
    )
