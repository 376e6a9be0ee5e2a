"""Permission matrix of the users strand: every member action x every role, through the API
where there is one and the pages otherwise, checking the status and that data changed only
when allowed."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post, User
from forum.timeutil import utcnow
from moderation.models import AuditEntry, ModeratorNote, ScreeningTerm, Suspension, UserWarning
from moderation.services import spammers, suspensions
from tests.api.helpers import Api
from tests.conftest import login
from tests.factories import make_answer, make_thread, make_user

from .conftest import ROLES, actor_for

MODERATORS = {"moderator", "staff", "admin"}
UNTIL = (utcnow() + timedelta(days=5)).replace(microsecond=0).isoformat()


def _member_with_content():
    member = make_user()
    make_answer(make_thread(), member, body="My own answer about the router settings.")
    return member


def _suspended_member():
    member = _member_with_content()
    suspensions.suspend(make_user(role="admin"), member.username, UNTIL, "Earlier spam")
    return member


def _deleted_spammer():
    member = _member_with_content()
    spammers.delete_spammer(make_user(role="admin"), member.username)
    return member


# action -> (set-up of the member, how it is called, form or JSON body, who may)
ACTIONS = {
    "view": (_member_with_content, "GET", None, MODERATORS),
    "warn": (_member_with_content, "page", {"message": "Please stop."}, MODERATORS),
    "suspend": (_member_with_content, "api", {"until": UNTIL, "reason": "Spam"}, MODERATORS),
    "lift": (_suspended_member, "page", {"reason": "Served"}, MODERATORS),
    "note": (_member_with_content, "page", {"body": "Watch this one."}, MODERATORS),
    "delete-spammer": (_member_with_content, "page", {"reason": "Spam"}, MODERATORS),
    "restore-spammer": (_deleted_spammer, "page", {"reason": "Mistake"}, MODERATORS),
    "block-term": (_member_with_content, "screening", {"kind": "word", "value": "casino"},
                   {"admin"}),
}


def _snapshot(member):
    member = db.session.get(User, member.id)
    counts = [db.session.scalar(select(func.count()).select_from(model)) for model in
              (UserWarning, Suspension, ModeratorNote, ScreeningTerm, AuditEntry)]
    deleted = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == member.id, Post.deleted_at.is_not(None)))
    return counts, member.suspended_until, deleted


def _call(client, actor, member, action, how, data):
    if how == "api":
        return Api(client).post(f"/users/{member.username}/{action}", user=actor, json=data)
    if actor is not None:
        login(client, actor)
    if how == "GET":
        return client.get(f"/moderation/users/{member.username}")
    if how == "screening":
        return client.post("/moderation/screening", data=data)
    return client.post(f"/moderation/users/{member.username}/{action}", data=data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_member_actions_by_role(client, action, role):
    setup, how, data, allowed_roles = ACTIONS[action]
    member = setup()
    actor = actor_for(role, member)  # "author": the member acting on their own account
    before = _snapshot(member)
    response = _call(client, actor, member, action, how, data)
    db.session.expire_all()
    allowed = role in allowed_roles
    if allowed:
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
        if how != "GET":
            assert response.status_code == 200 if how == "api" else 302
            assert _snapshot(member) != before
    else:
        expected = {"anonymous": 401 if how == "api" else 302}.get(role, 403)
        assert response.status_code == expected
        if expected == 302:
            assert "/login" in response.headers["Location"]
        assert _snapshot(member) == before
