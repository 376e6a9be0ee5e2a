"""Boards: the list, creating one (admins only), a board's threads."""
import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Board
from forum.services import threads
from tests.api.helpers import assert_error
from tests.factories import make_answer, make_board, make_thread, make_user

BOARD_FIELDS = {"id", "slug", "name", "description", "parent", "thread_count"}
SUMMARY_FIELDS = {"id", "board", "title", "slug", "author", "status", "is_locked", "is_pinned",
                  "score", "view_count", "answer_count", "accepted_answer_id", "tags",
                  "ticket_id", "kb_article_slug", "created_at", "last_activity_at"}


def test_list_boards(api):
    first = make_board("routers", "Routers")
    make_thread(board=first)
    body = api.get("/boards").get_json()
    assert (body["page"], body["total"]) == (1, 1)
    assert body["items"] == [{
        "id": first.id, "slug": "routers", "name": "Routers", "description": first.description,
        "parent": None, "thread_count": 1,
    }]


def test_create_board_admin_only(api):
    assert_error(api.post("/boards", json={"slug": "x", "name": "X"}), 401,
                 "authentication_required")
    for role in ("user", "moderator", "staff"):
        response = api.post("/boards", user=make_user(role=role), json={"slug": "x", "name": "X"})
        assert_error(response, 403, "forbidden")
    assert db.session.scalar(select(Board.id)) is None
    admin = make_user(role="admin")
    response = api.post("/boards", user=admin, json={
        "slug": "phones", "name": "Phones 📱", "description": "Über alles", "thread_count": 99,
        "position": -1, "id": 500,
    })
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == BOARD_FIELDS
    assert (body["slug"], body["name"], body["description"]) == ("phones", "Phones 📱", "Über alles")
    assert (body["parent"], body["thread_count"]) == (None, 0) and body["id"] != 500
    child = api.post("/boards", user=admin, json={"slug": "x200", "name": "X200",
                                                  "parent": "phones"}).get_json()
    assert child["parent"] == "phones" and child["description"] == ""
    assert [b["slug"] for b in api.get("/boards").get_json()["items"]] == ["phones", "x200"]


@pytest.mark.parametrize("data,status,field", [
    ({"slug": "phones", "name": "Again"}, 409, "slug"),
    ({"slug": "Bad Slug", "name": "X"}, 422, "slug"),
    ({"slug": 5, "name": "X"}, 422, "slug"),
    ({"name": "X"}, 422, "slug"),
    ({"slug": "ok"}, 422, "name"),
    ({"slug": "ok", "name": ["X"]}, 422, "name"),
    ({"slug": "ok", "name": "X", "description": {"a": 1}}, 422, "description"),
    ({"slug": "ok", "name": "X", "description": "d" * 2001}, 422, "description"),
    ({"slug": "ok", "name": "X", "parent": "nope"}, 404, None),
    ({"slug": "ok", "name": "X", "parent": 7}, 404, None),
    ({"slug": "ok", "name": "X", "parent": "child"}, 422, "parent"),
])
def test_create_board_invalid(api, data, status, field):
    admin = make_user(role="admin")
    api.post("/boards", user=admin, json={"slug": "phones", "name": "Phones"})
    api.post("/boards", user=admin, json={"slug": "child", "name": "C", "parent": "phones"})
    assert_error(api.post("/boards", user=admin, json=data), status, field=field)
    assert db.session.query(Board).count() == 2


def test_board_threads_summaries(api):
    board = make_board()
    asker = make_user()
    thread = make_thread(asker, board, tags=["wifi", "x200"])
    answer = make_answer(thread)
    threads.accept_answer(asker, thread.id, answer.id)
    other = make_thread(asker, board, tags=["lte"])
    body = api.get(f"/boards/{board.slug}/threads").get_json()
    assert body["total"] == 2
    by_id = {t["id"]: t for t in body["items"]}
    summary = by_id[thread.id]
    assert set(summary) == SUMMARY_FIELDS
    assert summary["board"] == board.slug and summary["tags"] == ["wifi", "x200"]
    assert (summary["status"], summary["answer_count"]) == ("answered", 1)
    assert summary["accepted_answer_id"] == answer.id
    assert summary["author"] == {"id": asker.id, "username": asker.username, "reputation": 3}
    assert summary["ticket_id"] is None and summary["kb_article_slug"] is None
    unanswered = api.get(f"/boards/{board.slug}/threads?sort=unanswered").get_json()
    assert [t["id"] for t in unanswered["items"]] == [other.id]
    tagged = api.get(f"/boards/{board.slug}/threads?tag=WIFI").get_json()
    assert [t["id"] for t in tagged["items"]] == [thread.id]
    assert api.get(f"/boards/{board.slug}/threads?tag=none").get_json()["items"] == []


def test_board_threads_bad_sort_is_422(api):
    board = make_board()
    assert_error(api.get(f"/boards/{board.slug}/threads?sort=best"), 422, field="sort")
    assert_error(api.get(f"/boards/{board.slug}/threads?tag=" + "x" * 300), 422, field="tag")


def test_board_threads_fixed_query_count(api, count_queries):
    board = make_board()
    make_thread(board=board)
    with count_queries() as few:
        api.get(f"/boards/{board.slug}/threads")
    for _ in range(10):
        make_thread(board=board, tags=["a", "b"])
    with count_queries() as many:
        assert len(api.get(f"/boards/{board.slug}/threads").get_json()["items"]) == 11
    assert few.count == many.count
