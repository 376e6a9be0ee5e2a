import pytest
from sqlalchemy import select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.models import User
from forum.services import accounts
from tests.factories import PASSWORD, make_user


@pytest.mark.parametrize("name", ["ab", "a" * 31, "has space", "ünï", "semi;colon", "<b>x</b>"])
def test_register_bad_username_refused(app, name):
    with pytest.raises(ValidationError) as error:
        accounts.register(name, "x@example.com", PASSWORD)
    assert "username" in error.value.fields


@pytest.mark.parametrize("name", ["abc", "Anna_B", "x.y-z", "a" * 30])
def test_register_good_username_accepted(app, name):
    assert accounts.register(name, f"{name}@example.com", PASSWORD).username == name


def test_register_username_unique_ignoring_case(app):
    make_user("Anna")
    with pytest.raises(Conflict) as error:
        accounts.register("anna", "other@example.com", PASSWORD)
    assert error.value.fields == {"username": "taken"}


def test_register_email_unique_ignoring_case(app):
    accounts.register("anna", "Anna@Example.com", PASSWORD)
    with pytest.raises(Conflict):
        accounts.register("bert", "anna@example.COM", PASSWORD)


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@b.com", 5, None, "a@b@c.com"])
def test_register_bad_email_refused(app, email):
    with pytest.raises(ValidationError):
        accounts.register("anna", email, PASSWORD)


@pytest.mark.parametrize("password", ["short", "123456789", "xxanna-bbxx", "ANNA1234567", 12345678901])
def test_register_weak_password_refused(app, password):
    with pytest.raises(ValidationError) as error:
        accounts.register("anna", "anna@example.com", password)
    assert "password" in error.value.fields


def test_register_stores_hash_not_password(app):
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert user.role == "user" and user.reputation == 1


@pytest.mark.parametrize("login", ["anna", "ANNA", "anna@example.com", " Anna@Example.com "])
def test_authenticate_by_username_or_email(app, login):
    user = make_user("anna")
    assert accounts.authenticate(login, PASSWORD) == user


@pytest.mark.parametrize("login,password", [
    ("anna", "wrong password!"), ("nobody", PASSWORD), (None, PASSWORD), ("anna", None),
    ({"x": 1}, PASSWORD),
])
def test_authenticate_failure_returns_none(app, login, password):
    make_user("anna")
    assert accounts.authenticate(login, password) is None


def test_change_password_needs_current_and_ends_other_sessions(app):
    user = make_user()
    salt = user.session_salt
    with pytest.raises(PermissionDenied):
        accounts.change_password(user, "not my password", "a brand new password")
    accounts.change_password(user, PASSWORD, "a brand new password")
    assert user.session_salt != salt
    assert accounts.authenticate(user.username, "a brand new password") == user
    assert accounts.authenticate(user.username, PASSWORD) is None


def test_change_email_checks_password_and_uniqueness(app):
    user = make_user()
    other = make_user()
    with pytest.raises(PermissionDenied):
        accounts.change_email(user, "wrong", "new@example.com")
    with pytest.raises(Conflict):
        accounts.change_email(user, PASSWORD, other.email)
    accounts.change_email(user, PASSWORD, "New@Example.com")
    assert user.email == "new@example.com"


def _reset_link(app, user, monkeypatch):
    sent = []
    monkeypatch.setattr(accounts.mail, "send", lambda **message: sent.append(message))
    with app.test_request_context():
        accounts.request_password_reset(user.email, lambda token: f"/reset/{token}")
    assert len(sent) == 1 and sent[0]["to"] == user.email
    return sent[0]["text"].split("/reset/")[1].split()[0]


def test_password_reset_token_works_once(app, monkeypatch):
    user = make_user()
    token = _reset_link(app, user, monkeypatch)
    accounts.reset_password(token, "my new password 1")
    assert accounts.authenticate(user.username, "my new password 1") == user
    with pytest.raises(ValidationError):
        accounts.reset_password(token, "my new password 2")


def test_password_reset_token_expires_after_an_hour(app, monkeypatch):
    user = make_user()
    token = _reset_link(app, user, monkeypatch)
    monkeypatch.setattr(accounts, "RESET_MAX_AGE", -1)
    with pytest.raises(ValidationError) as error:
        accounts.reset_password(token, "my new password 1")
    assert "expired" in error.value.message


@pytest.mark.parametrize("token", ["", "garbage", "a" * 600, None, 42])
def test_password_reset_bad_token_refused(app, token):
    with pytest.raises(ValidationError):
        accounts.user_for_reset_token(token)


def test_password_reset_unknown_email_sends_nothing(app, monkeypatch):
    sent = []
    monkeypatch.setattr(accounts.mail, "send", lambda **message: sent.append(message))
    accounts.request_password_reset("nobody@example.com", lambda token: token)
    accounts.request_password_reset("not an email", lambda token: token)
    assert sent == []


def test_api_token_is_stored_hashed_and_revocable(app):
    user = make_user()
    token = accounts.issue_api_token(user)
    assert accounts.user_for_api_token(token) == user
    from forum.extensions import db
    from forum.models import ApiToken
    assert db.session.scalar(select(ApiToken.token_hash)) != token
    accounts.revoke_api_token(token)
    assert accounts.user_for_api_token(token) is None


def test_set_role_and_locale(app):
    user = make_user("bert")
    accounts.set_role("BERT", "moderator")
    assert user.role == "moderator"
    accounts.set_locale(user, "de")
    assert user.locale == "de"
    with pytest.raises(ValidationError):
        accounts.set_locale(user, "fr")


def test_cli_creates_users_of_any_role(runner):
    result = runner.invoke(args=[
        "askdesk", "users", "create", "sam", "--email", "sam@example.com",
        "--password", PASSWORD, "--role", "staff",
    ])
    assert result.exit_code == 0, result.output
    from forum.extensions import db
    assert db.session.scalar(select(User.role).where(User.username == "sam")) == "staff"
    clash = runner.invoke(args=[
        "askdesk", "users", "create", "SAM", "--email", "x@example.com", "--password", PASSWORD,
    ])
    assert clash.exit_code != 0 and "taken" in clash.output


@pytest.mark.parametrize("name", ["ann\x00a", "\ud800", "x" * 31, 5, None])
def test_unusable_lookup_names_find_nobody(app, name):
    make_user("anna")
    assert accounts.authenticate(name, PASSWORD) is None
    with pytest.raises(NotFound):
        accounts.get_user(name)


def test_password_with_broken_unicode_refused(app):
    with pytest.raises(ValidationError):
        accounts.register("anna", "anna@example.com", "long enough \ud800 password")
