"""Every reputation rule and every reversal, written out one by one."""
from datetime import datetime

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, PermissionDenied
from forum import page_generation, tasks
from forum.extensions import db, shared_cache
from forum.models import Post, ReputationEvent, SerialVote, Thread, User
from forum.services import ledger, reputation, threads, votes
from tests.factories import TRUSTED, make_answer, make_board, make_thread, make_user, make_voter


def rep(user) -> int:
    db.session.expire_all()
    return db.session.get(User, user.id).reputation


def events(user, *, seeds=False) -> list[tuple[str, int, str | None]]:
    """The user's ledger, oldest first, as (reason, amount, detail)."""
    query = select(ReputationEvent).where(ReputationEvent.user_id == user.id)
    if not seeds:
        query = query.where(ReputationEvent.reason != "seed")
    rows = db.session.scalars(query.order_by(ReputationEvent.id))
    return [(e.reason, e.amount, e.detail) for e in rows]


@pytest.fixture(autouse=True)
def ledger_matches_cache(app):
    """After every test here: each cached reputation is 1 + the user's ledger sum."""
    yield
    db.session.rollback()
    sums = dict(db.session.execute(
        select(ReputationEvent.user_id, func.sum(ReputationEvent.amount))
        .group_by(ReputationEvent.user_id)
    ).all())
    for user in db.session.scalars(select(User)):
        assert user.reputation == 1 + sums.get(user.id, 0), user.username


# --- votes --------------------------------------------------------------------------

def test_votes_on_questions_and_answers(app):
    asker, answerer, voter = make_user(), make_user(), make_voter()
    thread = make_thread(asker)
    answer = make_answer(thread, answerer)
    votes.cast_vote(voter, thread.question.id, 1)
    votes.cast_vote(voter, answer.id, -1)
    assert rep(asker) == 11 and rep(answerer) == -1
    assert rep(voter) == TRUSTED - 1  # down-voting an answer costs 1
    assert events(voter) == [("downvote_cast", -1, None)]
    votes.cast_vote(voter, thread.question.id, -1)
    assert rep(asker) == 1 - 2 and rep(voter) == TRUSTED - 1  # not for a question
    assert events(asker) == [("upvote", 10, None), ("upvote_undone", -10, None),
                             ("downvote", -2, None)]


def test_reputation_never_shows_below_1(app):
    answer = make_answer(make_thread())
    for _ in range(3):
        votes.cast_vote(make_voter(), answer.id, -1)
    author = db.session.get(User, answer.author_id)
    db.session.refresh(author)
    assert author.reputation == -5 and author.shown_reputation == 1


def test_changed_and_withdrawn_votes_reverse_their_events(app):
    answer = make_answer(make_thread())
    voter = make_voter()
    for value in (1, -1, 1, 0):
        votes.cast_vote(voter, answer.id, value)
    assert events(answer.author) == [
        ("upvote", 10, None), ("upvote_undone", -10, None),
        ("downvote", -2, None), ("downvote_undone", 2, None),
        ("upvote", 10, None), ("upvote_undone", -10, None),
    ]
    assert events(voter) == [("downvote_cast", -1, None), ("downvote_cast_undone", 1, None)]
    assert rep(answer.author) == 1 and rep(voter) == TRUSTED


def test_vote_events_name_post_thread_voter_and_source(app):
    answer = make_answer(make_thread())
    voter = make_voter()
    votes.cast_vote(voter, answer.id, 1)
    event = db.session.scalar(select(ReputationEvent).where(ReputationEvent.reason == "upvote"))
    assert (event.post_id, event.thread_id, event.actor_id) == (
        answer.id, answer.thread_id, voter.id)
    assert event.source == f"vote:{voter.id}:{answer.id}"


def test_point_values_are_configurable(make_app):
    app = make_app(REPUTATION_RULES={"upvote": 5, "accepted": 30, "accept_given": 0})
    with app.app_context():
        asker = make_user()
        thread = make_thread(asker)
        answer = make_answer(thread)
        votes.cast_vote(make_voter(), answer.id, 1)
        threads.accept_answer(asker, thread.id, answer.id)
        assert rep(answer.author) == 1 + 5 + 30 and rep(asker) == 1
        assert reputation.rules()["daily_vote_cap"] == 200


# --- the daily cap ------------------------------------------------------------------

def _upvoted_by_many(author, count):
    answer = make_answer(make_thread(), author)
    for _ in range(count):
        votes.cast_vote(make_voter(), answer.id, 1)
    return answer


def test_up_votes_earn_at_most_200_a_day(app, clock):
    author = make_user()
    _upvoted_by_many(author, 21)
    assert rep(author) == 1 + 200
    assert events(author)[-1] == ("upvote", 0, "capped")


def test_cap_records_the_partial_amount(app, make_app, clock):
    capped = make_app(REPUTATION_RULES={"daily_vote_cap": 25})
    with capped.app_context():
        author = make_user()
        _upvoted_by_many(author, 3)
        assert [amount for _reason, amount, _detail in events(author)] == [10, 10, 5]
        assert events(author)[-1][2] == "capped"


def test_cap_starts_again_at_utc_midnight(app, clock):
    author = make_user()
    answer = make_answer(make_thread(), author)
    clock.set(datetime(2030, 5, 17, 23, 58))
    voters = [make_voter() for _ in range(22)]
    for voter in voters[:20]:
        votes.cast_vote(voter, answer.id, 1)
    clock.set(datetime(2030, 5, 17, 23, 59, 59))
    votes.cast_vote(voters[20], answer.id, 1)
    assert events(author)[-1] == ("upvote", 0, "capped")
    clock.set(datetime(2030, 5, 18, 0, 0))
    votes.cast_vote(voters[21], answer.id, 1)
    assert events(author)[-1] == ("upvote", 10, None)
    assert rep(author) == 1 + 210
    assert reputation.earned_from_votes_on(author.id, datetime(2030, 5, 17)) == 200
    assert reputation.earned_from_votes_on(author.id, datetime(2030, 5, 18)) == 10


def test_withdrawing_a_capped_vote_takes_back_only_what_it_earned(app, clock):
    author = make_user()
    answer = make_answer(make_thread(), author)
    voters = [make_voter() for _ in range(21)]
    for voter in voters:
        votes.cast_vote(voter, answer.id, 1)
    votes.cast_vote(voters[-1], answer.id, 0)  # it earned 0
    assert events(author)[-1] == ("upvote", 0, "capped")  # nothing to write back
    assert rep(author) == 201
    votes.cast_vote(voters[0], answer.id, 0)  # it earned 10
    assert events(author)[-1] == ("upvote_undone", -10, None) and rep(author) == 191


def test_a_withdrawal_frees_room_on_the_day_it_happens(app, clock):
    author = make_user()
    answer = make_answer(make_thread(), author)
    yesterday = [make_voter() for _ in range(20)]
    for voter in yesterday:
        votes.cast_vote(voter, answer.id, 1)
    clock.advance(days=1)
    today = [make_voter() for _ in range(21)]
    for voter in today[:20]:
        votes.cast_vote(voter, answer.id, 1)
    votes.cast_vote(yesterday[0], answer.id, 0)  # -10 today: room for one more
    votes.cast_vote(today[20], answer.id, 1)
    assert events(author)[-1] == ("upvote", 10, None)
    assert reputation.earned_from_votes_on(author.id, reputation.day_start(clock.now)) == 200
    assert rep(author) == 1 + 200 + 200


def test_accepts_and_promotions_are_not_capped(app, clock):
    asker = make_user()
    author = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, author)
    for _ in range(20):
        votes.cast_vote(make_voter(), answer.id, 1)
    threads.accept_answer(asker, thread.id, answer.id)
    reputation.record_promotion(answer, make_user(role="staff"))
    assert rep(author) == 1 + 200 + 15 + 25


def test_down_votes_are_not_part_of_the_cap(app, clock):
    author = make_user()
    answer = make_answer(make_thread(), author)
    votes.cast_vote(make_voter(), answer.id, -1)
    for _ in range(21):
        votes.cast_vote(make_voter(), answer.id, 1)
    assert rep(author) == 1 - 2 + 200


# --- accepting ----------------------------------------------------------------------

def test_accept_move_and_unaccept(app):
    asker = make_user()
    thread = make_thread(asker)
    first, second = make_answer(thread), make_answer(thread)
    threads.accept_answer(asker, thread.id, first.id)
    assert rep(first.author) == 16 and rep(asker) == 3
    threads.accept_answer(asker, thread.id, second.id)
    assert rep(first.author) == 1 and rep(second.author) == 16 and rep(asker) == 3
    assert events(first.author) == [("accepted", 15, None), ("accepted_undone", -15, None)]
    assert events(asker) == [("accept_given", 2, None), ("accept_given_undone", -2, None),
                             ("accept_given", 2, None)]
    threads.accept_answer(asker, thread.id, None)
    assert rep(second.author) == 1 and rep(asker) == 1


def test_staff_accepting_gives_the_asker_the_2(app):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    threads.accept_answer(make_user(role="staff"), thread.id, answer.id)
    assert rep(asker) == 3 and rep(answer.author) == 16


def test_accepting_own_answer_earns_nothing_and_moving_away_takes_nothing(app):
    asker = make_user()
    thread = make_thread(asker)
    own, other = make_answer(thread, asker), make_answer(thread)
    threads.accept_answer(asker, thread.id, own.id)
    assert rep(asker) == 1 and events(asker) == []
    threads.accept_answer(asker, thread.id, other.id)
    assert rep(asker) == 3 and rep(other.author) == 16


# --- deleting and restoring ---------------------------------------------------------

def test_deleting_an_answer_reverses_its_votes_and_restoring_returns_them(app):
    moderator = make_user(role="moderator")
    answer = make_answer(make_thread())
    up, down = make_voter(), make_voter()
    votes.cast_vote(up, answer.id, 1)
    votes.cast_vote(down, answer.id, -1)
    assert rep(answer.author) == 9 and rep(down) == TRUSTED - 1
    threads.delete_post(moderator, answer.id)
    assert rep(answer.author) == 1 and rep(down) == TRUSTED
    assert sorted(events(answer.author)[-2:]) == [("post_deleted", -10, None),
                                                   ("post_deleted", 2, None)]
    threads.restore_post(moderator, answer.id)
    assert rep(answer.author) == 9 and rep(down) == TRUSTED - 1
    assert events(down)[-1] == ("post_restored", -1, None)
    # the restored vote is an ordinary vote again
    votes.cast_vote(up, answer.id, 0)
    assert rep(answer.author) == -1


def test_restore_returns_exactly_the_capped_amounts(app, clock):
    moderator = make_user(role="moderator")
    author = make_user()
    answer = _upvoted_by_many(author, 21)
    threads.delete_post(moderator, answer.id)
    assert rep(author) == 1
    clock.advance(days=3)
    threads.restore_post(moderator, answer.id)
    assert rep(author) == 201
    # restored points are not up-vote events: today's cap is untouched
    assert reputation.earned_from_votes_on(author.id, reputation.day_start(clock.now)) == 0


def test_deleting_the_accepted_answer_unaccepts_it_for_good(app):
    moderator = make_user(role="moderator")
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    votes.cast_vote(make_voter(), answer.id, 1)
    threads.accept_answer(asker, thread.id, answer.id)
    assert rep(answer.author) == 26 and rep(asker) == 3
    threads.delete_post(moderator, answer.id)
    assert rep(answer.author) == 1 and rep(asker) == 1
    threads.restore_post(moderator, answer.id)
    assert rep(answer.author) == 11 and rep(asker) == 1  # votes back; acceptance not
    assert db.session.get(Thread, thread.id).accepted_answer_id is None
    threads.accept_answer(asker, thread.id, answer.id)
    assert rep(answer.author) == 26 and rep(asker) == 3


def test_deleting_the_question_reverses_the_whole_thread(app):
    moderator = make_user(role="moderator")
    asker = make_user()
    thread = make_thread(asker)
    answer, gone = make_answer(thread), make_answer(thread)
    voter = make_voter()
    votes.cast_vote(voter, thread.question.id, 1)
    votes.cast_vote(voter, answer.id, 1)
    votes.cast_vote(voter, gone.id, -1)
    threads.accept_answer(asker, thread.id, answer.id)
    threads.delete_post(moderator, gone.id)
    before = {user.id: rep(user) for user in (asker, answer.author, gone.author, voter)}
    assert before[asker.id] == 1 + 10 + 2 and before[answer.author.id] == 1 + 10 + 15
    threads.delete_post(moderator, thread.question.id)
    assert [rep(u) for u in (asker, answer.author, gone.author)] == [1, 1, 1]
    assert rep(voter) == TRUSTED
    threads.restore_post(moderator, thread.question.id)
    after = {user.id: rep(user) for user in (asker, answer.author, gone.author, voter)}
    assert after == before  # the answer deleted on its own stays deleted
    assert db.session.get(Thread, thread.id).accepted_answer_id == answer.id


def test_restore_needs_a_moderator_and_a_deleted_post(app):
    author = make_user()
    answer = make_answer(make_thread(), author)
    with pytest.raises(Conflict):
        threads.restore_post(make_user(role="moderator"), answer.id)
    threads.delete_post(author, answer.id)
    with pytest.raises(NotFound):  # others do not even see a deleted post
        threads.restore_post(make_user(reputation=5000), answer.id)
    threads.restore_post(make_user(role="moderator"), answer.id)
    post = db.session.get(Post, answer.id)
    assert post.deleted_at is None and post.thread.answer_count == 1


# --- promotion ----------------------------------------------------------------------

def test_promotion_gives_25_once_and_follows_deletion(app):
    staff, moderator = make_user(role="staff"), make_user(role="moderator")
    answer = make_answer(make_thread())
    assert reputation.record_promotion(answer, staff) is True
    assert reputation.record_promotion(answer, staff) is False
    assert rep(answer.author) == 26
    threads.delete_post(moderator, answer.id)
    assert rep(answer.author) == 1
    with pytest.raises(Conflict):
        reputation.record_promotion(answer, staff)
    threads.restore_post(moderator, answer.id)
    assert rep(answer.author) == 26


# --- serial voting ------------------------------------------------------------------

def test_serial_votes_count_but_earn_nothing(app, clock):
    author, voter = make_user(), make_voter()
    thread = make_thread()
    answers = [make_answer(thread, author) for _ in range(12)]
    for answer in answers[:10]:
        votes.cast_vote(voter, answer.id, 1)
    assert rep(author) == 101
    # changing a vote on a post already counted is not one more post
    votes.cast_vote(voter, answers[0].id, -1)
    votes.cast_vote(voter, answers[0].id, 1)
    assert events(author)[-1] == ("upvote", 10, None) and rep(author) == 101
    votes.cast_vote(voter, answers[10].id, 1)
    votes.cast_vote(voter, answers[11].id, -1)
    assert rep(author) == 101 and rep(voter) == TRUSTED - 1  # the voter's own cost stays
    assert events(author)[-2:] == [("upvote", 0, "serial"), ("downvote", 0, "serial")]
    assert db.session.get(Post, answers[10].id).score == 1
    held = db.session.scalars(select(SerialVote).order_by(SerialVote.id)).all()
    assert [(s.voter_id, s.author_id, s.post_id, s.value) for s in held] == [
        (voter.id, author.id, answers[10].id, 1), (voter.id, author.id, answers[11].id, -1)]
    # a day later the window has moved on
    clock.advance(hours=24, seconds=1)
    votes.cast_vote(voter, answers[11].id, 1)
    assert events(author)[-1] == ("upvote", 10, None)


def test_serial_voting_report_for_moderators(app, clock):
    author, voter = make_user("serial_target"), make_voter()
    thread = make_thread()
    for answer in [make_answer(thread, author) for _ in range(13)]:
        votes.cast_vote(voter, answer.id, 1)
    report = ledger.serial_voting_report(make_user(role="moderator"))
    assert report.total == 1
    row = report.items[0]
    assert (row.voter.id, row.author.id, row.votes) == (voter.id, author.id, 3)
    with pytest.raises(PermissionDenied):
        ledger.serial_voting_report(make_user(reputation=5000))


def test_serial_limit_is_configurable(make_app, clock):
    app = make_app(REPUTATION_RULES={"serial_vote_limit": 2, "serial_vote_hours": 1})
    with app.app_context():
        author, voter = make_user(), make_voter()
        thread = make_thread()
        answers = [make_answer(thread, author) for _ in range(3)]
        for answer in answers:
            votes.cast_vote(voter, answer.id, 1)
        assert rep(author) == 21


# --- removing a user's votes (suspensions) -----------------------------------------------

def test_remove_votes_of_a_user(app):
    moderator = make_user(role="moderator")
    voter = make_voter()
    live, hidden = make_answer(make_thread()), make_answer(make_thread())
    votes.cast_vote(voter, live.id, -1)
    votes.cast_vote(voter, hidden.id, 1)
    threads.delete_post(moderator, hidden.id)
    with pytest.raises(PermissionDenied):
        votes.remove_votes_of(make_user(), voter)
    assert votes.remove_votes_of(moderator, voter) == 2
    assert rep(live.author) == 1 and rep(voter) == TRUSTED and rep(hidden.author) == 1
    assert [db.session.get(Post, p.id).score for p in (live, hidden)] == [0, 0]
    threads.restore_post(moderator, hidden.id)
    assert rep(hidden.author) == 1  # the removed vote does not come back


# --- the cache ----------------------------------------------------------------------

def test_recount_fixes_drifted_caches_and_reports_them(app, runner):
    answer = make_answer(make_thread())
    votes.cast_vote(make_voter(), answer.id, 1)
    author = db.session.get(User, answer.author_id)
    author.reputation = 999
    db.session.commit()
    result = runner.invoke(args=["askdesk", "reputation", "recount"])
    assert result.exit_code == 0, result.output
    assert f"{author.username}: cached 999, ledger 11 - fixed" in result.output
    assert "fixed 1." in result.output
    assert rep(author) == 11
    again = runner.invoke(args=["askdesk", "reputation", "recount", "--user", author.username])
    assert again.output.strip() == "Checked 1 user; fixed 0."
    missing = runner.invoke(args=["askdesk", "reputation", "recount", "--user", "nobody"])
    assert missing.exit_code != 0 and "No such user" in missing.output


# --- reading ------------------------------------------------------------------------

def test_ledger_days_group_events_by_utc_day(app, clock):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    clock.set(datetime(2030, 5, 17, 23, 59))
    votes.cast_vote(make_voter(), answer.id, 1)
    clock.set(datetime(2030, 5, 18, 0, 1))
    votes.cast_vote(make_voter(), answer.id, 1)
    threads.accept_answer(asker, thread.id, answer.id)
    page = ledger.ledger_days(db.session.get(User, answer.author_id), 1, 10)
    assert [(d.day.isoformat(), d.total) for d in page.items] == [
        ("2030-05-18", 25), ("2030-05-17", 10)]
    assert [e.reason for e in page.items[0].events] == ["accepted", "upvote"]
    assert page.items[0].events[0].post.thread.title == thread.title
    assert ledger.history(db.session.get(User, answer.author_id)) == [
        (datetime(2030, 5, 17).date(), 11), (datetime(2030, 5, 18).date(), 36)]


def test_top_helpers_count_what_answers_earned_per_board_and_period(app, clock):
    router, billing = make_board("router"), make_board("billing")
    anna, ben, asker = make_user("anna"), make_user("ben"), make_user()
    old_thread = make_thread(asker, router)
    old = make_answer(old_thread, anna)
    clock.advance(days=-20)
    votes.cast_vote(make_voter(), old.id, 1)  # this month, not this week
    threads.accept_answer(asker, old_thread.id, old.id)
    clock.advance(days=20)
    fresh = make_answer(make_thread(asker, router), ben)
    votes.cast_vote(make_voter(), fresh.id, 1)
    elsewhere = make_answer(make_thread(make_user(), billing), ben)
    votes.cast_vote(make_voter(), elsewhere.id, 1)
    question = make_thread(anna, router).question
    votes.cast_vote(make_voter(), question.id, 1)  # asking is not helping
    down = make_voter()
    votes.cast_vote(down, fresh.id, -1)  # the voter's cost is not the answerer's

    def names(helpers):
        return [(h.user.username, h.earned) for h in helpers]

    board = ledger.leaders(router)
    assert names(board["week"]) == [("ben", 8)]
    assert names(board["month"]) == [("anna", 25), ("ben", 8)]
    assert names(board["all"]) == [("anna", 25), ("ben", 8)]
    assert names(ledger.top_helpers(None, "week")) == [("ben", 18)]
    assert names(ledger.top_helpers(billing, "all")) == [("ben", 10)]
    threads.delete_post(make_user(role="moderator"), old.id)  # its points are taken back
    assert names(ledger.top_helpers(router, "all")) == [("ben", 8)]


def test_top_helpers_are_kept_for_a_while_as_plain_values_every_worker_shares(
        make_app, count_queries):
    def worker():  # a web process of the same site (the instance folder is the test's)
        return make_app(SHARED_CACHE_TYPE="FileSystemCache", LEADERS_CACHE_SECONDS=60)

    with worker().app_context():
        first_answer = make_answer(make_thread())
        leader = first_answer.author.username
        votes.cast_vote(make_voter(), first_answer.id, 1)
        first = ledger.leaders(None)
        later_answer = make_answer(make_thread())
        for _ in range(2):
            votes.cast_vote(make_voter(), later_answer.id, 1)
        db.session.remove()  # a cached result must not need its session
        again = ledger.leaders(None)
        assert again == first  # the new leader shows once the cache expires
        assert [h.user.username for h in again["all"]] == [leader]
    # Another worker, or the one gunicorn started in place of the first, counts nothing.
    with worker().app_context(), count_queries() as counter:
        assert ledger.leaders(None) == first
    assert counter.count == 0

def test_a_stale_count_of_top_helpers_is_shown_while_a_task_counts_again(
        make_app, count_queries, clock, monkeypatch):
    app = make_app(SHARED_CACHE_TYPE="FileSystemCache", LEADERS_CACHE_SECONDS=60)
    with app.app_context():
        answer = make_answer(make_thread())
        votes.cast_vote(make_voter(), answer.id, 1)
        counting = "leaders-counted:all:5:counting"
        shared_cache.add(counting, True)  # a count is under way, none finished yet
        with count_queries() as counter:
            assert ledger.leaders(None) == {"week": [], "month": [], "all": []}
        assert counter.count == 0
        shared_cache.delete(counting)
        first = ledger.leaders(None)  # the tests run tasks at once
        assert [h.user.username for h in first["all"]] == [answer.author.username]
        assert not shared_cache.get(counting)

        handed_on = []  # as where a runner thread or worker counts, after the request
        monkeypatch.setattr(tasks, "defer", lambda *task: handed_on.append(task))
        clock.advance(seconds=61)  # stale: the next look hands on a count, shows the last
        later = make_answer(make_thread())
        for _ in range(2):
            votes.cast_vote(make_voter(), later.id, 1)
        with count_queries() as counter:
            assert ledger.leaders(None) == first
            assert ledger.leaders(None) == first  # handed on once: the others only look
        assert counter.count == 0 and len(handed_on) == 1
        expected = [later.author.username, answer.author.username]
        generation = page_generation.current()[0]
        with app.app_context():  # a runner's own
            tasks.run_deferred(*handed_on[0])
        assert [h.user.username for h in ledger.leaders(None)["all"]] == expected
        assert not shared_cache.get(counting)
        # A changed count makes the cached pages that show the last one stale; the same does not.
        assert page_generation.current()[0] == generation + 1
        clock.advance(seconds=61)
        ledger.leaders(None)
        with app.app_context():
            tasks.run_deferred(*handed_on[1])
        assert shared_cache.get("leaders-counted:all:5")[0] == clock.now  # counted again
        assert page_generation.current()[0] == generation + 1
