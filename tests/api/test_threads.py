"""Threads: ask, read, answer, accept; unicode, sanitising and a fixed query count."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Thread
from forum.services import comments, threads, votes
from tests.api.helpers import assert_error
from tests.factories import make_answer, make_board, make_thread, make_user, make_voter
from tests.html_safety import unsafe_parts

TITLE = "How do I reset the X200 router?"
BODY = "It keeps dropping the connection every few minutes."


def _ask(api, user, on_board, **changes):
    return api.post("/threads", user=user, json={
        "board": on_board.slug, "title": TITLE, "body": BODY, **changes,
    })


def test_create_thread_201(api):
    board = make_board()
    user = make_user(reputation=150)  # the tags are new
    response = _ask(api, user, board, tags=["WiFi", "x200"])
    assert response.status_code == 201
    body = response.get_json()
    assert (body["board"], body["title"], body["slug"]) == (board.slug, TITLE,
                                                            "how-do-i-reset-the-x200-router")
    assert body["tags"] == ["wifi", "x200"] and body["answers"] == []
    assert body["status"] == "open" and body["author"]["id"] == user.id
    question = body["question"]
    assert question["body"] == BODY and question["body_html"] == f"<p>{BODY}</p>\n"
    assert question["kind"] == "question" and question["comments"] == []
    assert body["view_count"] == 0 and body["created_at"].endswith("Z")


def test_create_thread_ignores_mass_assignment(api):
    board = make_board()
    user = make_user()
    victim = make_user()
    body = _ask(api, user, board, is_pinned=True, is_locked=True, author_id=victim.id,
                score=100, view_count=5, status="closed", accepted_answer_id=1).get_json()
    assert (body["is_pinned"], body["is_locked"], body["score"]) == (False, False, 0)
    assert body["author"]["id"] == user.id and body["status"] == "open"


def test_create_thread_anonymous_401(api):
    board = make_board()
    assert_error(api.post("/threads", json={"board": board.slug, "title": TITLE, "body": BODY}),
                 401, "authentication_required")
    assert db.session.scalar(select(Thread.id)) is None


@pytest.mark.parametrize("changes,status,field", [
    ({"title": 5}, 422, "title"),
    ({"title": None}, 422, "title"),
    ({"title": ["a title that is long enough"]}, 422, "title"),
    ({"title": "short"}, 422, "title"),
    ({"title": "t" * 151}, 422, "title"),
    ({"body": 12345}, 422, "body"),
    ({"body": {"text": BODY}}, 422, "body"),
    ({"body": "too short"}, 422, "body"),
    ({"body": "b" * 30_001}, 422, "body"),
    ({"body": BODY + "\x00"}, 422, "body"),
    ({"tags": 5}, 422, "tags"),
    ({"tags": [1, 2]}, 422, "tags"),
    ({"tags": {"a": 1}}, 422, "tags"),
    ({"tags": ["a", "b", "c", "d", "e", "f"]}, 422, "tags"),
    ({"tags": ["<script>"]}, 422, "tags"),
    ({"board": 5}, 404, None),
    ({"board": None}, 422, "board"),
    ({"board": "nope"}, 404, None),
    ({"board": ["x"]}, 404, None),
])
def test_create_thread_invalid(api, changes, status, field):
    board = make_board()
    assert_error(_ask(api, make_user(), board, **changes), status, field=field)
    assert db.session.scalar(select(Thread.id)) is None


def test_create_thread_missing_fields_422(api):
    board = make_board()
    user = make_user()
    assert_error(api.post("/threads", user=user, json={"board": board.slug, "body": BODY}),
                 422, field="title")
    assert_error(api.post("/threads", user=user, json={"board": board.slug, "title": TITLE}),
                 422, field="body")
    assert_error(api.post("/threads", user=user, json={"title": TITLE, "body": BODY}),
                 422, field="board")


@pytest.mark.parametrize("text", [
    "Grüße: Ärger mit Öl und Straße — „Anführungszeichen“ funktioniert?",
    "مرحبا، هل يعمل الموجه؟ שלום, האם הנתב עובד?",
    "Emoji test 🎉🔥👩‍💻 with flags 🇩🇪 and skin tones 👍🏽 works",
    "中文测试：路由器无法连接到互联网，怎么办？",
])
def test_unicode_round_trip(api, text):
    board = make_board()
    user = make_user()
    title = text[:150]
    created = _ask(api, user, board, title=title, body=text).get_json()
    body = api.get(f"/threads/{created['id']}").get_json()
    assert body["title"] == title and body["question"]["body"] == text
    assert text in body["question"]["body_html"]
    answer = api.post(f"/threads/{created['id']}/answers", user=make_user(),
                      json={"body": text}).get_json()
    assert answer["body"] == text


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script> and more text",
    '<img src=x onerror="alert(1)"> and more text',
    "[click me please](javascript:alert(1)) now",
    '<a href="javascript:alert(1)">x</a> and more text',
    "![x](javascript:alert(1)) and some more text",
    '<svg onload=alert(1)> and <iframe src="https://evil"></iframe>',
    "<style>body{display:none}</style> hidden text",
])
def test_xss_sanitised_in_html_source_kept(api, payload):
    board = make_board()
    user = make_user()
    created = _ask(api, user, board, body=payload).get_json()
    question = created["question"]
    assert question["body"] == payload
    assert unsafe_parts(question["body_html"]) == []
    assert "<script" not in question["body_html"].lower()
    answer = api.post(f"/threads/{created['id']}/answers", user=make_user(),
                      json={"body": payload}).get_json()
    assert answer["body"] == payload and unsafe_parts(answer["body_html"]) == []
    comment = api.post(f"/posts/{answer['id']}/comments", user=user,
                       json={"body": payload}).get_json()
    assert comment["body"] == payload and unsafe_parts(comment["body_html"]) == []


def test_get_thread_full(api):
    asker = make_voter()
    thread = make_thread(asker, tags=["wifi"])
    low = make_answer(thread, body="A low-scoring answer that is long enough.")
    best = make_answer(thread, body="The accepted answer that is long enough.")
    top = make_answer(thread, body="An upvoted answer that is long enough too.")
    votes.cast_vote(asker, top.id, 1)
    threads.accept_answer(asker, thread.id, best.id)
    first = comments.add_comment(asker, best.id, "First comment")
    second = comments.add_comment(asker, best.id, "Second comment")
    reply = comments.add_comment(asker, best.id, "Reply to the first", first.id)
    body = api.get(f"/threads/{thread.id}", user=asker).get_json()
    assert [a["id"] for a in body["answers"]] == [best.id, top.id, low.id]
    assert [a["is_accepted"] for a in body["answers"]] == [True, False, False]
    assert [a["my_vote"] for a in body["answers"]] == [0, 1, 0]
    assert body["status"] == "answered" and body["accepted_answer_id"] == best.id
    assert body["answer_count"] == 3 and body["question"]["is_accepted"] is False
    assert [(c["id"], c["parent_id"]) for c in body["answers"][0]["comments"]] == [
        (first.id, None), (reply.id, first.id), (second.id, None),
    ]
    assert body["answers"][0]["comments"][1]["post_id"] == best.id
    # Reading through the API does not count as a view.
    assert api.get(f"/threads/{thread.id}").get_json()["view_count"] == 0


def test_get_thread_query_count_independent_of_answers(api, count_queries):
    asker = make_user()
    reader = make_voter()
    one = make_thread(asker)
    answer = make_answer(one)
    comments.add_comment(asker, answer.id, "A comment")
    many = make_thread(asker)
    for n in range(50):
        post = make_answer(many)
        if n % 5 == 0:
            comments.add_comment(make_voter(), post.id, "A comment")
            votes.cast_vote(reader, post.id, 1)
    headers = api.headers(reader)
    counts = []
    for thread_id, answers in ((one.id, 1), (many.id, 50)):
        db.session.expire_all()
        with count_queries() as counted:
            body = api.get(f"/threads/{thread_id}", headers=headers).get_json()
        assert len(body["answers"]) == answers
        counts.append(counted.count)
    # The test's session already holds the thread, so its board, tags and escalation
    # ticket load lazily here: one query each, whatever the number of answers.
    assert counts[0] == counts[1] <= 9, counts


def test_deleted_thread_hidden_except_to_moderators(api):
    asker = make_user()
    thread = make_thread(asker)
    assert api.delete(f"/posts/{thread.question.id}", user=asker).status_code == 204
    assert_error(api.get(f"/threads/{thread.id}"), 404)
    assert_error(api.get(f"/threads/{thread.id}", user=asker), 404)
    body = api.get(f"/threads/{thread.id}", user=make_user(role="moderator")).get_json()
    assert body["status"] == "deleted" and body["question"]["is_deleted"] is True


def test_answer_201_and_errors(api):
    thread = make_thread()
    user = make_user()
    path = f"/threads/{thread.id}/answers"
    response = api.post(path, user=user, json={"body": "Try the other firmware, it helps.",
                                               "score": 50, "thread_id": 999})
    assert response.status_code == 201
    post = response.get_json()
    assert (post["thread_id"], post["score"], post["kind"]) == (thread.id, 0, "answer")
    assert (post["is_accepted"], post["my_vote"], post["edited_at"]) == (False, 0, None)
    assert_error(api.post(path, json={"body": "Anonymous answer is not allowed"}), 401)
    for bad in ({}, {"body": None}, {"body": 5}, {"body": ["x" * 30]}, {"body": "short"}):
        assert_error(api.post(path, user=user, json=bad), 422, field="body")
    assert api.get(f"/threads/{thread.id}").get_json()["answer_count"] == 1


def test_accept_and_unaccept(api):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    path = f"/threads/{thread.id}/accept"
    assert_error(api.post(path, json={"answer_id": answer.id}), 401)
    assert_error(api.post(path, user=make_user(), json={"answer_id": answer.id}), 403)
    body = api.post(path, user=asker, json={"answer_id": answer.id}).get_json()
    assert body["accepted_answer_id"] == answer.id and body["answers"][0]["is_accepted"]
    body = api.post(path, user=make_user(role="staff"), json={"answer_id": None}).get_json()
    assert body["accepted_answer_id"] is None and body["status"] == "open"


@pytest.mark.parametrize("data,status,field", [
    ({}, 422, "answer_id"),
    ({"answer_id": "x"}, 422, "answer_id"),
    ({"answer_id": 1.5}, 422, "answer_id"),
    ({"answer_id": True}, 422, "answer_id"),
    ({"answer_id": [1]}, 422, "answer_id"),
    ({"answer_id": {"id": 1}}, 422, "answer_id"),
    ({"answer_id": 10**40}, 422, "answer_id"),
    ({"answer_id": 999999}, 404, "answer_id"),
])
def test_accept_invalid(api, data, status, field):
    asker = make_user()
    thread = make_thread(asker)
    make_answer(thread)
    response = api.post(f"/threads/{thread.id}/accept", user=asker, json=data)
    assert_error(response, status, field=field)


def test_accept_question_or_other_threads_answer_is_404(api):
    asker = make_user()
    thread = make_thread(asker)
    elsewhere = make_answer(make_thread())
    for answer_id in (thread.question.id, elsewhere.id):
        response = api.post(f"/threads/{thread.id}/accept", user=asker,
                            json={"answer_id": answer_id})
        assert_error(response, 404, field="answer_id")
