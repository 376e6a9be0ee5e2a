"""Deleting then restoring a thread or a post brings back every answer, comment, vote and
ledger amount exactly: full snapshots before and after are compared."""
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Board, Comment, Post, ReputationEvent, Thread, User, Vote
from forum.services import comments, kb_promotion, threads, votes
from moderation.services.thread_actions import moderate
from tests.factories import make_answer, make_thread, make_user, make_voter

E = ReputationEvent


def _snapshot(thread_id: int) -> dict:
    """Everything a thread owns and everything its content earned, by value."""
    db.session.expire_all()
    thread = db.session.get(Thread, thread_id)
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.id))
    post_rows = [(p.id, p.kind, p.author_id, p.body, p.score, p.deleted_at) for p in posts]
    post_ids = [row[0] for row in post_rows]
    return {
        "thread": (thread.deleted_at, thread.answer_count, thread.accepted_answer_id,
                   thread.score, thread.board_id, thread.title),
        "board": db.session.get(Board, thread.board_id).thread_count,
        "posts": post_rows,
        "comments": db.session.execute(
            select(Comment.id, Comment.post_id, Comment.parent_id, Comment.body,
                   Comment.deleted_at).where(Comment.post_id.in_(post_ids))
            .order_by(Comment.id)).all(),
        "votes": db.session.execute(
            select(Vote.user_id, Vote.post_id, Vote.value).order_by(Vote.id)).all(),
        "ledger": db.session.execute(
            select(E.user_id, E.source, func.sum(E.amount)).group_by(E.user_id, E.source)
            .having(func.sum(E.amount) != 0).order_by(E.user_id, E.source)).all(),
        "reputation": db.session.execute(
            select(User.id, User.reputation).order_by(User.id)).all(),
    }


def _busy_thread():
    """A thread with an accepted, a promoted, a voted-down and an already-deleted answer,
    comment threads, and votes of several users on the question and the answers."""
    asker = make_user()
    thread = make_thread(asker)
    accepted, promoted, disputed, gone = (make_answer(thread) for _ in range(4))
    voters = [make_voter() for _ in range(3)]
    for voter in voters:
        votes.cast_vote(voter, thread.question.id, 1)
        votes.cast_vote(voter, accepted.id, 1)
    votes.cast_vote(voters[0], disputed.id, -1)
    votes.cast_vote(voters[1], promoted.id, 1)
    votes.cast_vote(voters[2], gone.id, 1)
    threads.accept_answer(asker, thread.id, accepted.id)
    kb_promotion.promote_answer(make_user(role="staff"), promoted.id)
    top = comments.add_comment(voters[0], thread.question.id, "Which firmware version is it?")
    comments.add_comment(asker, thread.question.id, "Version 2.1, the latest.", top.id)
    comments.add_comment(voters[1], accepted.id, "This worked for me as well.")
    threads.delete_post(gone.author, gone.id)  # deleted before: stays deleted
    return thread, {"accepted": accepted, "promoted": promoted, "disputed": disputed}


def test_delete_then_restore_of_a_thread_brings_everything_back(app):
    thread, _answers = _busy_thread()
    moderator = make_user(role="moderator")
    before = _snapshot(thread.id)
    moderate(moderator, thread.id, "delete", reason="checking")
    deleted = _snapshot(thread.id)
    assert deleted["thread"][0] is not None and deleted["board"] == before["board"] - 1
    assert deleted["reputation"] != before["reputation"]  # what the thread earned is taken back
    moderate(moderator, thread.id, "restore")
    assert _snapshot(thread.id) == before


def test_deleting_a_thread_takes_back_everything_its_posts_earned(app):
    thread, answers = _busy_thread()
    moderate(make_user(role="moderator"), thread.id, "delete")
    db.session.expire_all()
    earned = db.session.scalar(select(func.coalesce(func.sum(E.amount), 0)).where(
        E.thread_id == thread.id, E.source != "seed"))
    assert earned == 0
    for answer in answers.values():
        author = db.session.get(User, answer.author_id)
        assert author.reputation == 1


def test_delete_then_restore_of_an_answer_brings_everything_back(app):
    thread, answers = _busy_thread()
    moderator = make_user(role="moderator")
    for name in ("promoted", "disputed"):
        before = _snapshot(thread.id)
        threads.delete_post(moderator, answers[name].id, reason="review")
        assert _snapshot(thread.id) != before
        threads.restore_post(moderator, answers[name].id)
        assert _snapshot(thread.id) == before, name


def test_restoring_the_accepted_answer_brings_back_all_but_the_acceptance(app):
    thread, answers = _busy_thread()
    moderator = make_user(role="moderator")
    before = _snapshot(thread.id)
    threads.delete_post(moderator, answers["accepted"].id)
    threads.restore_post(moderator, answers["accepted"].id)
    after = _snapshot(thread.id)
    # The rule of forum's restore_post: the asker may accept it again.
    assert after["thread"][2] is None and before["thread"][2] == answers["accepted"].id
    threads.accept_answer(thread.author, thread.id, answers["accepted"].id)
    assert _snapshot(thread.id) == before
