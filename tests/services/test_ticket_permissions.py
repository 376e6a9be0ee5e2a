"""Who may do what with tickets, checked against permissions.can()."""
import pytest

from forum.permissions import can
from forum.services import tickets
from tests.factories import make_thread, make_user
from tests.ticket_factories import make_ticket

ACTORS = ["anonymous", "requester", "other", "moderator", "staff", "admin"]
STAFF = {"staff", "admin"}

TABLE = {
    ("contact_support", None): set(ACTORS) - {"anonymous"},
    ("view_desk", None): STAFF,
    ("view_ticket", "ticket"): STAFF | {"requester"},
    ("reply_ticket", "ticket"): STAFF | {"requester"},
    ("reply_ticket", "closed"): set(),
    ("add_internal_note", "ticket"): STAFF,
    ("update_ticket", "ticket"): STAFF,
    ("post_resolution", "ticket"): STAFF,
    ("convert_thread", "thread"): STAFF,
}


@pytest.fixture
def world(app):
    requester = make_user()
    staff = make_user(role="staff")
    closed = make_ticket(requester)
    tickets.update_ticket(staff, closed.id, status="closed")
    actors = {
        "anonymous": None, "requester": requester, "other": make_user(),
        "moderator": make_user(role="moderator"), "staff": staff,
        "admin": make_user(role="admin"),
    }
    objects = {"ticket": make_ticket(requester), "closed": closed,
               "thread": make_thread(requester), None: None}
    return actors, objects


@pytest.mark.parametrize("action,target", list(TABLE))
def test_ticket_permission_table(world, action, target):
    actors, objects = world
    allowed = {name for name, user in actors.items() if can(user, action, objects[target])}
    assert allowed == TABLE[(action, target)]
