"""Register, sign in and out, password reset, settings."""
import email
import re
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from forum.extensions import db
from forum.models import User
from forum.services import accounts
from tests.factories import PASSWORD, make_user
from tests.web.helpers import csrf_token, fresh, sign_in, text

NEW_PASSWORD = "a brand new secret 42"


# --- register -----------------------------------------------------------------

def test_register_creates_account_and_signs_in(client):
    response = client.post("/register", data={
        "username": "newbie", "email": "newbie@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD,
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "newbie" in home and "Sign out" in home


def test_register_failure_keeps_what_was_typed(client):
    response = client.post("/register", data={
        "username": "x", "email": "typed@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD,
    })
    assert response.status_code == 422
    page = text(response)
    assert 'value="x"' in page and 'value="typed@example.com"' in page
    assert "Username must be 3-30 letters" in page
    assert 'aria-invalid="true"' in page


def test_register_password_mismatch(client):
    response = client.post("/register", data={
        "username": "mismatch", "email": "m@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD + "x",
    })
    assert response.status_code == 422
    assert "The two passwords do not match." in text(response)
    assert 'value="mismatch"' in text(response)


def test_register_taken_username(client):
    make_user("taken")
    response = client.post("/register", data={
        "username": "Taken", "email": "other@example.com",
        "password": PASSWORD, "password_confirm": PASSWORD,
    })
    assert response.status_code == 422
    assert "That username is taken." in text(response)


def test_register_needs_csrf_token(app, make_app):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    data = {"username": "nocsrf", "email": "nocsrf@example.com",
            "password": PASSWORD, "password_confirm": PASSWORD}
    response = guarded.post("/register", data=data)
    assert response.status_code == 400
    assert "did not come from this site" in text(response)
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "nocsrf")) is None
    data["csrf_token"] = csrf_token(guarded.get("/register"))
    assert guarded.post("/register", data=data).status_code == 302


# --- sign in and out ------------------------------------------------------------

def _alert(response) -> str:
    match = re.search(r'<div class="alert alert-error" role="alert"[^>]*>(.*?)</div>',
                      text(response))
    return match.group(1)


def test_login_and_logout(client):
    user = make_user("signer")
    assert sign_in(client, user).status_code == 302
    assert "signer" in text(client.get("/"))
    response = client.post("/logout")
    assert response.status_code == 302
    assert "Sign in" in text(client.get("/"))


def test_logout_is_post_only(client):
    assert client.get("/logout").status_code == 405


def test_login_failure_message_is_the_same_for_unknown_users(client):
    user = make_user("realuser")
    wrong_password = sign_in(client, user, password="not the password")
    unknown = client.post("/login", data={"login": "nobody-here", "password": "whatever123"})
    assert wrong_password.status_code == unknown.status_code == 422
    assert _alert(wrong_password) == _alert(unknown) == accounts.LOGIN_FAILED
    assert 'value="nobody-here"' in text(unknown)


def test_login_with_email_and_remember_me(client):
    user = make_user("rememberme")
    response = client.post("/login", data={
        "login": "RememberMe@Example.com", "password": PASSWORD, "remember": "1",
    })
    assert response.status_code == 302
    assert any("remember_token=" in h for h in response.headers.getlist("Set-Cookie"))
    assert user.username in text(client.get("/"))


def test_login_required_redirects_with_next(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fsettings"
    response = client.get("/ask")
    assert response.headers["Location"] == "/login?next=%2Fask"


def test_login_needs_csrf_token(app, make_app):
    make_user("csrfuser")
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = guarded.post("/login", data={"login": "csrfuser", "password": PASSWORD})
    assert response.status_code == 400
    assert "Sign out" not in text(guarded.get("/"))


# --- password reset -------------------------------------------------------------

def _reset_link(web) -> str:
    mails = sorted((Path(web.config["INSTANCE_DIR"]) / "mail").glob("*.eml"))
    message = email.message_from_bytes(mails[-1].read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https?://\S+/password/reset/\S+", body).group(0)
    return urlsplit(url).path


def test_password_reset_end_to_end(client, web):
    user = make_user("forgetful")
    response = client.post("/password/forgot", data={"email": "forgetful@example.com"})
    assert response.status_code == 200
    assert "If the address is registered" in text(response)
    link = _reset_link(web)
    form = client.get(link)
    assert form.status_code == 200 and "Choose a new password" in text(form)
    done = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert sign_in(client, user, password=NEW_PASSWORD).status_code == 302
    # The link is spent: it works once, not twice.
    again = client.get(link)
    assert again.status_code == 400
    assert "already used" in text(again)
    assert client.post(link, data={"password": "x" * 12, "password_confirm": "x" * 12}
                       ).status_code == 400


def test_password_reset_does_not_say_whether_the_address_exists(client, web):
    make_user("exists")
    known = client.post("/password/forgot", data={"email": "exists@example.com"})
    unknown = client.post("/password/forgot", data={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert text(known) == text(unknown)
    mails = list((Path(web.config["INSTANCE_DIR"]) / "mail").glob("*.eml"))
    assert len(mails) == 1


def test_password_reset_expired_link(client, web, monkeypatch):
    make_user("slowpoke")
    client.post("/password/forgot", data={"email": "slowpoke@example.com"})
    link = _reset_link(web)
    monkeypatch.setattr(accounts, "RESET_MAX_AGE", -1)
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in text(response)


def test_password_reset_invalid_link(client):
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in text(response)


def test_password_reset_weak_password_is_a_form_error(client, web):
    make_user("weakling")
    client.post("/password/forgot", data={"email": "weakling@example.com"})
    link = _reset_link(web)
    response = client.post(link, data={"password": "short", "password_confirm": "short"})
    assert response.status_code == 422
    assert "at least 10 characters" in text(response)
    mismatch = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": "nope"})
    assert mismatch.status_code == 422


# --- settings -------------------------------------------------------------------

def test_change_password_keeps_this_session_and_ends_others(web):
    user = make_user("rotator")
    here, elsewhere = web.test_client(), web.test_client()
    sign_in(here, user, remember="1")
    sign_in(elsewhere, user)
    response = here.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert any("remember_token=" in h for h in response.headers.getlist("Set-Cookie"))
    assert "rotator" in text(here.get("/settings"))
    assert elsewhere.get("/settings").status_code == 302  # signed out


def test_change_password_wrong_current_password(client):
    user = make_user("wrongcurrent")
    sign_in(client, user)
    response = client.post("/settings/password", data={
        "current_password": "nope nope nope", "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    })
    assert response.status_code == 422
    assert "Your current password is not right." in text(response)


def test_change_email(client):
    user = make_user("mover")
    sign_in(client, user)
    bad = client.post("/settings/email", data={"password": PASSWORD, "email": "not-an-email"})
    assert bad.status_code == 422
    assert 'value="not-an-email"' in text(bad)
    ok = client.post("/settings/email", data={"password": PASSWORD, "email": "moved@example.com"})
    assert ok.status_code == 302
    assert fresh(User, user.id).email == "moved@example.com"


def test_settings_forms_need_sign_in(client):
    for path in ("/settings/password", "/settings/email", "/settings/language"):
        response = client.post(path, data={})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_settings_need_csrf_token(app, make_app):
    user = make_user("csrfsettings")
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token(guarded.get("/login"))
    sign_in(guarded, user, csrf_token=token)
    response = guarded.post("/settings/email", data={"password": PASSWORD,
                                                     "email": "hijack@example.com"})
    assert response.status_code == 400
    assert fresh(User, user.id).email == "csrfsettings@example.com"
