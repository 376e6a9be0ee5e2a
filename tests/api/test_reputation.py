"""Reputation over the API: privilege_required refusals, /me privileges, the ledger."""
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Comment, Thread, Vote
from forum.services import threads, votes
from tests.api.helpers import assert_error
from tests.factories import make_answer, make_board, make_tags, make_thread, make_user, make_voter

USER_FIELDS = {"id", "username", "reputation", "role", "created_at", "answer_count",
               "accepted_count"}


def _privilege_error(response, name: str, threshold: int, reputation: int) -> dict:
    error = assert_error(response, 403, "privilege_required")
    assert error["fields"] == {
        "privilege": name, "threshold": str(threshold), "reputation": str(reputation),
        "missing": str(threshold - reputation),
    }
    assert str(threshold) in error["message"]
    assert f"{threshold - reputation} to go" in error["message"]
    return error


@pytest.mark.parametrize("value,name,threshold", [(1, "vote_up", 15), (-1, "vote_down", 125)])
def test_vote_needs_its_privilege(api, value, name, threshold):
    answer = make_answer(make_thread())
    response = api.post(f"/posts/{answer.id}/vote", user=make_user(), json={"value": value})
    error = _privilege_error(response, name, threshold, 1)
    assert ("Vote up" if value == 1 else "Vote down") in error["message"]
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_vote_down_refused_at_124_allowed_at_125(api):
    answer = make_answer(make_thread())
    path = f"/posts/{answer.id}/vote"
    _privilege_error(api.post(path, user=make_user(reputation=124), json={"value": -1}),
                     "vote_down", 125, 124)
    response = api.post(path, user=make_user(reputation=125), json={"value": -1})
    assert response.get_json() == {"score": -1, "my_vote": -1}


def test_comment_needs_privilege_except_on_own_posts(api):
    asker, answerer = make_user(), make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, answerer)
    body = {"body": "A short comment"}
    _privilege_error(api.post(f"/posts/{thread.question.id}/comments", user=answerer, json=body),
                     "comment_everywhere", 50, 1)
    assert api.post(f"/posts/{answer.id}/comments", user=asker, json=body).status_code == 201
    assert api.post(f"/posts/{answer.id}/comments", user=answerer, json=body).status_code == 201
    assert db.session.scalar(select(func.count(Comment.id))) == 2


def test_new_tags_need_privilege_existing_ones_do_not(api):
    board = make_board()
    make_tags("wifi")
    user = make_user()
    data = {"board": board.slug, "title": "How do I reset the router?",
            "body": "It keeps dropping the connection every few minutes."}
    response = api.post("/threads", user=user, json={**data, "tags": ["wifi", "brand-new"]})
    error = assert_error(response, 403, "privilege_required")
    assert error["fields"]["privilege"] == "create_tags"
    assert error["fields"]["tags"] == "new tags: brand-new"
    assert "brand-new" in error["message"]
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    assert api.post("/threads", user=user, json={**data, "tags": ["wifi"]}).status_code == 201


def test_editing_others_posts_needs_1000(api):
    answer = make_answer(make_thread())
    body = {"body": "A better answer, edited by someone trusted."}
    _privilege_error(api.patch(f"/posts/{answer.id}", user=make_user(reputation=999), json=body),
                     "edit_others", 1000, 999)
    response = api.patch(f"/posts/{answer.id}", user=make_user(reputation=1000), json=body)
    assert response.status_code == 200 and response.get_json()["body"] == body["body"]


def test_own_post_refusal_stays_forbidden(api):
    author = make_voter()
    answer = make_answer(make_thread(), author)
    assert_error(api.post(f"/posts/{answer.id}/vote", user=author, json={"value": 1}), 403,
                 "forbidden")


def test_me_lists_privileges_by_name(api):
    fresh = api.get("/me", user=make_user()).get_json()
    assert set(fresh) == USER_FIELDS | {"email", "privileges"}
    assert fresh["privileges"] == ["ask", "answer", "comment_own", "accept_own", "edit_own"]
    fifty = api.get("/me", user=make_user(reputation=50)).get_json()["privileges"]
    assert {"vote_up", "flag", "comment_everywhere"} <= set(fifty)
    assert "vote_down" not in fifty
    moderator = api.get("/me", user=make_user(role="moderator")).get_json()["privileges"]
    assert {"vote_up", "vote_down", "create_tags", "close_reopen", "edit_others",
            "review_queue", "edit_any", "restore_any"} <= set(moderator)


def test_privileges_follow_configured_thresholds(make_app):
    app = make_app(PRIVILEGE_THRESHOLDS={"vote_down": 20})
    client = app.test_client()
    with app.app_context():
        from tests.api.helpers import Api

        api = Api(client)
        user = make_user(reputation=20)
        assert "vote_down" in api.get("/me", user=user).get_json()["privileges"]
        answer = make_answer(make_thread())
        assert api.post(f"/posts/{answer.id}/vote", user=user,
                        json={"value": -1}).status_code == 200


def test_reputation_endpoints(api):
    author = make_user("ledgered")
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, author)
    voter = make_voter()
    votes.cast_vote(voter, answer.id, 1)
    threads.accept_answer(asker, thread.id, answer.id)
    votes.cast_vote(voter, answer.id, 0)
    profile = api.get("/users/ledgered").get_json()
    assert profile["reputation"] == 16 and profile["accepted_count"] == 1
    ledger = api.get("/users/ledgered/reputation").get_json()
    assert ledger["total"] == 3
    assert [(e["reason"], e["amount"], e["post_id"]) for e in ledger["items"]] == [
        ("upvote_undone", -10, answer.id), ("accepted", 15, answer.id),
        ("upvote", 10, answer.id)]
    assert all(e["created_at"].endswith("Z") for e in ledger["items"])
    second = api.get("/users/ledgered/reputation?per_page=2&page=2").get_json()
    assert [e["reason"] for e in second["items"]] == ["upvote"]
    assert_error(api.get("/users/nobody/reputation"), 404, "not_found")
    assert_error(api.get("/users/ledgered/reputation?per_page=101"), 422, "validation_failed")


def test_reputation_never_shows_below_1_in_the_api(api):
    author = make_user("sunk")
    answer = make_answer(make_thread(), author)
    votes.cast_vote(make_voter(), answer.id, -1)
    assert api.get("/users/sunk").get_json()["reputation"] == 1
    body = api.get(f"/posts/{answer.id}").get_json()
    assert body["author"]["reputation"] == 1
    assert api.get("/users/sunk/reputation").get_json()["items"][0]["amount"] == -2
