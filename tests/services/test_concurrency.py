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
from tests.factories import TRUSTED, make_answer, make_thread, make_voter

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
    voter_ids = [make_voter().id for _ in range(WORKERS)]
    errors = _run_together(app, [_vote_job(v, answer.id) for v in voter_ids])
    assert errors == []
    db.session.rollback()  # end this thread's read snapshot to see the workers' commits
    assert db.session.get(Post, answer.id).score == WORKERS
    assert db.session.get(User, answer.author_id).reputation == 1 + 10 * WORKERS


@pytest.mark.slow
def test_concurrent_identical_votes_leave_one_vote(app):
    answer = make_answer(make_thread())
    voter = make_voter()
    errors = _run_together(app, [_vote_job(voter.id, answer.id) for _ in range(8)])
    assert errors == []
    db.session.rollback()  # end this thread's read snapshot to see the workers' commits
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert db.session.scalar(
        select(func.count(ReputationEvent.id)).where(ReputationEvent.reason == "upvote")
    ) == 1
    assert db.session.get(Post, answer.id).score == 1


@pytest.mark.slow
def test_concurrent_votes_never_exceed_the_daily_cap(app):
    """25 up votes at once on one author's answers: the author earns exactly 200."""
    author = make_voter()
    thread = make_thread()
    answers = [make_answer(thread, author) for _ in range(3)]
    voter_ids = [make_voter().id for _ in range(25)]
    jobs = [_vote_job(v, answers[n % 3].id) for n, v in enumerate(voter_ids)]
    assert _run_together(app, jobs) == []
    db.session.rollback()
    earned = db.session.scalars(
        select(ReputationEvent.amount).where(
            ReputationEvent.user_id == author.id, ReputationEvent.reason == "upvote")
    ).all()
    assert len(earned) == 25 and sum(earned) == 200
    assert sorted(earned, reverse=True)[:20] == [10] * 20
    assert db.session.get(User, author.id).reputation == TRUSTED + 200
