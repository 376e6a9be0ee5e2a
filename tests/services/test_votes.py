import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forum.errors import Conflict, NotFound, PermissionDenied, PrivilegeRequired, ValidationError
from forum.extensions import db
from forum.models import ReputationEvent, Thread, User, Vote
from forum.services import threads, votes
from tests.factories import TRUSTED, make_answer, make_thread, make_user, make_voter


def _rep(user) -> int:
    return db.session.scalar(select(User.reputation).where(User.id == user.id))


def _ledger_sum(user) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ReputationEvent.amount), 0))
        .where(ReputationEvent.user_id == user.id)
    )


def test_upvote_down_change_and_withdraw(app):
    answer = make_answer(make_thread())
    voter = make_voter()
    assert votes.cast_vote(voter, answer.id, 1) == (1, 1)
    assert _rep(answer.author) == 11
    assert votes.cast_vote(voter, answer.id, -1) == (-1, -1)
    assert _rep(answer.author) == -1  # stored; shown as 1
    assert db.session.get(User, answer.author_id).shown_reputation == 1
    assert _rep(voter) == TRUSTED - 1
    assert votes.cast_vote(voter, answer.id, 0) == (0, 0)
    assert _rep(answer.author) == 1 and _rep(voter) == TRUSTED
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    for user in (answer.author, voter):
        assert _rep(user) == 1 + _ledger_sum(user)


def test_a_first_up_vote_runs_five_statements_on_postgresql_six_on_sqlite(app, count_queries):
    """The post; the vote with the score it adds; (PostgreSQL: the users' lock;) what the
    reputation depends on; the ledger event with the author's total. PostgreSQL writes
    each pair in one statement, SQLite in two."""
    answer = make_answer(make_thread())
    answer_id, author_id, voter_id = answer.id, answer.author_id, make_voter().id
    db.session.expunge_all()  # as a request starts: only the signed-in user is loaded
    voter = db.session.get(User, voter_id)
    with count_queries() as counter:
        assert votes.cast_vote(voter, answer_id, 1) == (1, 1)
    author = db.session.get(User, author_id)
    firsts = [statement.split()[0].upper() for statement in counter.statements]
    if db.engine.dialect.name == "postgresql":
        assert firsts == ["SELECT", "WITH", "SELECT", "SELECT", "WITH"]
        vote, event = counter.statements[1], counter.statements[4]
        assert "INSERT INTO votes" in vote and "UPDATE posts" in vote
        assert "INSERT INTO reputation_events" in event and "UPDATE users" in event
    else:
        assert firsts == ["SELECT", "INSERT", "UPDATE", "SELECT", "INSERT", "UPDATE"]
    assert _rep(author) == 11 == 1 + _ledger_sum(author)


def test_same_vote_twice_counts_once(app):
    answer = make_answer(make_thread())
    voter = make_voter()
    votes.cast_vote(voter, answer.id, 1)
    assert votes.cast_vote(voter, answer.id, 1) == (1, 1)
    assert _rep(answer.author) == 11
    assert db.session.scalar(
        select(func.count(ReputationEvent.id)).where(ReputationEvent.reason != "seed")
    ) == 1


def test_a_vote_withdrawn_meanwhile_is_inserted_again(app, monkeypatch):
    answer = make_answer(make_thread())
    voter = make_voter()
    votes.cast_vote(voter, answer.id, -1)
    read = votes._existing_vote

    def withdrawn_before_the_read(voter_id, post_id):  # by the member's own other request
        monkeypatch.setattr(votes, "_existing_vote", read)
        db.session.execute(delete(Vote).where(Vote.user_id == voter_id, Vote.post_id == post_id))
        return None

    monkeypatch.setattr(votes, "_existing_vote", withdrawn_before_the_read)
    assert votes.cast_vote(voter, answer.id, 1)[1] == 1
    assert db.session.scalars(select(Vote.value)).all() == [1]


def test_a_vote_that_keeps_vanishing_is_refused_and_nothing_changes(app, monkeypatch):
    answer = make_answer(make_thread())
    voter = make_voter()
    votes.cast_vote(voter, answer.id, -1)
    before = (_rep(answer.author), _rep(voter))
    # each insert meets the vote, each read misses it: other requests withdraw and recast it
    monkeypatch.setattr(votes, "_existing_vote", lambda voter_id, post_id: None)
    with pytest.raises(Conflict):
        votes.cast_vote(voter, answer.id, 1)
    db.session.expire_all()
    assert db.session.scalars(select(Vote.value)).all() == [-1]  # rolled back
    assert (_rep(answer.author), _rep(voter)) == before


def test_question_vote_updates_thread_score(app):
    thread = make_thread()
    votes.cast_vote(make_voter(), thread.question.id, 1)
    votes.cast_vote(make_voter(), thread.question.id, 1)
    down = make_voter()
    votes.cast_vote(down, thread.question.id, -1)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).score == 1
    # down-voting a question costs the voter nothing
    assert _rep(thread.author) == 1 + 20 - 2
    assert _rep(down) == TRUSTED


def test_vote_on_own_post_refused(app):
    author = make_voter()
    answer = make_answer(make_thread(), author)
    with pytest.raises(PermissionDenied) as refused:
        votes.cast_vote(author, answer.id, 1)
    assert refused.value.code == "forbidden"
    assert _rep(author) == TRUSTED


def test_anonymous_vote_refused(app):
    answer = make_answer(make_thread())
    with pytest.raises(PermissionDenied) as refused:
        votes.cast_vote(None, answer.id, 1)
    assert refused.value.code == "login_required"


@pytest.mark.parametrize("value", [2, -2, "1", 1.5, True, None, [1]])
def test_invalid_vote_values_refused(app, value):
    answer = make_answer(make_thread())
    with pytest.raises(ValidationError):
        votes.cast_vote(make_voter(), answer.id, value)


def test_vote_on_missing_or_deleted_post_not_found(app):
    answer = make_answer(make_thread())
    threads.delete_post(make_user(role="moderator"), answer.id)
    with pytest.raises(NotFound):
        votes.cast_vote(make_voter(), answer.id, 1)
    with pytest.raises(NotFound):
        votes.cast_vote(make_voter(), 424242, 1)


def test_vote_on_locked_thread_refused(app):
    thread = make_thread()
    answer = make_answer(thread)
    thread.is_locked = True
    db.session.commit()
    with pytest.raises(PermissionDenied):
        votes.cast_vote(make_voter(), answer.id, 1)


def test_database_forbids_second_vote_row(app):
    answer = make_answer(make_thread())
    voter = make_voter()
    votes.cast_vote(voter, answer.id, 1)
    db.session.add(Vote(user_id=voter.id, post_id=answer.id, value=1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- privileges ---------------------------------------------------------------------

def test_new_user_cannot_vote_up_until_15(app):
    answer = make_answer(make_thread())
    newcomer = make_user()
    with pytest.raises(PrivilegeRequired) as refused:
        votes.cast_vote(newcomer, answer.id, 1)
    error = refused.value
    assert error.code == "privilege_required" and error.status == 403
    assert error.fields == {"privilege": "vote_up", "threshold": "15", "reputation": "1",
                            "missing": "14"}
    assert "Vote up" in str(error.message) and "14 to go" in str(error.message)
    assert votes.cast_vote(make_user(reputation=15), answer.id, 1) == (1, 1)


def test_vote_down_needs_125(app):
    answer = make_answer(make_thread())
    voter = make_user(reputation=124)
    votes.cast_vote(voter, answer.id, 1)
    with pytest.raises(PrivilegeRequired) as refused:
        votes.cast_vote(voter, answer.id, -1)
    assert refused.value.fields["privilege"] == "vote_down"
    assert refused.value.fields["missing"] == "1"
    assert votes.cast_vote(make_user(reputation=125), answer.id, -1) == (0, -1)


def test_withdrawing_needs_no_privilege(app):
    """Someone who dropped below a threshold can still take a vote back."""
    answer = make_answer(make_thread())
    voter = make_user(reputation=15)
    votes.cast_vote(voter, answer.id, 1)
    voter.reputation = 3  # as if they had lost points since
    db.session.commit()
    assert votes.cast_vote(voter, answer.id, 0) == (0, 0)


@pytest.mark.parametrize("role", ["moderator", "staff", "admin"])
def test_staff_roles_vote_from_the_start(app, role):
    answer = make_answer(make_thread())
    voter = make_user(role=role)
    assert votes.cast_vote(voter, answer.id, -1) == (-1, -1)
    assert votes.cast_vote(voter, answer.id, 1) == (1, 1)


def test_thresholds_follow_the_app_config(make_app):
    app = make_app(PRIVILEGE_THRESHOLDS={"vote_up": 1, "vote_down": 1})
    with app.app_context():
        answer = make_answer(make_thread())
        assert votes.cast_vote(make_user(), answer.id, -1) == (-1, -1)
