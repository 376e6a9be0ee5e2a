"""Warnings, suspensions, notes and spammer deletion at the service layer."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Comment, Post, ReputationEvent, Thread, User, Vote
from forum.services import comments, threads, votes
from forum.services.reputation import ledger_sum
from forum.timeutil import utcnow
from moderation.models import AuditEntry, ModeratorNote, Suspension, UserWarning
from moderation.services import spammers, suspensions, warnings
from tests.factories import make_answer, make_thread, make_user, make_voter


def _audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _future(**delta):
    return (utcnow() + timedelta(**delta)).replace(microsecond=0).isoformat() + "Z"


def test_warn_keeps_the_warning_with_an_audit_row(app):
    moderator, member = make_user(role="moderator"), make_user()
    warning = warnings.warn(moderator, member.username, "  Please stop posting links.  ")
    assert warning.message == "Please stop posting links."
    assert [w.id for w in warnings.unseen_warnings(member)] == [warning.id]
    warnings.mark_seen(member, [warning.id])
    assert warnings.unseen_warnings(member) == []
    assert db.session.get(UserWarning, warning.id).seen_at is not None
    (row,) = _audit("warn")
    assert (row.actor_id, row.target_type, row.target_id) == (moderator.id, "user", member.id)


def test_unseen_warnings_are_counted_on_the_member_row(app, count_queries):
    moderator, member = make_user(role="moderator"), make_user()
    assert member.unseen_warnings == 0  # loaded, as a request loads its user
    with count_queries() as counter:
        assert warnings.unseen_warnings(member) == []
    assert counter.count == 0  # most members, on every page
    first = warnings.warn(moderator, member.username, "Please stop posting links.")
    warnings.warn(moderator, member.username, "Second warning.")
    assert db.session.get(User, member.id).unseen_warnings == 2
    warnings.mark_seen(member, [first.id])
    warnings.mark_seen(member, [first.id])  # a second page that showed it counts nothing
    assert db.session.get(User, member.id).unseen_warnings == 1
    assert [w.message for w in warnings.unseen_warnings(member)] == ["Second warning."]


def test_warn_refuses_an_empty_message_and_changes_nothing(app):
    moderator, member = make_user(role="moderator"), make_user()
    with pytest.raises(ValidationError):
        warnings.warn(moderator, member.username, "   ")
    assert db.session.scalar(select(func.count(UserWarning.id))) == 0
    assert _audit("warn") == []


def test_suspend_sets_the_cache_and_refuses_posting(app):
    moderator, member = make_user(role="moderator"), make_user()
    thread = make_thread()
    suspension = suspensions.suspend(moderator, member.username, _future(days=2), "Spam links")
    db.session.refresh(member)
    assert member.is_suspended and member.suspension_reason == "Spam links"
    assert member.suspended_until == suspension.ends_at
    with pytest.raises(PermissionDenied) as refused:
        threads.post_answer(member, thread.id, "Here is my answer with enough characters.")
    assert refused.value.code == "suspended"
    assert "Spam links" in str(refused.value.message)
    (row,) = _audit("suspend")
    assert row.after["reason"] == "Spam links" and row.before["suspended_until"] is None


@pytest.mark.parametrize("until", ["yesterday", "2001-01-01T00:00:00Z", "", None, 5,
                                   "2030-13-45T00:00:00"])
def test_suspend_refuses_a_time_that_is_not_a_future_date(app, until):
    moderator, member = make_user(role="moderator"), make_user()
    with pytest.raises(ValidationError) as refused:
        suspensions.suspend(moderator, member.username, until, "Spam")
    assert "until" in refused.value.fields
    assert db.session.scalar(select(func.count(Suspension.id))) == 0
    db.session.refresh(member)
    assert member.suspended_until is None


def test_suspend_needs_a_reason(app):
    moderator, member = make_user(role="moderator"), make_user()
    with pytest.raises(ValidationError) as refused:
        suspensions.suspend(moderator, member.username, _future(days=1), "")
    assert "reason" in refused.value.fields


@pytest.mark.parametrize("actor_role,member_role,allowed", [
    ("moderator", "user", True), ("moderator", "moderator", False),
    ("moderator", "staff", False), ("moderator", "admin", False),
    ("staff", "moderator", True), ("staff", "admin", False), ("admin", "staff", True),
    ("user", "user", False),
])
def test_suspend_only_members_of_a_lower_role(app, actor_role, member_role, allowed):
    actor, member = make_user(role=actor_role), make_user(role=member_role)
    if allowed:
        suspensions.suspend(actor, member.username, _future(hours=3), "Reason")
    else:
        with pytest.raises(PermissionDenied):
            suspensions.suspend(actor, member.username, _future(hours=3), "Reason")
        db.session.refresh(member)
        assert member.suspended_until is None


def test_moderators_cannot_suspend_themselves(app):
    moderator = make_user(role="admin")
    with pytest.raises(PermissionDenied):
        suspensions.suspend(moderator, moderator.username, _future(hours=3), "Reason")


def test_suspend_unknown_member_is_not_found(app):
    with pytest.raises(NotFound):
        suspensions.suspend(make_user(role="moderator"), "nobody-here", _future(days=1), "x")


def test_a_new_suspension_replaces_the_current_one(app):
    moderator, member = make_user(role="moderator"), make_user()
    first = suspensions.suspend(moderator, member.username, _future(days=2), "First")
    second = suspensions.suspend(moderator, member.username, _future(days=9), "Second")
    assert db.session.get(Suspension, first.id).lifted_at is not None
    db.session.refresh(member)
    assert member.suspended_until == second.ends_at and member.suspension_reason == "Second"


def test_lift_ends_the_suspension(app):
    moderator, member = make_user(role="moderator"), make_user()
    suspension = suspensions.suspend(moderator, member.username, _future(days=2), "Spam")
    suspensions.lift(moderator, member.username, "Apologised")
    db.session.refresh(member)
    assert not member.is_suspended and member.suspended_until is None
    assert db.session.get(Suspension, suspension.id).lifted_by_id == moderator.id
    (row,) = _audit("lift_suspension")
    assert row.reason == "Apologised" and row.before["reason"] == "Spam"
    with pytest.raises(Conflict):
        suspensions.lift(moderator, member.username)


def test_notes_are_kept_with_an_audit_row(app):
    moderator, member = make_user(role="moderator"), make_user()
    note = warnings.add_note(moderator, member.username, "Known to post affiliate links.")
    assert db.session.get(ModeratorNote, note.id).author_id == moderator.id
    assert len(_audit("note")) == 1
    with pytest.raises(PermissionDenied):
        warnings.add_note(make_user(reputation=5000), member.username, "Not a moderator")


def _snapshot(*users):
    """Every answer, comment, vote, score and ledger figure the deletion could touch."""
    return {
        "posts": sorted(db.session.execute(
            select(Post.id, Post.deleted_at.is_(None), Post.score)).all()),
        "threads": sorted(db.session.execute(
            select(Thread.id, Thread.deleted_at.is_(None), Thread.answer_count,
                   Thread.score)).all()),
        "comments": sorted(db.session.execute(
            select(Comment.id, Comment.deleted_at.is_(None))).all()),
        "votes": sorted(db.session.execute(
            select(Vote.user_id, Vote.post_id, Vote.value, Vote.created_at)).all()),
        "reputation": [(db.session.get(User, u.id).reputation, ledger_sum(u.id)) for u in users],
    }


def _spam_world():
    spammer, victim = make_voter(), make_voter()
    own = make_thread(spammer)
    make_answer(own, victim)
    other = make_thread(victim)
    spam_answer = make_answer(other, spammer, body="Buy cheap followers at our shop today!")
    honest = make_answer(other, make_voter())
    comments.add_comment(spammer, honest.id, "Great answer, also see my shop")
    votes.cast_vote(spammer, honest.id, 1)
    votes.cast_vote(spammer, other.question.id, -1)
    votes.cast_vote(victim, spam_answer.id, 1)
    votes.cast_vote(victim, own.question.id, 1)
    return spammer, victim, own, other, spam_answer


def test_delete_spammer_removes_everything_and_restore_brings_it_back_exactly(app):
    moderator = make_user(role="moderator")
    spammer, victim, own, other, spam_answer = _spam_world()
    db.session.expire_all()
    before = _snapshot(spammer, victim, *db.session.scalars(select(User).order_by(User.id)))
    removed = spammers.delete_spammer(moderator, spammer.username, "Shop spam")
    db.session.expire_all()
    assert db.session.get(Thread, own.id).deleted_at is not None
    assert db.session.get(Post, spam_answer.id).deleted_at is not None
    assert db.session.scalar(select(func.count(Vote.id)).where(Vote.user_id == spammer.id)) == 0
    assert db.session.scalar(select(func.count(Comment.id)).where(
        Comment.author_id == spammer.id, Comment.deleted_at.is_(None))) == 0
    assert len(removed["votes"]) == 2 and len(removed["comments"]) == 1
    assert db.session.get(User, victim.id).reputation == ledger_sum(victim.id) + 1
    assert spammers.is_deleted_spammer(spammer)
    with pytest.raises(Conflict):
        spammers.delete_spammer(moderator, spammer.username)

    spammers.restore_spammer(moderator, spammer.username, "Mistake")
    db.session.expire_all()
    assert _snapshot(spammer, victim, *db.session.scalars(select(User).order_by(User.id))) == before
    assert [a.action for a in _audit("delete_spammer") + _audit("restore_spammer")] == [
        "delete_spammer", "restore_spammer"]
    with pytest.raises(Conflict):
        spammers.restore_spammer(moderator, spammer.username)


def test_restore_spammer_leaves_content_deleted_for_other_reasons(app):
    moderator = make_user(role="moderator")
    spammer = make_user()
    earlier = make_answer(make_thread(), spammer)
    threads.delete_post(spammer, earlier.id)
    make_answer(make_thread(), spammer)
    spammers.delete_spammer(moderator, spammer.username)
    spammers.restore_spammer(moderator, spammer.username)
    assert db.session.get(Post, earlier.id).deleted_at is not None


def test_delete_spammer_is_refused_to_non_moderators_and_changes_nothing(app):
    spammer = make_user()
    answer = make_answer(make_thread(), spammer)
    with pytest.raises(PermissionDenied):
        spammers.delete_spammer(make_user(reputation=5000), spammer.username)
    assert db.session.get(Post, answer.id).deleted_at is None
    assert db.session.scalar(select(func.count(ReputationEvent.id)).where(
        ReputationEvent.reason == "post_deleted")) == 0
