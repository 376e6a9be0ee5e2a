import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import ReputationEvent, Thread, User, Vote
from forum.services import threads, votes
from tests.factories import make_answer, make_thread, make_user


def _rep(user) -> int:
    return db.session.scalar(select(User.reputation).where(User.id == user.id))


def _ledger_sum(user) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ReputationEvent.amount), 0))
        .where(ReputationEvent.user_id == user.id)
    )


def test_upvote_down_change_and_withdraw(app):
    answer = make_answer(make_thread())
    voter = make_user()
    assert votes.cast_vote(voter, answer.id, 1) == (1, 1)
    assert _rep(answer.author) == 11
    assert votes.cast_vote(voter, answer.id, -1) == (-1, -1)
    assert _rep(answer.author) == -1  # stored; shown as 1
    assert _rep(voter) == 0
    assert votes.cast_vote(voter, answer.id, 0) == (0, 0)
    assert _rep(answer.author) == 1 and _rep(voter) == 1
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    for user in (answer.author, voter):
        assert _rep(user) == 1 + _ledger_sum(user)


def test_same_vote_twice_counts_once(app):
    answer = make_answer(make_thread())
    voter = make_user()
    votes.cast_vote(voter, answer.id, 1)
    assert votes.cast_vote(voter, answer.id, 1) == (1, 1)
    assert _rep(answer.author) == 11
    assert db.session.scalar(select(func.count(ReputationEvent.id))) == 1


def test_question_vote_updates_thread_score(app):
    thread = make_thread()
    votes.cast_vote(make_user(), thread.question.id, 1)
    votes.cast_vote(make_user(), thread.question.id, 1)
    votes.cast_vote(make_user(), thread.question.id, -1)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).score == 1
    # down-voting a question costs the voter nothing
    assert _rep(thread.author) == 1 + 20 - 2


def test_vote_on_own_post_refused(app):
    answer = make_answer(make_thread())
    with pytest.raises(PermissionDenied):
        votes.cast_vote(answer.author, answer.id, 1)
    assert _rep(answer.author) == 1


def test_anonymous_vote_refused(app):
    answer = make_answer(make_thread())
    with pytest.raises(PermissionDenied):
        votes.cast_vote(None, answer.id, 1)


@pytest.mark.parametrize("value", [2, -2, "1", 1.5, True, None, [1]])
def test_invalid_vote_values_refused(app, value):
    answer = make_answer(make_thread())
    with pytest.raises(ValidationError):
        votes.cast_vote(make_user(), answer.id, value)


def test_vote_on_missing_or_deleted_post_not_found(app):
    answer = make_answer(make_thread())
    threads.delete_post(make_user(role="moderator"), answer.id)
    with pytest.raises(NotFound):
        votes.cast_vote(make_user(), answer.id, 1)
    with pytest.raises(NotFound):
        votes.cast_vote(make_user(), 424242, 1)


def test_vote_on_locked_thread_refused(app):
    thread = make_thread()
    answer = make_answer(thread)
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(PermissionDenied):
        votes.cast_vote(make_user(), answer.id, 1)


def test_database_forbids_second_vote_row(app):
    answer = make_answer(make_thread())
    voter = make_user()
    votes.cast_vote(voter, answer.id, 1)
    db.session.add(Vote(user_id=voter.id, post_id=answer.id, value=1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
