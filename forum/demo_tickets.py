"""Support tickets for the demo site: a few requests in different states, one escalated thread."""
from sqlalchemy import select

from .extensions import db
from .models import Thread
from .services import escalation, tickets

# (requester, category, subject, description, [(author, body, internal, status)], changes)
TICKETS = [
    ("anna", "technical", "Firmware update stops at 60 %",
     ("The X200 update from the app stops at 60 % and the router restarts with the old "
      "firmware 2.4.1. I tried three times."),
     [("staff", ("Thanks, Anna. Could you tell us the router's serial number (on the label "
                 "underneath)?"), False, "pending"),
      ("anna", "Sure, it is X200-4471-220.", False, None),
      ("staff", ("Serial is in the batch with the flash-size issue; needs the 2.4.3 "
                 "recovery image."), True, None)],
     {"priority": "high", "assignee": "staff"}),
    ("ben", "billing", "Refund for the double charge in March",
     ("As discussed on the forum: the second 4.99 charge from March 3rd is still on my "
      "card statement. Card ends in 0341."),
     [("staff", ("We refunded the second charge today; it shows on your statement within "
                 "3 to 5 business days. Sorry for the trouble!"), False, "solved")],
     {"category": "billing"}),
    ("emma", "order_shipping", "Smart plug P2 arrived with a cracked case",
     ("The package looked fine but the case of one of the two P2 plugs is cracked at the "
      "socket. Order 10-2291."),
     [], {"priority": "urgent"}),
]


def load(people: dict) -> None:
    """Create the demo tickets through the services (after the demo threads)."""
    staff = people["staff"]
    for requester, category, subject, body, messages, changes in TICKETS:
        ticket = tickets.open_ticket(people[requester], subject, body, category)
        if changes:
            tickets.update_ticket(staff, ticket.id, **changes)
        for author, text, internal, status in messages:
            tickets.reply(people[author], ticket.id, text, internal=internal, status=status)
    thread_id = db.session.scalar(
        select(Thread.id).where(Thread.title.like("Schedules run one hour late%"))
    )
    escalation.convert_thread(staff, thread_id, priority="normal", category="technical",
                              assignee="staff")
