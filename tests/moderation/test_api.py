"""The moderation API of API.md: flags, the queue, resolving flags, the audit log."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post
from moderation.models import AuditEntry, Flag
from moderation.services import flags
from tests.api.helpers import Api, assert_error
from tests.factories import make_answer, make_thread, make_user

from .conftest import PRIVILEGED
from .helpers import hold


@pytest.fixture
def api(client):
    return Api(client)


def _flag_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Flag.id)))


def test_flag_a_post_returns_201_and_the_flag(api):
    answer = make_answer(make_thread())
    response = api.post(f"/posts/{answer.id}/flags", user=make_user(reputation=PRIVILEGED),
                        json={"reason": "other", "note": "Copied from the vendor's manual.",
                              "status": "accepted", "user_id": 1})
    assert response.status_code == 201
    body = response.get_json()
    assert body["post_id"] == answer.id and body["comment_id"] is None
    assert (body["reason"], body["status"], body["note"]) == (
        "other", "pending", "Copied from the vendor's manual.")


@pytest.mark.parametrize("body, status, code, field", [
    ({}, 422, "validation_failed", "reason"),
    ({"reason": "rude"}, 422, "validation_failed", "reason"),
    ({"reason": ["spam"]}, 422, "validation_failed", "reason"),
    ({"reason": "other"}, 422, "validation_failed", "note"),
    ({"reason": "spam", "note": 5}, 422, "validation_failed", "note"),
    ({"reason": "duplicate", "duplicate_of": True}, 422, "validation_failed", "duplicate_of"),
])
def test_flag_bad_input_is_4xx_and_stores_nothing(api, body, status, code, field):
    answer = make_answer(make_thread())
    response = api.post(f"/posts/{answer.id}/flags", user=make_user(reputation=PRIVILEGED),
                        json=body)
    assert_error(response, status, code, field)
    assert _flag_count() == 0


def test_flag_errors_malformed_missing_twice_and_unauthenticated(api, client):
    answer = make_answer(make_thread())
    user = make_user(reputation=PRIVILEGED)
    assert_error(api.post(f"/posts/{answer.id}/flags", json={"reason": "spam"}), 401)
    assert_error(client.post(f"/api/v1/posts/{answer.id}/flags", data="{",
                             headers={**api.headers(user), "Content-Type": "application/json"}),
                 400, "invalid_json")
    assert_error(api.post("/posts/999999/flags", user=user, json={"reason": "spam"}), 404)
    assert api.post(f"/posts/{answer.id}/flags", user=user, json={"reason": "spam"}).status_code \
        == 201
    assert_error(api.post(f"/posts/{answer.id}/flags", user=user, json={"reason": "spam"}), 409)
    assert_error(api.post(f"/posts/{answer.id}/flags", user=make_user(), json={"reason": "spam"}),
                 403, "privilege_required")
    assert _flag_count() == 1


def test_queue_lists_flagged_and_held_items_for_moderators(api):
    answer = make_answer(make_thread())
    flagger = make_user(reputation=PRIVILEGED)
    flags.flag_post(flagger, answer.id, "spam")
    held = hold(make_answer(make_thread()))
    moderator = make_user(role="moderator")
    body = api.get("/moderation/queue", user=moderator).get_json()
    assert body["total"] == 2 and body["page"] == 1
    first, second = body["items"]
    assert (first["type"], first["id"], first["hidden_reason"]) == ("post", answer.id, None)
    assert first["flags"][0]["user"]["username"] == flagger.username
    assert (second["id"], second["hidden_reason"], second["flags"]) == (held.id, "held", [])
    assert_error(api.get("/moderation/queue", user=flagger), 403)
    assert_error(api.get("/moderation/queue"), 401)
    assert_error(api.get("/moderation/queue?per_page=500", user=moderator), 422)


def test_resolve_a_flag(api):
    answer = make_answer(make_thread())
    flag = flags.flag_post(make_user(reputation=PRIVILEGED), answer.id, "spam")
    moderator = make_user(role="moderator")
    path = f"/moderation/flags/{flag.id}/resolve"
    assert_error(api.post(path, user=moderator, json={"outcome": "perhaps"}), 422, field="outcome")
    assert_error(api.post(path, user=moderator, json={}), 422, field="outcome")
    assert_error(api.post(path, user=answer.author, json={"outcome": "accepted"}), 403)
    assert_error(api.post("/moderation/flags/999999/resolve", user=moderator,
                          json={"outcome": "accepted"}), 404)
    db.session.rollback()
    assert db.session.get(Flag, flag.id).status == "pending"
    response = api.post(path, user=moderator, json={"outcome": "accepted", "note": "spam indeed"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    assert response.get_json()["resolution_note"] == "spam indeed"
    db.session.rollback()
    assert db.session.get(Post, answer.id).hidden_reason == "flagged"
    assert_error(api.post(path, user=moderator, json={"outcome": "declined"}), 409)


def test_log_lists_entries_with_filters(api):
    answer = make_answer(make_thread())
    moderator = make_user(role="moderator")
    flag = flags.flag_post(moderator, answer.id, "spam")  # hides at once: auto_hide
    flags.resolve_flag(moderator, flag.id, "accepted")
    rows = db.session.scalar(select(func.count(AuditEntry.id)))
    body = api.get("/moderation/log", user=moderator).get_json()
    assert [e["action"] for e in body["items"]][:2] == ["flag_accepted", "auto_hide"]
    assert body["items"][1]["actor"] is None
    assert body["items"][0]["actor"]["username"] == moderator.username
    only = api.get("/moderation/log?actor=system&target_type=post", user=moderator).get_json()
    assert [e["action"] for e in only["items"]] == ["auto_hide"]
    assert_error(api.get("/moderation/log?target_type=planet", user=moderator), 422,
                 field="target_type")
    assert_error(api.get("/moderation/log?target_id=x", user=moderator), 422)
    assert_error(api.get("/moderation/log", user=make_user()), 403)
    assert_error(api.get("/moderation/log"), 401)
    assert db.session.scalar(select(func.count(AuditEntry.id))) == rows


def test_responses_match_the_openapi_document(api):
    from tests.api.test_openapi import _check, _response_schema

    spec = api.get("/openapi.json").get_json()
    moderator, flagger = make_user(role="moderator"), make_user(reputation=PRIVILEGED)
    answer = make_answer(make_thread())
    hold(make_answer(make_thread()))
    flag = api.post(f"/posts/{answer.id}/flags", user=flagger, json={"reason": "spam"})
    calls = [
        ("/posts/{post_id}/flags", "post", 201, flag),
        ("/moderation/queue", "get", 200, api.get("/moderation/queue", user=moderator)),
        ("/moderation/flags/{flag_id}/resolve", "post", 200, api.post(
            f"/moderation/flags/{flag.get_json()['id']}/resolve", user=moderator,
            json={"outcome": "declined"})),
        ("/moderation/log", "get", 200, api.get("/moderation/log", user=moderator)),
    ]
    for path, method, status, response in calls:
        assert response.status_code == status, (path, response.get_json())
        _check(spec, _response_schema(spec, path, method, status), response.get_json(),
               f"{method.upper()} {path}")
