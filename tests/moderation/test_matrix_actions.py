"""The permission matrix of the actions strand: every action x every role, through the API
(the close vote through its page form), checking the status and that data changed only
when the action was allowed."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post, Thread
from forum.services import threads
from moderation.models import AuditEntry, CloseVote
from moderation.services.thread_actions import moderate
from tests.api.helpers import Api
from tests.factories import make_answer, make_board, make_thread, make_user
from tests.web.helpers import sign_in

from .conftest import ROLES, actor_for

MODERATORS = ("moderator", "staff", "admin")
# Thread actions: what the thread must be like first.
SETUP = {
    "close": None, "reopen": "close", "lock": None, "unlock": "lock", "pin": None,
    "unpin": "pin", "move": None, "merge": None, "delete": None, "restore": "delete",
}


def _snapshot(thread_id: int) -> tuple:
    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    posts = db.session.execute(select(Post.id, Post.thread_id, Post.body, Post.deleted_at)
                               .order_by(Post.id)).all()
    counts = [db.session.scalar(select(func.count(model.id))) for model in (AuditEntry,
                                                                              CloseVote)]
    return (thread.closed_at, thread.close_reason, thread.is_locked, thread.is_pinned,
            thread.board_id, thread.merged_into_id, thread.deleted_at, thread.hidden_at,
            posts, counts)


def _thread_for(action: str):
    thread = make_thread()
    make_answer(thread)
    setup = SETUP[action]
    if setup:
        moderate(make_user(role="moderator"), thread.id, setup,
                 reason="unclear" if setup == "close" else None)
    return thread


def _payload(action: str) -> dict:
    extra = {"close": {"reason": "off_topic"}, "move": {"board": make_board().slug},
             "merge": {"into": make_thread().id}}
    return {"action": action, **extra.get(action, {})}


def _expected_thread_status(role: str, action: str) -> int:
    if role == "anonymous":
        return 401
    if role in MODERATORS:
        return 200
    return 404 if action == "restore" else 403  # a deleted thread is not there for them


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(SETUP))
def test_moderate_thread(client, role, action):
    thread = _thread_for(action)
    payload = _payload(action)
    actor = actor_for(role, thread.author)
    before = _snapshot(thread.id)
    response = Api(client).post(f"/threads/{thread.id}/moderate", user=actor, json=payload)
    expected = _expected_thread_status(role, action)
    assert response.status_code == expected, response.get_json()
    assert (_snapshot(thread.id) != before) == (expected == 200)


CLOSE_VOTE = {"anonymous": 302, "new_user": 403, "privileged": 302, "author": 403,
              "moderator": 302, "staff": 302, "admin": 302, "suspended": 403}


@pytest.mark.parametrize("role", ROLES)
def test_close_vote(client, role):
    thread = make_thread()
    actor = actor_for(role, thread.author)
    if actor is not None:
        sign_in(client, actor)
    before = _snapshot(thread.id)
    response = client.post(f"/t/{thread.id}/close-vote", data={"reason": "unclear"})
    assert response.status_code == CLOSE_VOTE[role]
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
    assert (_snapshot(thread.id) != before) == (role in ("privileged", *MODERATORS))


def _post_call(api, operation, post_id, actor):
    if operation == "edit":
        return api.patch(f"/posts/{post_id}", user=actor,
                         json={"body": "A different, careful wording of this answer."})
    if operation == "delete":
        return api.delete(f"/posts/{post_id}", user=actor)
    return api.post(f"/posts/{post_id}/restore", user=actor)


POSTS = {
    #          anonymous new  privileged author mod  staff admin suspended
    "edit": (401, 403, 200, 200, 200, 200, 200, 403),
    "delete": (401, 403, 403, 204, 204, 204, 204, 403),
    "restore": (401, 404, 404, 404, 200, 200, 200, 404),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(POSTS))
def test_moderate_post(client, role, operation):
    thread = make_thread()
    answer = make_answer(thread)
    if operation == "restore":
        threads.delete_post(make_user(role="moderator"), answer.id)
    actor = actor_for(role, answer.author)
    before = _snapshot(thread.id)
    response = _post_call(Api(client), operation, answer.id, actor)
    expected = POSTS[operation][ROLES.index(role)]
    assert response.status_code == expected, response.get_json()
    assert (_snapshot(thread.id) != before) == (expected < 300)
    if actor is not None:
        audited = db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.actor_id == actor.id))
        assert audited == (1 if role in MODERATORS else 0)
