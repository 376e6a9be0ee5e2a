"""Voting (with and without JavaScript) and accepting answers."""
import re

from forum.models import Post, Thread
from tests.factories import make_answer, make_thread, make_user, make_voter
from tests.web.helpers import csrf_token, fresh, sign_in, text

# --- votes --------------------------------------------------------------------

def test_vote_with_a_plain_form(client):
    answer = make_answer(make_thread())
    sign_in(client, make_voter())
    response = client.post(f"/p/{answer.id}/vote", data={"value": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{answer.id}"
    assert fresh(Post, answer.id).score == 1
    page = text(client.get(f"/t/{answer.thread_id}/{fresh(Thread, answer.thread_id).slug}"))
    vote_form = page[page.index(f'action="/p/{answer.id}/vote"'):]
    # The pressed button withdraws the vote when pressed again.
    assert re.search(r'name="value" value="0" class="vote-button vote-up"\s+aria-pressed="true"',
                     vote_form)
    client.post(f"/p/{answer.id}/vote", data={"value": "0"})
    assert fresh(Post, answer.id).score == 0


def test_vote_with_javascript_gets_json(client):
    answer = make_answer(make_thread())
    sign_in(client, make_voter())
    json_headers = {"Accept": "application/json"}
    response = client.post(f"/p/{answer.id}/vote", data={"value": "-1"}, headers=json_headers)
    assert response.status_code == 200
    assert response.get_json() == {"score": -1, "my_vote": -1}
    response = client.post(f"/p/{answer.id}/vote", data={"value": "1"}, headers=json_headers)
    assert response.get_json() == {"score": 1, "my_vote": 1}
    response = client.post(f"/p/{answer.id}/vote", data={"value": "0"}, headers=json_headers)
    assert response.get_json() == {"score": 0, "my_vote": 0}


def test_vote_errors(client):
    author = make_voter()
    answer = make_answer(make_thread(), author)
    json_headers = {"Accept": "application/json"}
    anonymous = client.post(f"/p/{answer.id}/vote", data={"value": "1"}, headers=json_headers)
    assert anonymous.status_code == 403
    assert anonymous.get_json()["error"]["code"] == "login_required"
    assert anonymous.get_json()["error"]["login_url"] == "/login"
    assert client.post(f"/p/{answer.id}/vote", data={"value": "1"}).status_code == 302
    sign_in(client, author)
    own = client.post(f"/p/{answer.id}/vote", data={"value": "1"}, headers=json_headers)
    assert own.status_code == 403
    assert own.get_json()["error"]["message"] == "You cannot vote on this post."
    assert client.post(f"/p/{answer.id}/vote", data={"value": "1"}).status_code == 403
    assert client.post(f"/p/{answer.id}/vote", data={"value": "5"}).status_code == 422
    assert client.post(f"/p/{answer.id}/vote", data={"value": "up"}).status_code == 422
    assert client.post("/p/424242/vote", data={"value": "1"}).status_code == 404


def test_vote_needs_csrf_token_also_from_javascript(app, make_app):
    answer = make_answer(make_thread())
    user = make_voter()
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token(guarded.get("/login"))
    sign_in(guarded, user, csrf_token=token)
    headers = {"Accept": "application/json"}
    refused = guarded.post(f"/p/{answer.id}/vote", data={"value": "1"}, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    assert fresh(Post, answer.id).score == 0
    page = text(guarded.get("/"))
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    accepted = guarded.post(f"/p/{answer.id}/vote", data={"value": "1"},
                            headers={**headers, "X-CSRFToken": meta})
    assert accepted.status_code == 200 and accepted.get_json()["score"] == 1

# --- accepting ------------------------------------------------------------------

def test_accept_and_unaccept(client):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    sign_in(client, asker)
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Accept this answer" in page
    response = client.post(f"/t/{thread.id}/accept", data={"answer_id": str(answer.id)})
    assert response.status_code == 302
    assert fresh(Thread, thread.id).accepted_answer_id == answer.id
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Unaccept" in page and "post-accepted" in page
    client.post(f"/t/{thread.id}/accept", data={"answer_id": str(answer.id)})
    assert fresh(Thread, thread.id).accepted_answer_id is None


def test_accept_is_for_the_asker(client):
    thread = make_thread()
    answer = make_answer(thread)
    sign_in(client, make_user())
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Accept this answer" not in page
    response = client.post(f"/t/{thread.id}/accept", data={"answer_id": str(answer.id)})
    assert response.status_code == 403
    assert "Only the asker or staff can accept an answer." in text(response)
    assert client.post(f"/t/{thread.id}/accept", data={"answer_id": "x"}).status_code == 422
