"""The moderator's member page, its forms, the banners, and POST /api/v1/users/{name}/suspend."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import User
from forum.timeutil import utcnow
from moderation.models import Suspension, UserWarning
from moderation.services import suspensions, warnings
from tests.api.helpers import Api, assert_error
from tests.conftest import login
from tests.factories import make_thread, make_user


def _future(**delta):
    return (utcnow() + timedelta(**delta)).replace(microsecond=0).isoformat() + "Z"


@pytest.fixture
def api(client):
    return Api(client)


def test_member_page_shows_history_and_forms_to_moderators(client):
    moderator, member = make_user(role="moderator"), make_user()
    warnings.warn(moderator, member.username, "Mind the rules about links")
    warnings.add_note(moderator, member.username, "Second account of a known spammer")
    suspensions.suspend(moderator, member.username, _future(days=1), "Link spam")
    login(client, moderator)
    page = client.get(f"/moderation/users/{member.username}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Mind the rules about links", "Second account of a known spammer", "Link spam",
                 'name="csrf_token"', "Lift now", "Delete as spammer"):
        assert text in html


@pytest.mark.parametrize("role", ["user", "anonymous"])
def test_member_page_is_for_moderators_only(client, role):
    member = make_user()
    if role == "user":
        login(client, make_user(reputation=5000))
    response = client.get(f"/moderation/users/{member.username}")
    assert response.status_code in (302, 403)
    assert "Moderator notes" not in response.get_data(as_text=True)


def test_member_page_runs_a_fixed_number_of_queries(client, count_queries):
    moderator = make_user(role="moderator")
    quiet, busy = make_user(), make_user()
    for n in range(6):
        warnings.warn(moderator, busy.username, f"Warning number {n}")
        warnings.add_note(moderator, busy.username, f"Note number {n}")
        suspensions.suspend(moderator, busy.username, _future(days=n + 1), f"Reason {n}")
    login(client, moderator)
    counts = []
    for member in (quiet, busy):
        with count_queries() as counter:
            assert client.get(f"/moderation/users/{member.username}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_suspend_form_comes_back_filled_in_on_a_mistake(client):
    moderator, member = make_user(role="moderator"), make_user()
    login(client, moderator)
    response = client.post(f"/moderation/users/{member.username}/suspend",
                           data={"until": "2001-01-01T10:00", "reason": "Posting shop links"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "must be in the future" in html and 'value="Posting shop links"' in html
    assert db.session.scalar(select(func.count(Suspension.id))) == 0


def test_suspend_and_lift_through_the_page(client):
    moderator, member = make_user(role="moderator"), make_user()
    login(client, moderator)
    until = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/moderation/users/{member.username}/suspend",
                           data={"until": until, "reason": "Posting shop links"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).is_suspended
    assert client.post(f"/moderation/users/{member.username}/lift", data={}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, member.id).is_suspended


def test_refused_page_action_says_why_and_changes_nothing(client):
    moderator, other = make_user(role="moderator"), make_user(role="moderator")
    login(client, moderator)
    response = client.post(f"/moderation/users/{other.username}/warn", data={"message": "Hi"})
    assert response.status_code == 403
    assert "below yours" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(UserWarning.id))) == 0


def test_warning_shows_once_on_the_next_page_then_stays_on_record(client):
    moderator, member = make_user(role="moderator"), make_user()
    warnings.warn(moderator, member.username, "Please keep it civil")
    login(client, member)
    assert "Please keep it civil" in client.get("/").get_data(as_text=True)
    assert "Please keep it civil" not in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(UserWarning.seen_at)) is not None


def test_warning_is_not_used_up_by_a_redirect(client):
    moderator, member = make_user(role="moderator"), make_user()
    thread = make_thread()
    warnings.warn(moderator, member.username, "Please keep it civil")
    login(client, member)
    assert client.get(f"/t/{thread.id}/wrong-slug").status_code == 301
    assert "Please keep it civil" in client.get("/").get_data(as_text=True)


def test_suspended_member_sees_why_and_until_when_on_every_page(client):
    moderator, member = make_user(role="moderator"), make_user()
    thread = make_thread()
    suspensions.suspend(moderator, member.username, _future(days=3), "Selling accounts")
    login(client, member)
    for path in ("/", f"/t/{thread.id}/{thread.slug}"):
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "Your account is suspended until" in html and "Selling accounts" in html
    refused = client.post(f"/t/{thread.id}/answer", data={"body": "An answer that is long enough."})
    assert refused.status_code == 403
    assert "Selling accounts" in refused.get_data(as_text=True)


# --- the API -------------------------------------------------------------------------

def test_api_suspend_returns_the_suspension(api):
    moderator, member = make_user(role="moderator"), make_user()
    until = _future(days=3)
    response = api.post(f"/users/{member.username}/suspend", user=moderator,
                        json={"until": until, "reason": "Spam", "role": "admin"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["until"] == until and body["reason"] == "Spam"
    assert body["user"]["username"] == member.username
    assert body["moderator"]["username"] == moderator.username
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "user"


def test_api_suspended_user_gets_the_suspended_code(api):
    moderator, member = make_user(role="moderator"), make_user()
    thread = make_thread()
    api.post(f"/users/{member.username}/suspend", user=moderator,
             json={"until": _future(days=3), "reason": "Spam"})
    response = api.post(f"/threads/{thread.id}/answers", user=member,
                        json={"body": "An answer that is long enough to post."})
    error = assert_error(response, 403, "suspended", "suspended_until")
    assert "Spam" in error["message"]


@pytest.mark.parametrize("body,field", [
    ({"until": "2001-01-01T00:00:00Z", "reason": "Spam"}, "until"),
    ({"until": "not a date", "reason": "Spam"}, "until"),
    ({"until": 12, "reason": "Spam"}, "until"),
    ({"reason": "Spam"}, "until"),
    ({"until": "FUTURE"}, "reason"),
    ({"until": "FUTURE", "reason": ""}, "reason"),
    ({"until": "FUTURE", "reason": ["x"]}, "reason"),
])
def test_api_suspend_validation_is_422_and_changes_nothing(api, body, field):
    moderator, member = make_user(role="moderator"), make_user()
    body = {k: _future(days=1) if v == "FUTURE" else v for k, v in body.items()}
    response = api.post(f"/users/{member.username}/suspend", user=moderator, json=body)
    assert_error(response, 422, "validation_failed", field)
    db.session.expire_all()
    assert db.session.get(User, member.id).suspended_until is None


def test_api_suspend_errors(api, client):
    moderator, member, staff = make_user(role="moderator"), make_user(), make_user(role="staff")
    body = {"until": _future(days=1), "reason": "Spam"}
    assert_error(api.post(f"/users/{member.username}/suspend", json=body), 401)
    assert_error(api.post(f"/users/{member.username}/suspend", user=make_user(), json=body),
                 403, "forbidden")
    assert_error(api.post("/users/nobody-at-all/suspend", user=moderator, json=body), 404)
    assert_error(api.post(f"/users/{staff.username}/suspend", user=moderator, json=body), 403)
    assert_error(api.post(f"/users/{moderator.username}/suspend", user=moderator, json=body), 403)
    bad = client.post(f"/api/v1/users/{member.username}/suspend", data="{",
                      headers={**api.headers(moderator), "Content-Type": "application/json"})
    assert_error(bad, 400)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Suspension.id))) == 0


def test_injection_strings_as_member_names_are_plain_404s(client, api):
    from urllib.parse import quote

    from tests.conftest import shared_path

    lines = shared_path("data", "sqli-payloads", "Generic_Fuzz.txt").read_text(
        encoding="utf-8", errors="replace").splitlines()
    moderator = make_user(role="moderator")
    body = {"until": _future(days=1), "reason": "Spam"}
    login(client, moderator)
    for payload in filter(None, (line.strip() for line in lines)):
        name = quote(payload, safe="")
        assert client.get(f"/moderation/users/{name}").status_code == 404, payload
        assert api.post(f"/users/{name}/suspend", user=moderator, json=body).status_code == 404
