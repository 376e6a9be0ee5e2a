"""Accounts: sign up, tokens, log out, profiles, the reputation ledger, rate limits."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ApiToken, User
from forum.services import accounts, threads, votes
from tests.api.helpers import PREFIX, Api, assert_error
from tests.factories import PASSWORD, make_answer, make_thread, make_user, make_voter

USER_FIELDS = {"id", "username", "reputation", "role", "created_at", "answer_count",
               "accepted_count"}
NEW_USER = {"username": "Juergen_1", "email": "Jürgen@Example.com", "password": PASSWORD}


def test_create_user_returns_201_user(api):
    response = api.post("/users", json=NEW_USER)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == USER_FIELDS
    assert body["username"] == "Juergen_1"
    assert body["role"] == "user" and body["reputation"] == 1
    assert body["answer_count"] == body["accepted_count"] == 0
    assert body["created_at"].endswith("Z")


def test_create_user_ignores_mass_assignment(api):
    response = api.post("/users", json={
        "username": "mallory", "email": "mallory@example.com", "password": PASSWORD,
        "role": "admin", "reputation": 5000, "id": 77, "is_admin": True,
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "user" and body["reputation"] == 1 and body["id"] != 77
    user = db.session.scalar(select(User).where(User.username == "mallory"))
    assert (user.role, user.reputation) == ("user", 1)


def test_create_user_taken_is_409(api):
    make_user("alice")
    response = api.post("/users", json={**NEW_USER, "username": "ALICE"})
    assert_error(response, 409, "conflict", "username")
    response = api.post("/users", json={**NEW_USER, "username": "bob2",
                                        "email": "alice@example.com"})
    assert_error(response, 409, "conflict", "email")


@pytest.mark.parametrize("changes,field", [
    ({"username": "ab"}, "username"),
    ({"username": "bad name!"}, "username"),
    ({"username": 5}, "username"),
    ({"username": None}, "username"),
    ({"username": ["a", "b"]}, "username"),
    ({"username": {"x": 1}}, "username"),
    ({"username": "x" * 10_000}, "username"),
    ({"email": "not-an-email"}, "email"),
    ({"email": 12}, "email"),
    ({"email": True}, "email"),
    ({"password": "short"}, "password"),
    ({"password": 1234567890123}, "password"),
    ({"password": None}, "password"),
    ({"password": "x" * 5000}, "password"),
    ({"password": "newuser123-secret"}, "password"),
])
def test_create_user_invalid_is_422(api, changes, field):
    data = {"username": "newuser123", "email": "new@example.com", "password": PASSWORD, **changes}
    assert_error(api.post("/users", json=data), 422, "validation_failed", field)
    assert db.session.scalar(select(User.id)) is None


def test_create_user_missing_fields_is_422(api):
    assert_error(api.post("/users", json={}), 422, "validation_failed")
    assert_error(api.post("/users", json={"username": "newuser123"}), 422, field="email")


def test_create_user_unicode_password_works(api):
    data = {"username": "umlaut", "email": "u@example.com", "password": "Grüße aus Köln 🎉"}
    assert api.post("/users", json=data).status_code == 201
    response = api.post("/auth/token", json={"login": "u@example.com",
                                             "password": "Grüße aus Köln 🎉"})
    assert response.status_code == 200


def test_token_by_username_or_email(api):
    user = make_user("carol")
    for login in ("carol", "CAROL", "carol@example.com", " Carol@Example.com "):
        response = api.post("/auth/token", json={"login": login, "password": PASSWORD})
        assert response.status_code == 200, login
        body = response.get_json()
        assert set(body) == {"token", "user"}
        assert body["user"]["id"] == user.id and body["user"]["email"] == "carol@example.com"
    # Only the hash is stored.
    hashes = db.session.scalars(select(ApiToken.token_hash)).all()
    assert len(hashes) == 4 and body["token"] not in hashes


def test_token_bad_credentials_same_401(api):
    make_user("dave")
    wrong_password = api.post("/auth/token", json={"login": "dave", "password": "wrong pass 1"})
    no_user = api.post("/auth/token", json={"login": "nobody", "password": "wrong pass 1"})
    first = assert_error(wrong_password, 401, "invalid_credentials")
    second = assert_error(no_user, 401, "invalid_credentials")
    assert first == second
    assert first["message"] == accounts.LOGIN_FAILED


@pytest.mark.parametrize("data", [
    {}, {"login": "dave"}, {"password": PASSWORD}, {"login": 5, "password": PASSWORD},
    {"login": "dave", "password": ["x"]}, {"login": None, "password": None},
    {"login": "x" * 100_000, "password": PASSWORD}, {"login": {"a": 1}, "password": PASSWORD},
])
def test_token_wrong_types_are_401(api, data):
    make_user("dave")
    assert_error(api.post("/auth/token", json=data), 401, "invalid_credentials")


def test_me_needs_token_and_shows_privileges(api):
    assert_error(api.get("/me"), 401, "authentication_required")
    user = make_user(role="moderator")
    body = api.get("/me", user=user).get_json()
    assert set(body) == USER_FIELDS | {"email", "privileges"}
    assert body["email"] == user.email
    assert "ask" in body["privileges"] and "edit_any" in body["privileges"]
    assert "create_board" not in body["privileges"]


@pytest.mark.parametrize("header", [
    "Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "bearer", "Token abc",
    "Bearer " + "x" * 5000,
])
def test_invalid_token_is_401_even_for_public_reads(api, header):
    response = api.get("/boards", headers={"Authorization": header})
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method,path", [("POST", "/auth/logout"), ("DELETE", "/auth/token")])
def test_logout_revokes_the_token_used(api, method, path):
    user = make_user()
    headers = api.headers(user)
    other = Api(api.client).headers(user)  # a second token of the same user
    assert api.request(method, path, headers=headers).status_code == 204
    assert_error(api.get("/me", headers=headers), 401, "invalid_token")
    assert_error(api.request(method, path, headers=headers), 401, "invalid_token")
    assert api.get("/me", headers=other).status_code == 200
    assert_error(api.request(method, path), 401, "authentication_required")


def test_user_profile_public(api):
    author = make_user("erin")
    thread = make_thread()
    answer = make_answer(thread, author)
    make_answer(thread, author)
    threads.accept_answer(thread.author, thread.id, answer.id)
    body = api.get("/users/ERIN").get_json()
    assert set(body) == USER_FIELDS
    assert (body["username"], body["answer_count"], body["accepted_count"]) == ("erin", 2, 1)
    assert body["reputation"] == 16
    assert "email" not in body


def test_reputation_ledger_list(api):
    author = make_user()
    thread = make_thread()
    answer = make_answer(thread, author)
    votes.cast_vote(make_voter(), answer.id, 1)
    votes.cast_vote(make_voter(), answer.id, 1)
    body = api.get(f"/users/{author.username}/reputation?per_page=1").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 1, 2)
    event = body["items"][0]
    assert set(event) == {"amount", "reason", "post_id", "created_at"}
    assert (event["amount"], event["reason"], event["post_id"]) == (10, "upvote", answer.id)


def test_rate_limits_return_429_json_with_retry_after(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [
        client.post(f"{PREFIX}/auth/token", json={"login": "x", "password": "y"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    response = client.post(f"{PREFIX}/auth/token", json={"login": "x", "password": "y"})
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    for n in range(5):
        data = {"username": f"flood{n}", "email": f"f{n}@example.com", "password": PASSWORD}
        assert client.post(f"{PREFIX}/users", json=data).status_code == 201
    response = client.post(f"{PREFIX}/users", json={"username": "flood9"})
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    assert client.get(f"{PREFIX}/boards").status_code == 200  # reads are not limited
