"""Threaded comments."""
import re

from forum.services import comments
from tests.factories import make_answer, make_thread, make_voter
from tests.web.helpers import sign_in, text


def test_comment_replies_nest(client):
    thread = make_thread()
    answer = make_answer(thread)
    user = make_voter()
    sign_in(client, user)
    response = client.post(f"/p/{answer.id}/comments", data={"body": "Level one comment"})
    assert response.status_code == 302
    first = comments.add_comment(user, answer.id, "placeholder to find ids").id - 1
    assert response.headers["Location"] == f"/p/{answer.id}?comment={first}"
    parent = first
    for level in (2, 3, 4, 5, 6):
        response = client.post(f"/p/{answer.id}/comments",
                               data={"body": f"Level {level} reply", "parent_id": str(parent)})
        assert response.status_code == 302
        parent = int(response.headers["Location"].rsplit("=", 1)[1])
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    positions = [page.index(f"Level {n}") for n in ("one comment", 2, 3, 4, 5, 6)]
    assert positions == sorted(positions)
    for depth in (1, 2, 3, 4, 5):
        assert f'<ol class="comments depth-{depth}">' in page
    assert '<ol class="comments depth-6">' not in page  # indentation is capped
    assert page.count('<details class="reply"') == 7


def test_comment_failure_reopens_the_form_with_the_text(client):
    thread = make_thread()
    answer = make_answer(thread)
    user = make_voter()
    parent = comments.add_comment(user, answer.id, "A comment to reply to")
    sign_in(client, user)
    response = client.post(f"/p/{answer.id}/comments",
                           data={"body": "x", "parent_id": str(parent.id)})
    assert response.status_code == 422
    page = text(response)
    assert "Comment must be at least 2 characters." in page
    assert re.search(r'<details class="reply" open>', page)
    assert ">x</textarea>" in page
    bad_parent = client.post(f"/p/{answer.id}/comments",
                             data={"body": "ok ok", "parent_id": "99999"})
    assert bad_parent.status_code == 404


def test_comment_needs_sign_in(client):
    answer = make_answer(make_thread())
    response = client.post(f"/p/{answer.id}/comments", data={"body": "hello there"})
    assert response.headers["Location"].startswith("/login")


def test_permalink_to_a_comment(client):
    thread = make_thread()
    response = client.get(f"/p/{thread.question.id}?comment=7")
    assert response.headers["Location"] == f"/t/{thread.id}/{thread.slug}#comment-7"
