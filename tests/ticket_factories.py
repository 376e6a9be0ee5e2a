"""Factory functions for support tickets, built through the services."""
import itertools

from forum.services import tickets
from tests.factories import make_user

_seq = itertools.count(1)


def make_ticket(requester=None, *, subject=None, body=None, category="other"):
    requester = requester or make_user()
    n = next(_seq)
    return tickets.open_ticket(
        requester, subject or f"Support request number {n}",
        body or f"Request {n}: the device does not start after the update.", category,
    )
