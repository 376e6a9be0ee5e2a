"""POST /api/v1/threads/{id}/moderate, POST /api/v1/posts/{id}/restore, merged-thread redirects."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Board, Thread
from forum.services import threads
from moderation.models import AuditEntry
from tests.api.helpers import Api, assert_error
from tests.factories import make_answer, make_board, make_thread, make_user


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def moderator(app):
    return make_user(role="moderator")


def _state(thread_id):
    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    audits = db.session.scalar(select(db.func.count(AuditEntry.id)))
    return (thread.closed_at, thread.close_reason, thread.is_locked, thread.is_pinned,
            thread.board_id, thread.merged_into_id, thread.deleted_at, audits)


def test_close_returns_the_thread(api, moderator):
    thread = make_thread()
    response = api.post(f"/threads/{thread.id}/moderate", user=moderator,
                        json={"action": "close", "reason": "unclear"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == thread.id and body["status"] == "closed"


@pytest.mark.parametrize("action, field", [("lock", "is_locked"), ("pin", "is_pinned")])
def test_lock_and_pin_show_in_the_thread(api, moderator, action, field):
    thread = make_thread()
    body = api.post(f"/threads/{thread.id}/moderate", user=moderator,
                    json={"action": action}).get_json()
    assert body[field] is True


def test_move_answers_with_the_new_board(api, moderator):
    thread, board = make_thread(), make_board()
    body = api.post(f"/threads/{thread.id}/moderate", user=moderator,
                    json={"action": "move", "board": board.slug}).get_json()
    assert body["board"] == board.slug


def test_merge_answers_with_the_target_and_the_old_address_says_where(api, moderator):
    source, target = make_thread(), make_thread()
    answer = make_answer(source)
    response = api.post(f"/threads/{source.id}/moderate", user=moderator,
                        json={"action": "merge", "into": target.id, "extra": "ignored"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == target.id and [a["id"] for a in body["answers"]] == [answer.id]
    for user in (None, moderator):
        moved = api.get(f"/threads/{source.id}", user=user)
        assert moved.status_code == 301
        assert moved.headers["Location"].endswith(f"/api/v1/threads/{target.id}")
        assert moved.get_json() == {"merged_into": target.id}


def test_delete_and_restore_through_the_api(api, moderator):
    thread = make_thread()
    assert api.post(f"/threads/{thread.id}/moderate", user=moderator,
                    json={"action": "delete", "reason": "spam"}).get_json()["status"] == "deleted"
    assert_error(api.get(f"/threads/{thread.id}"), 404, "not_found")
    body = api.post(f"/threads/{thread.id}/moderate", user=moderator,
                    json={"action": "restore"}).get_json()
    assert body["status"] == "open"
    assert api.get(f"/threads/{thread.id}").status_code == 200


@pytest.mark.parametrize("payload, field", [
    ({}, "action"),
    ({"action": "explode"}, "action"),
    ({"action": ["close"]}, "action"),
    ({"action": "close"}, "reason"),
    ({"action": "close", "reason": "rude"}, "reason"),
    ({"action": "close", "reason": "duplicate"}, "duplicate_of"),
    ({"action": "close", "reason": "duplicate", "duplicate_of": "seven"}, "duplicate_of"),
    ({"action": "close", "reason": "duplicate", "duplicate_of": 10**9}, "duplicate_of"),
    ({"action": "move"}, "board"),
    ({"action": "move", "board": "nowhere"}, "board"),
    ({"action": "move", "board": 5}, "board"),
    ({"action": "merge"}, "into"),
    ({"action": "merge", "into": True}, "into"),
    ({"action": "lock", "reason": "x" * 501}, "reason"),
    ({"action": "lock", "reason": 12}, "reason"),
])
def test_bad_input_is_422_with_the_field_and_changes_nothing(api, moderator, payload, field):
    thread = make_thread()
    before = _state(thread.id)
    response = api.post(f"/threads/{thread.id}/moderate", user=moderator, json=payload)
    assert_error(response, 422, "validation_failed", field)
    assert _state(thread.id) == before


def test_a_repeated_action_is_409_and_changes_nothing(api, moderator):
    thread = make_thread()
    api.post(f"/threads/{thread.id}/moderate", user=moderator, json={"action": "lock"})
    before = _state(thread.id)
    assert_error(api.post(f"/threads/{thread.id}/moderate", user=moderator,
                          json={"action": "lock"}), 409, "conflict")
    assert _state(thread.id) == before


def test_malformed_body_is_400(api, moderator):
    thread = make_thread()
    response = api.client.post(f"/api/v1/threads/{thread.id}/moderate", data="{",
                               headers={**api.headers(moderator),
                                        "Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("user, status, code", [
    (None, 401, "authentication_required"), ("reader", 403, "forbidden"),
])
def test_non_moderators_are_refused_and_nothing_changes(api, user, status, code):
    thread = make_thread()
    before = _state(thread.id)
    actor = make_user(reputation=5000) if user else None
    response = api.post(f"/threads/{thread.id}/moderate", user=actor, json={"action": "lock"})
    assert_error(response, status, code)
    assert _state(thread.id) == before


def test_unknown_thread_is_404(api, moderator):
    assert_error(api.post("/threads/999999/moderate", user=moderator, json={"action": "lock"}),
                 404)


def test_restore_a_post_through_the_api(api, moderator):
    thread = make_thread()
    answer = make_answer(thread)
    threads.delete_post(moderator, answer.id)
    response = api.post(f"/posts/{answer.id}/restore", user=moderator)
    assert response.status_code == 200 and response.get_json()["is_deleted"] is False
    assert_error(api.post(f"/posts/{answer.id}/restore", user=moderator), 409, "conflict")
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).answer_count == 1
    assert db.session.get(Board, thread.board_id).thread_count == 1


def test_moderate_is_in_the_openapi_document(api):
    document = api.get("/openapi.json").get_json()
    operation = document["paths"]["/threads/{thread_id}/moderate"]["post"]
    schema = document["components"]["schemas"]["ModerateThread"]
    assert schema["properties"]["action"]["enum"] == [
        "close", "reopen", "lock", "unlock", "pin", "unpin", "move", "merge", "delete", "restore"]
    assert set(schema["properties"]) == {"action", "reason", "board", "duplicate_of", "into"}
    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    assert "301" in document["paths"]["/threads/{thread_id}"]["get"]["responses"]
