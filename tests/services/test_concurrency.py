"""Concurrent writers on the real database engine: nothing is lost, nothing doubles.

Each worker thread has its own app context, so its own session and
connection, exactly as under a threaded server or several gunicorn workers.
"""
import threading

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post, ReputationEvent, User, Vote
from forum.services import votes
from tests.factories import make_answer, make_thread, make_user

WORKERS = 20


def _run_together(app, jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        with app.app_context():
            barrier.wait()
            try:
                job()
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return errors


def _vote_job(voter_id, post_id, value=1):
    def job():
        votes.cast_vote(db.session.get(User, voter_id), post_id, value)
    return job


@pytest.mark.slow
def test_twenty_simultaneous_votes_all_count(app):
    answer = make_answer(make_thread())
    voter_ids = [make_user().id for _ in range(WORKERS)]
    errors = _run_together(app, [_vote_job(v, answer.id) for v in voter_ids])
    assert errors == []
    db.session.rollback()  # end this thread's read snapshot to see the workers' commits
    assert db.session.get(Post, answer.id).score == WORKERS
    assert db.session.get(User, answer.author_id).reputation == 1 + 10 * WORKERS


@pytest.mark.slow
def test_concurrent_identical_votes_leave_one_vote(app):
    answer = make_answer(make_thread())
    voter = make_user()
    errors = _run_together(app, [_vote_job(voter.id, answer.id) for _ in range(8)])
    assert errors == []
    db.session.rollback()  # end this thread's read snapshot to see the workers' commits
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert db.session.scalar(select(func.count(ReputationEvent.id))) == 1
    assert db.session.get(Post, answer.id).score == 1
