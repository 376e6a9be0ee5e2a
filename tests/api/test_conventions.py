"""The conventions of API.md: the error format, JSON bodies, no cookies, pagination."""
import pytest

from forum.extensions import db
from forum.models import Board, Comment, Post, PostRevision, Thread, Vote
from tests.api.helpers import PREFIX, assert_error
from tests.conftest import login
from tests.factories import make_board, make_thread, make_user

BODY_POSTS = ["/users", "/auth/token", "/boards", "/threads"]


@pytest.mark.parametrize("path", ["/nope", "/", "", "/threads/abc", "/threads/-1",
                                  "/posts/1.5", "/boards/", "/users/x/y/z", "/threads/1/nope"])
def test_unknown_route_not_found_json(api, path):
    assert_error(api.get(path), 404, "not_found")


def test_unknown_ids_not_found(api):
    user = make_user()
    for path in ["/threads/999999", "/posts/999999", "/posts/999999/revisions",
                 "/users/nobody", "/users/nobody/reputation", "/boards/nope/threads",
                 f"/threads/{2**63}", f"/posts/{10**30}"]:
        assert_error(api.get(path, user=user), 404, "not_found")
    for path in ["/threads/999999/answers", "/posts/999999/comments", "/posts/999999/vote"]:
        assert_error(api.post(path, user=user, json={"body": "x" * 30, "value": 1}), 404)
    assert_error(api.patch("/posts/999999", user=user, json={"body": "x" * 30}), 404)
    assert_error(api.delete("/posts/999999", user=user), 404)


def test_wrong_method_is_405_with_allow(api):
    response = api.delete("/users")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    assert_error(api.request("PUT", "/posts/1"), 405)
    assert_error(api.get("/threads"), 405)


@pytest.mark.parametrize("path", BODY_POSTS)
@pytest.mark.parametrize("data,content_type,code", [
    (b"{not json", "application/json", "invalid_json"),
    (b"", "application/json", "invalid_json"),
    (b'{"a": 1', "application/json", "invalid_json"),
    (b'{"a": NaN}', "application/json", "invalid_json"),
    (b"\xff\xfe\xfa", "application/json", "invalid_json"),
    (b"[" * 100_000, "application/json", "invalid_json"),
    (b"[1, 2]", "application/json", "invalid_body"),
    (b"null", "application/json", "invalid_body"),
    (b'"text"', "application/json", "invalid_body"),
    (b"42", "application/json", "invalid_body"),
    (b'{"username": "x"}', "text/plain", "unsupported_media_type"),
    (b"username=x", "application/x-www-form-urlencoded", "unsupported_media_type"),
    (b'{"username": "x"}', None, "unsupported_media_type"),
])
def test_malformed_body_is_400(api, path, data, content_type, code):
    admin = make_user(role="admin")
    headers = {"Content-Type": content_type} if content_type else {}
    user = admin if path in ("/boards", "/threads") else None
    response = api.post(path, user=user, data=data, headers=headers)
    assert_error(response, 400, code)


def test_oversize_body_is_413(api):
    user = make_user()
    board = make_board()
    big = {"board": board.slug, "title": "A fine title for a question", "body": "x" * 300_000}
    for path in ["/users", "/auth/token", "/threads", "/boards", "/posts/1/comments"]:
        assert_error(api.post(path, user=user, json=big), 413, "payload_too_large")
    assert_error(api.post("/nope", json=big), 413)
    assert db.session.query(Thread).count() == 0


def test_body_field_over_limit_is_422(api):
    user = make_user()
    board = make_board()
    response = api.post("/threads", user=user, json={
        "board": board.slug, "title": "A fine title for a question", "body": "x" * 30_001,
    })
    assert_error(response, 422, "validation_failed", "body")


def test_server_error_is_generic_json(make_app, monkeypatch):
    from forum.services import boards

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setattr(boards, "board_page", explode)
    response = app.test_client().get(f"{PREFIX}/boards")
    error = assert_error(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert error["fields"] == {}


def test_api_sets_no_cookies_and_ignores_the_session(api, client):
    user = make_user()
    login(client, user)  # a browser session cookie is now in the client
    assert api.get("/me").status_code == 401  # the cookie does not authenticate
    response = api.get("/me", user=user)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    for response in (api.get("/boards"), api.post("/auth/token", json={"login": "x"}),
                     api.get("/nope")):
        assert "Set-Cookie" not in response.headers


def test_lone_surrogates_and_nul_never_500(api):
    user = make_user()
    board = make_board()
    thread = make_thread(user, board)
    raw = '{"board": "%s", "title": "A fine title \\ud800 here", "body": "%s"}'
    response = api.post("/threads", user=user, data=raw % (board.slug, "x" * 30),
                        headers={"Content-Type": "application/json"})
    assert_error(response, 422, field="title")
    response = api.post("/threads", user=user, data='{"\\udfff": 1}',
                        headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")
    response = api.post("/auth/token", data='{"login": "a\\ud800", "password": "\\ud800"}',
                        headers={"Content-Type": "application/json"})
    assert response.status_code in (401, 422)
    assert_error(api.post("/auth/token", json={"login": "a\x00b", "password": "x\x00"}), 401)
    assert_error(api.post("/users", json={
        "username": "nul\x00name", "email": "n@example.com", "password": "long enough pw"}), 422)
    assert_error(api.post(f"/threads/{thread.id}/answers", user=user,
                          json={"body": "an answer with a NUL \x00 inside it"}), 422, field="body")
    assert_error(api.get("/users/a%00b"), 404)
    assert_error(api.get("/users/%ED%A0%80"), 404)
    assert_error(api.get("/boards/a%00b/threads"), 404)
    assert_error(api.get(f"/boards/{board.slug}/threads?tag=a%00b"), 422, field="tag")
    assert_error(api.get(f"/boards/{board.slug}/threads?sort=%00"), 422, field="sort")


@pytest.mark.parametrize("query,field", [
    ("per_page=101", "per_page"), ("per_page=0", "per_page"), ("per_page=-5", "per_page"),
    ("per_page=abc", "per_page"), ("page=0", "page"), ("page=x", "page"),
    ("page=1.5", "page"), (f"page={10**30}", "page"), ("page=100001", "page"),
])
def test_invalid_pagination_is_422(api, query, field):
    board = make_board()
    user = make_user()
    thread = make_thread(user, board)
    for path in ["/boards", f"/boards/{board.slug}/threads", f"/users/{user.username}/reputation",
                 f"/posts/{thread.question.id}/revisions"]:
        assert_error(api.get(f"{path}?{query}"), 422, "validation_failed", field)


def test_pagination_envelope(api):
    board = make_board()
    author = make_user()
    created = [make_thread(author, board) for _ in range(5)]
    body = api.get(f"/boards/{board.slug}/threads?page=2&per_page=2&sort=newest").get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 5)
    assert [t["id"] for t in body["items"]] == [created[2].id, created[1].id]
    body = api.get(f"/boards/{board.slug}/threads?page=9").get_json()
    assert body["items"] == [] and body["total"] == 5 and body["per_page"] == 30
    body = api.get("/boards?per_page=100").get_json()
    assert body["per_page"] == 100 and body["total"] == 1


WRITES = [
    ("POST", "/boards"), ("POST", "/threads"), ("POST", "/threads/{thread}/answers"),
    ("POST", "/threads/{thread}/accept"), ("PATCH", "/posts/{post}"),
    ("DELETE", "/posts/{post}"), ("POST", "/posts/{post}/comments"),
    ("POST", "/posts/{post}/vote"), ("GET", "/me"), ("POST", "/auth/logout"),
    ("DELETE", "/auth/token"),
]


@pytest.mark.parametrize("method,path", WRITES)
def test_anonymous_and_revoked_tokens_refused_everywhere(api, method, path):
    author = make_user()
    thread = make_thread(author)
    path = path.format(thread=thread.id, post=thread.question.id)
    data = {"slug": "x", "name": "X", "board": thread.board.slug, "title": "A title long enough",
            "body": "A body that is long enough to be valid.", "answer_id": None, "value": 1}
    before = _row_counts()
    assert_error(api.request(method, path, json=data), 401, "authentication_required")
    token = api.token(author)
    api.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    response = api.request(method, path, json=data, headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "invalid_token")
    assert _row_counts() == before
    assert db.session.get(Thread, thread.id).deleted_at is None


def _row_counts() -> dict:
    db.session.expire_all()
    return {model.__name__: db.session.query(model).count()
            for model in (Board, Thread, Post, PostRevision, Comment, Vote)}
