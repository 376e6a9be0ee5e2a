"""Every action of the flags strand against every role: the status, and that data
changed only when the role may act (a snapshot of the rows before and after)."""
import pytest
from flask import g
from sqlalchemy import select

from forum.extensions import db
from forum.models import Comment, Post, SerialVote
from forum.services import comments
from moderation.models import AuditEntry, Flag
from moderation.services import flags
from tests.api.helpers import Api
from tests.factories import make_answer, make_thread, make_user
from tests.web.helpers import sign_in

from .conftest import PRIVILEGED, ROLES, actor_for
from .helpers import hold, serial_votes

MODERATORS = {"moderator", "staff", "admin"}


def _snapshot():
    db.session.rollback()
    return {
        "flags": db.session.execute(select(Flag.id, Flag.status).order_by(Flag.id)).all(),
        "posts": db.session.execute(
            select(Post.id, Post.hidden_reason, Post.deleted_at).order_by(Post.id)).all(),
        "comments": db.session.execute(
            select(Comment.id, Comment.body, Comment.deleted_at).order_by(Comment.id)).all(),
        "serial": db.session.execute(select(SerialVote.id, SerialVote.reviewed_at)).all(),
        "audit": db.session.scalars(select(AuditEntry.id)).all(),
    }


def _answer():
    return make_answer(make_thread(), make_user(reputation=PRIVILEGED))


def _comment():
    answer = _answer()
    return comments.add_comment(answer.author, answer.id, "A comment in the matrix")


def _api(client, role, author, method, path, body=None):
    actor = actor_for(role, author)
    api = Api(client)
    if actor is not None:
        api.token(actor)
    before = _snapshot()
    return api.request(method, path, user=actor, json=body), before


def _page(client, role, author, path, data=None):
    actor = actor_for(role, author)
    if actor is not None:
        sign_in(client, actor)
        g.pop("_login_user", None)
    before = _snapshot()
    return client.post(path, data=data or {}), before


def _flag_post(client, role):
    answer = _answer()
    return _api(client, role, answer.author, "POST", f"/posts/{answer.id}/flags",
                {"reason": "spam"})


def _flag_comment(client, role):
    comment = _comment()
    return _page(client, role, comment.author, f"/c/{comment.id}/flag", {"reason": "spam"})


def _pending_flag():
    answer = _answer()
    return answer, flags.flag_post(make_user(reputation=PRIVILEGED), answer.id, "spam")


def _resolve(client, role):
    answer, flag = _pending_flag()
    return _api(client, role, answer.author, "POST", f"/moderation/flags/{flag.id}/resolve",
                {"outcome": "accepted"})


def _queue(client, role):
    answer, _flag = _pending_flag()
    return _api(client, role, answer.author, "GET", "/moderation/queue")


def _log(client, role):
    answer, _flag = _pending_flag()
    return _api(client, role, answer.author, "GET", "/moderation/log")


def _approve(client, role):
    answer = hold(_answer())
    return _page(client, role, answer.author, f"/moderation/post/{answer.id}/approve")


def _delete_queued(client, role):
    answer = hold(_answer())
    return _page(client, role, answer.author, f"/moderation/post/{answer.id}/delete")


def _edit_comment(client, role):
    comment = _comment()
    return _page(client, role, comment.author, f"/c/{comment.id}/edit",
                 {"body": "An edited comment text"})


def _delete_comment(client, role):
    comment = _comment()
    return _page(client, role, comment.author, f"/c/{comment.id}/delete")


def _restore_comment(client, role):
    comment = _comment()
    comments.delete_comment(comment.author, comment.id)
    return _page(client, role, comment.author, f"/c/{comment.id}/restore")


def _dismiss_serial(client, role):
    answer = _answer()
    voter = make_user()
    serial_votes(voter, answer.author, answer)
    return _page(client, role, answer.author, "/moderation/serial-votes/dismiss",
                 {"voter_id": voter.id, "author_id": answer.author_id})


_SIGN_IN = 302  # pages send anonymous visitors to sign in
# action: (run, {role: status}, default status when refused, roles whose call changes data)
ACTIONS = {
    "flag_post": (_flag_post, {"anonymous": 401, "privileged": 201, "moderator": 201,
                               "staff": 201, "admin": 201}, 403),
    "flag_comment": (_flag_comment, {"anonymous": _SIGN_IN, "privileged": 302, "moderator": 302,
                                     "staff": 302, "admin": 302}, 403),
    "resolve_flag": (_resolve, {"anonymous": 401, **dict.fromkeys(MODERATORS, 200)}, 403),
    "view_queue": (_queue, {"anonymous": 401, **dict.fromkeys(MODERATORS, 200)}, 403),
    "view_log": (_log, {"anonymous": 401, **dict.fromkeys(MODERATORS, 200)}, 403),
    # A held post is visible to its author and moderators only: others get a 404 first.
    "approve_held": (_approve, {"anonymous": _SIGN_IN, **dict.fromkeys(MODERATORS, 302)}, 403),
    "delete_queued": (_delete_queued, {"anonymous": _SIGN_IN,
                                       **dict.fromkeys(MODERATORS, 302)}, 403),
    "edit_comment": (_edit_comment, {"anonymous": _SIGN_IN, "author": 302,
                                     **dict.fromkeys(MODERATORS, 302)}, 403),
    "delete_comment": (_delete_comment, {"anonymous": _SIGN_IN, "author": 302,
                                         **dict.fromkeys(MODERATORS, 302)}, 403),
    # A deleted comment is not there for anyone but moderators.
    "restore_comment": (_restore_comment, {**dict.fromkeys(MODERATORS, 302)}, 404),
    "dismiss_serial_votes": (_dismiss_serial, {"anonymous": _SIGN_IN,
                                               **dict.fromkeys(MODERATORS, 302)}, 403),
}
READS = {"view_queue", "view_log"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(client, action, role):
    run, statuses, refused = ACTIONS[action]
    response, before = run(client, role)
    expected = statuses.get(role, refused)
    assert response.status_code == expected, (action, role, response.status_code)
    if response.status_code == _SIGN_IN and role == "anonymous":
        assert "/login" in response.headers["Location"]
    after = _snapshot()
    allowed = role in statuses and role != "anonymous"
    assert (after != before) == (allowed and action not in READS), (action, role)
