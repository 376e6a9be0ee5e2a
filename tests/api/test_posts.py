"""Posts: read, edit with revisions, delete, comments and votes."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Comment, Post, Vote
from forum.services import comments, votes
from tests.api.helpers import assert_error
from tests.factories import make_answer, make_thread, make_user, make_voter

POST_FIELDS = {"id", "thread_id", "kind", "author", "body", "body_html", "score", "is_accepted",
               "is_staff_answer",
               "is_deleted", "is_held", "my_vote", "comments", "created_at", "edited_at"}
COMMENT_FIELDS = {"id", "post_id", "parent_id", "author", "body", "body_html", "is_deleted",
                  "is_held", "created_at"}
NEW_BODY = "An edited body that is certainly long enough."


def _reload(post):
    db.session.expire_all()
    return db.session.get(Post, post.id)


def test_get_post_with_comments_and_my_vote(api):
    answer = make_answer(make_thread())
    voter = make_voter()
    votes.cast_vote(voter, answer.id, -1)
    parent = comments.add_comment(voter, answer.id, "Parent comment")
    reply = comments.add_comment(voter, answer.id, "A reply", parent.id)
    body = api.get(f"/posts/{answer.id}", user=voter).get_json()
    assert set(body) == POST_FIELDS
    assert (body["score"], body["my_vote"], body["kind"]) == (-1, -1, "answer")
    assert [set(c) for c in body["comments"]] == [COMMENT_FIELDS] * 2
    assert [(c["id"], c["parent_id"]) for c in body["comments"]] == [
        (parent.id, None), (reply.id, parent.id)]
    assert api.get(f"/posts/{answer.id}").get_json()["my_vote"] == 0


def test_edit_own_post_keeps_revision(api):
    asker = make_user()
    thread = make_thread(asker)
    question = thread.question
    comments.add_comment(make_voter(), question.id, "Still there after the edit")
    response = api.patch(f"/posts/{question.id}", user=asker, json={
        "body": NEW_BODY + " <script>x</script>", "title": "A brand new title here",
        "edit_summary": "clearer", "score": 99, "author_id": 1,
    })
    assert response.status_code == 200
    body = response.get_json()
    assert body["body"] == NEW_BODY + " <script>x</script>" and "<script>" not in body["body_html"]
    assert body["edited_at"] is not None and body["score"] == 0
    assert len(body["comments"]) == 1
    revisions = api.get(f"/posts/{question.id}/revisions").get_json()
    assert revisions["total"] == 2
    first, second = revisions["items"]
    assert set(second) == {"number", "author", "title", "body", "summary", "created_at"}
    assert (first["number"], second["number"], second["summary"]) == (1, 2, "clearer")
    assert second["title"] == "A brand new title here" and second["author"]["id"] == asker.id
    assert api.get(f"/threads/{thread.id}").get_json()["slug"] == "a-brand-new-title-here"


def test_edit_someone_elses_post_403_unchanged(api):
    answer = make_answer(make_thread())
    before = answer.body
    response = api.patch(f"/posts/{answer.id}", user=make_user(), json={"body": NEW_BODY})
    error = assert_error(response, 403, "privilege_required")
    assert error["fields"]["privilege"] == "edit_others"
    assert error["fields"]["threshold"] == "1000"
    assert _reload(answer).body == before
    assert_error(api.patch(f"/posts/{answer.id}", json={"body": NEW_BODY}), 401)
    moderator = make_user(role="moderator")
    response = api.patch(f"/posts/{answer.id}", user=moderator, json={"body": NEW_BODY})
    assert response.status_code == 200
    assert _reload(answer).body == NEW_BODY


@pytest.mark.parametrize("data,field", [
    ({}, "body"), ({"body": None}, "body"), ({"body": 5}, "body"), ({"body": [NEW_BODY]}, "body"),
    ({"body": "short"}, "body"), ({"body": "x" * 30_001}, "body"),
    ({"body": NEW_BODY, "title": 5}, "title"), ({"body": NEW_BODY, "title": "short"}, "title"),
    ({"body": NEW_BODY, "edit_summary": 5}, "edit_summary"),
    ({"body": NEW_BODY, "edit_summary": "s" * 301}, "edit_summary"),
])
def test_edit_invalid_422(api, data, field):
    asker = make_user()
    thread = make_thread(asker)
    before = thread.question.body
    response = api.patch(f"/posts/{thread.question.id}", user=asker, json=data)
    assert_error(response, 422, "validation_failed", field)
    assert _reload(thread.question).body == before


def test_edit_title_on_answer_422(api):
    author = make_user()
    answer = make_answer(make_thread(), author)
    response = api.patch(f"/posts/{answer.id}", user=author,
                         json={"body": NEW_BODY, "title": "An answer has no title"})
    assert_error(response, 422, field="title")


def test_delete_post(api):
    author = make_user()
    thread = make_thread()
    answer = make_answer(thread, author)
    assert_error(api.delete(f"/posts/{answer.id}"), 401)
    assert_error(api.delete(f"/posts/{answer.id}", user=make_user()), 403)
    assert_error(api.delete(f"/posts/{thread.question.id}", user=thread.author), 403)
    response = api.delete(f"/posts/{answer.id}", user=author)
    assert response.status_code == 204 and response.data == b""
    assert_error(api.get(f"/posts/{answer.id}"), 404)
    assert_error(api.delete(f"/posts/{answer.id}", user=author), 404)
    assert _reload(answer).deleted_at is not None  # soft delete
    moderator_view = api.get(f"/posts/{answer.id}", user=make_user(role="moderator"))
    assert moderator_view.get_json()["is_deleted"] is True
    assert api.get(f"/threads/{thread.id}").get_json()["answer_count"] == 0


def test_comment_and_reply(api):
    answer = make_answer(make_thread())
    user = make_voter()
    path = f"/posts/{answer.id}/comments"
    response = api.post(path, user=user, json={"body": "Did you try 🔌 unplugging it?",
                                               "author_id": 1, "post_id": 999})
    assert response.status_code == 201
    comment = response.get_json()
    assert set(comment) == COMMENT_FIELDS
    assert (comment["post_id"], comment["parent_id"]) == (answer.id, None)
    assert comment["author"]["id"] == user.id and comment["body"] == "Did you try 🔌 unplugging it?"
    reply = api.post(path, user=answer.author, json={"body": "Yes, twice.",
                                                     "parent_id": comment["id"]}).get_json()
    assert reply["parent_id"] == comment["id"]
    assert_error(api.post(path, json={"body": "anonymous"}), 401)


@pytest.mark.parametrize("data,status,field", [
    ({}, 422, "body"), ({"body": None}, 422, "body"), ({"body": 5}, 422, "body"),
    ({"body": "x"}, 422, "body"), ({"body": "x" * 2001}, 422, "body"),
    ({"body": ["two words"]}, 422, "body"),
    ({"body": "fine", "parent_id": "x"}, 422, "parent_id"),
    ({"body": "fine", "parent_id": [1]}, 422, "parent_id"),
    ({"body": "fine", "parent_id": 999999}, 404, "parent_id"),
])
def test_comment_invalid(api, data, status, field):
    answer = make_answer(make_thread())
    response = api.post(f"/posts/{answer.id}/comments", user=make_voter(), json=data)
    assert_error(response, status, field=field)
    assert db.session.scalar(select(Comment.id)) is None


def test_reply_to_comment_of_other_post_is_404(api):
    thread = make_thread()
    first, second = make_answer(thread), make_answer(thread)
    elsewhere = comments.add_comment(make_voter(), first.id, "On the first answer")
    response = api.post(f"/posts/{second.id}/comments", user=make_voter(),
                        json={"body": "Reply", "parent_id": elsewhere.id})
    assert_error(response, 404, field="parent_id")


def test_vote_up_down_withdraw(api):
    answer = make_answer(make_thread())
    voter = make_voter()
    path = f"/posts/{answer.id}/vote"
    assert api.post(path, user=voter, json={"value": 1}).get_json() == {"score": 1, "my_vote": 1}
    assert api.post(path, user=voter, json={"value": -1}).get_json() == {"score": -1,
                                                                         "my_vote": -1}
    assert api.post(path, user=voter, json={"value": 0}).get_json() == {"score": 0, "my_vote": 0}
    assert db.session.scalar(select(Vote.id)) is None


def test_vote_refusals(api):
    author = make_user()
    answer = make_answer(make_thread(), author)
    path = f"/posts/{answer.id}/vote"
    assert_error(api.post(path, json={"value": 1}), 401, "authentication_required")
    assert_error(api.post(path, user=author, json={"value": 1}), 403, "forbidden")
    assert _reload(answer).score == 0


@pytest.mark.parametrize("data", [
    {}, {"value": "1"}, {"value": None}, {"value": 2}, {"value": -2}, {"value": True},
    {"value": [1]}, {"value": {"v": 1}}, {"value": 10**100}, {"value": "up"},
])
def test_vote_invalid_value_422(api, data):
    answer = make_answer(make_thread())
    response = api.post(f"/posts/{answer.id}/vote", user=make_voter(), json=data)
    assert_error(response, 422, "validation_failed", "value")
    assert _reload(answer).score == 0


def test_revisions_of_hidden_post_404(api):
    author = make_user()
    answer = make_answer(make_thread(), author)
    api.delete(f"/posts/{answer.id}", user=author)
    assert_error(api.get(f"/posts/{answer.id}/revisions"), 404)
    revisions = api.get(f"/posts/{answer.id}/revisions", user=make_user(role="moderator"))
    assert revisions.get_json()["total"] == 1
