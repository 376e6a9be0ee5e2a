"""20 users vote on one post at the same moment through a real threaded HTTP server."""
import json
import threading
import urllib.request

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from forum.extensions import db
from forum.models import Post, ReputationEvent, User, Vote
from forum.services import accounts
from tests.factories import make_answer, make_thread, make_voter

VOTERS = 20


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def _vote(base: str, token: str, post_id: int) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/posts/{post_id}/vote",
        data=json.dumps({"value": 1}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def _all_at_once(base: str, votes: list[tuple[str, int]]) -> list:
    """Cast (token, post id) votes from one thread each, released together; their statuses."""
    barrier = threading.Barrier(len(votes))
    statuses = []

    def vote(token, post_id):
        barrier.wait()
        try:
            statuses.append(_vote(base, token, post_id))
        except Exception as error:  # an HTTP error is a lost vote: record it
            statuses.append(repr(error))

    workers = [threading.Thread(target=vote, args=pair) for pair in votes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return statuses


@pytest.mark.slow
def test_twenty_simultaneous_votes_over_http_all_count(app, server):
    answer = make_answer(make_thread())
    post_id, author_id = answer.id, answer.author_id  # read here: workers have no app context
    tokens = [accounts.issue_api_token(make_voter()) for _ in range(VOTERS)]
    assert _all_at_once(server, [(token, post_id) for token in tokens]) == [200] * VOTERS
    db.session.rollback()  # end this thread's read snapshot
    assert db.session.get(Post, post_id).score == VOTERS
    assert db.session.scalar(select(func.count(Vote.id))) == VOTERS
    assert db.session.get(User, author_id).reputation == 1 + 10 * VOTERS
    assert db.session.scalar(
        select(func.count(ReputationEvent.id)).where(ReputationEvent.user_id == author_id)
    ) == VOTERS


@pytest.mark.slow
def test_one_member_voting_on_many_posts_at_once_never_deadlocks(app, server):
    # The vote row's foreign key takes a key-share lock on the voter; the reputation
    # lock on the same row must not conflict with it (PostgreSQL deadlocked here).
    answers = [make_answer(make_thread()) for _ in range(VOTERS)]
    post_ids = [answer.id for answer in answers]
    token = accounts.issue_api_token(make_voter())
    assert _all_at_once(server, [(token, p) for p in post_ids]) == [200] * VOTERS
    db.session.rollback()
    assert db.session.scalar(select(func.sum(Post.score)).where(Post.id.in_(post_ids))) == VOTERS
