"""Reading the audit log: newest first, filters, moderators only."""
import pytest

from forum.errors import PermissionDenied, ValidationError
from forum.transactions import write_transaction
from moderation import audit
from moderation.services.audit_log import audit_log
from tests.factories import make_user


def _rows():
    moderator = make_user(role="moderator")
    with write_transaction():
        audit.record(moderator, "lock", "thread", 1)
        audit.record(None, "auto_hide", "post", 2)
        audit.record(moderator, "delete", "comment", 3, reason="spam")
    return moderator


@pytest.mark.parametrize("filters, expected", [
    ({}, ["delete", "auto_hide", "lock"]),
    ({"action": "lock"}, ["lock"]),
    ({"actor": "system"}, ["auto_hide"]),
    ({"target_type": "comment"}, ["delete"]),
    ({"target_id": "2"}, ["auto_hide"]),
    ({"actor": "nobody-like-this"}, []),
])
def test_log_lists_newest_first_and_filters(app, filters, expected):
    moderator = _rows()
    page = audit_log(moderator, filters)
    assert [entry.action for entry in page.items] == expected


def test_log_filters_by_actor_name(app):
    moderator = _rows()
    page = audit_log(moderator, {"actor": moderator.username})
    assert [entry.action for entry in page.items] == ["delete", "lock"]


@pytest.mark.parametrize("filters", [{"target_type": "planet"}, {"target_id": "x"},
                                     {"action": "a" * 41}, {"action": "\x00"}])
def test_bad_filters_are_refused(app, filters):
    with pytest.raises(ValidationError):
        audit_log(make_user(role="moderator"), filters)


def test_log_is_for_moderators(app):
    _rows()
    for user in (None, make_user(reputation=5000)):
        with pytest.raises(PermissionDenied):
            audit_log(user)
