"""Posting limits: tighter for new members, a ceiling for everyone, off with the switch.
The services are called inside a request context: limits pace requests, not the CLI."""
import pytest
from sqlalchemy import func, select

from forum.config import load_config
from forum.errors import RateLimited
from forum.extensions import db, limiter
from forum.models import Post
from forum.services import threads
from tests.api.helpers import Api, assert_error
from tests.conftest import login
from tests.factories import make_board, make_thread, make_user

from .test_screening import _veteran


@pytest.fixture
def limited(make_app):
    """An app with the posting limits on (the test config turns them off)."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.test_request_context():  # limits pace requests, not the command line
        limiter.reset()
        yield app


def _body(n):
    return f"Answer number {n}: hold the reset button for ten seconds."


def test_new_member_answers_once_per_30_seconds(limited):
    author = make_user()
    thread = make_thread()
    threads.post_answer(author, thread.id, _body(1))
    with pytest.raises(RateLimited) as refused:
        threads.post_answer(author, thread.id, _body(2))
    assert 1 <= refused.value.retry_after <= 30
    assert "seconds" in str(refused.value.message)
    threads.post_answer(_veteran(), thread.id, _body(3))  # others are not held up by it


def test_new_member_opens_one_thread_per_5_minutes(limited):
    author, board = make_user(), make_board()
    make_thread(author, board)
    with pytest.raises(RateLimited) as refused:
        make_thread(author, board)
    assert 240 < refused.value.retry_after <= 300
    assert "minutes" in str(refused.value.message)


def test_everyone_has_a_ceiling_but_moderators(make_app):
    app = make_app(RATELIMIT_ENABLED=True, POST_LIMIT_REPLIES="2 per hour")
    with app.test_request_context():  # limits pace requests, not the command line
        limiter.reset()
        thread, veteran, moderator = make_thread(), _veteran(), make_user(role="moderator")
        for n in range(2):
            threads.post_answer(veteran, thread.id, _body(n))
        with pytest.raises(RateLimited):
            threads.post_answer(veteran, thread.id, _body(9))
        for n in range(4):
            threads.post_answer(moderator, thread.id, _body(n + 10))


def test_api_answers_429_with_retry_after_and_posts_nothing(limited):
    author, thread = make_user(), make_thread()
    api = Api(limited.test_client())
    assert api.post(f"/threads/{thread.id}/answers", user=author,
                    json={"body": _body(1)}).status_code == 201
    response = api.post(f"/threads/{thread.id}/answers", user=author, json={"body": _body(2)})
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == author.id)) == 1


def test_page_keeps_the_text_and_says_when(limited):
    author, thread = make_user(), make_thread()
    client = limited.test_client()
    login(client, author)
    client.post(f"/t/{thread.id}/answer", data={"body": _body(1)})
    response = client.post(f"/t/{thread.id}/answer", data={"body": "My second, kept answer text."})
    assert response.status_code == 429 and response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert "My second, kept answer text." in html and "You can post again in" in html
    board = make_board()
    client.post("/ask", data={"board": board.slug, "title": "First question title here",
                              "body": "First question body that is long enough."})
    again = client.post("/ask", data={"board": board.slug, "title": "Second question title",
                                      "body": "Second question body, kept for the author."})
    assert again.status_code == 429
    assert "Second question body, kept for the author." in again.get_data(as_text=True)


def test_the_switch_turns_the_limits_off(monkeypatch, make_app):
    monkeypatch.setenv("ASKDESK_RATELIMIT_ENABLED", "0")
    assert load_config()["RATELIMIT_ENABLED"] is False
    app = make_app(RATELIMIT_ENABLED=False)
    with app.test_request_context():
        author, thread = make_user(), make_thread()
        for n in range(3):
            threads.post_answer(author, thread.id, _body(n))
