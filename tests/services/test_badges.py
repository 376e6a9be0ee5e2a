"""Badges are awarded by the services, once (or once per post when repeatable)."""
import threading

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import BadgeAward
from forum.services import badges, reputation, threads, votes
from tests.factories import make_answer, make_thread, make_user, make_voter


def held(user) -> dict[str, int]:
    rows = db.session.execute(
        select(BadgeAward.badge, func.count()).where(BadgeAward.user_id == user.id)
        .group_by(BadgeAward.badge)
    )
    return dict(rows.all())


def test_first_question_and_first_answer_once(app):
    user = make_user()
    make_thread(user)
    make_thread(user)
    make_answer(make_thread(), user)
    make_answer(make_thread(), user)
    assert held(user) == {"first_question": 1, "first_answer": 1}


def test_accepted_answers_earn_levels_and_the_asker_closes_the_loop(app):
    answerer = make_user()
    for n in range(10):
        asker = make_user()
        thread = make_thread(asker)
        threads.accept_answer(asker, thread.id, make_answer(thread, answerer).id)
        if n == 0:
            assert "first_accepted" in held(answerer) and "accepted_10" not in held(answerer)
            assert held(asker) == {"first_question": 1, "solved_own_thread": 1}
    assert held(answerer)["accepted_10"] == 1 and held(answerer)["first_accepted"] == 1
    assert "accepted_100" not in held(answerer)


def test_own_answer_accepted_is_no_answering_badge(app):
    asker = make_user()
    thread = make_thread(asker)
    threads.accept_answer(asker, thread.id, make_answer(thread, asker).id)
    assert "first_accepted" not in held(asker) and "solved_own_thread" in held(asker)


def test_great_answer_is_repeatable_per_answer_only(app):
    author = make_user()
    first, second = make_answer(make_thread(), author), make_answer(make_thread(), author)
    voters = [make_voter() for _ in range(11)]
    for voter in voters[:10]:
        votes.cast_vote(voter, first.id, 1)
    assert held(author).get("answer_score_10") == 1
    votes.cast_vote(voters[10], first.id, 1)
    votes.cast_vote(voters[0], first.id, 0)
    votes.cast_vote(voters[0], first.id, 1)  # back to 11: still one badge for this answer
    for voter in voters[:10]:
        votes.cast_vote(voter, second.id, 1)
    assert held(author)["answer_score_10"] == 2
    earned = {e.badge.slug: e.count for e in badges.badges_of(author)}
    assert earned["answer_score_10"] == 2


def test_question_score_is_no_great_answer(app):
    thread = make_thread()
    for _ in range(10):
        votes.cast_vote(make_voter(), thread.question.id, 1)
    assert "answer_score_10" not in held(thread.author)


def test_promotion_badge(app):
    answer = make_answer(make_thread())
    reputation.record_promotion(answer, make_user(role="staff"))
    assert held(answer.author)["promoted_to_kb"] == 1


def test_badge_pages_list_who_earned_them(app):
    users = [make_user(f"asker{n}") for n in range(3)]
    for user in users:
        make_thread(user)
    overview = dict((b.slug, count) for b, count in badges.overview())
    assert overview["first_question"] == 3 and overview["accepted_100"] == 0
    awards = badges.awards_of(badges.get_badge("first_question"))
    assert {a.user.username for a in awards.items} == {"asker0", "asker1", "asker2"}


def test_concurrent_awards_leave_one(app):
    user = make_user()
    user_id = user.id  # read here: the workers must not touch this session
    barrier = threading.Barrier(6)
    results = []

    def award():
        with app.app_context():
            barrier.wait()
            try:
                from forum.transactions import write_transaction

                with write_transaction():
                    results.append(badges.award(user_id, "first_accepted"))
            finally:
                db.session.remove()

    workers = [threading.Thread(target=award) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    db.session.rollback()
    assert results.count(True) == 1 and len(results) == 6
    assert held(user) == {"first_accepted": 1}


@pytest.mark.parametrize("slug", ["nope", "", "x" * 100, "first_question\x00"])
def test_unknown_badges_are_not_found(app, slug):
    from forum.errors import NotFound

    with pytest.raises(NotFound):
        badges.get_badge(slug)
