"""What the moderation features stand on: the append-only audit log, suspensions in the
permission rules, and hidden (flagged or held) content that only some may see."""
import pytest
from sqlalchemy import text, update

from forum.errors import NotFound, PermissionDenied
from forum.extensions import db
from forum.permissions import can, require
from forum.services import boards, threads
from forum.timeutil import utcnow
from forum.transactions import write_transaction
from moderation import audit
from moderation.models import AuditEntry
from tests.factories import make_answer, make_board, make_thread, make_user

from .conftest import suspend_now


def _audit_row():
    moderator = make_user(role="moderator")
    with write_transaction():
        entry = audit.record(moderator, "lock", "thread", 7, reason="heated",
                             before={"is_locked": False}, after={"is_locked": True})
    return entry


def test_audit_record_keeps_actor_target_reason_and_values(app):
    entry = _audit_row()
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.action, stored.target_type, stored.target_id) == ("lock", "thread", 7)
    assert stored.reason == "heated"
    assert stored.before == {"is_locked": False} and stored.after == {"is_locked": True}
    assert stored.actor.role == "moderator"


def test_audit_rows_cannot_be_changed_through_the_orm(app):
    entry = _audit_row()
    entry.reason = "rewritten"
    with pytest.raises(audit.AuditImmutable):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(audit.AuditImmutable):
        db.session.execute(update(AuditEntry).values(reason="rewritten"))
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(audit.AuditImmutable):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).reason == "heated"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET reason = 'rewritten'",
    "DELETE FROM audit_entries",
])
def test_the_database_refuses_to_change_audit_rows(app, statement):
    entry = _audit_row()
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(statement))
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id).reason == "heated"


def test_a_suspended_user_reads_but_cannot_write(app):
    thread = make_thread()
    answer = make_answer(thread)
    user = suspend_now(make_user(reputation=5000), reason="Spamming links")
    assert can(user, "view_thread", thread)
    for action, target in [("ask", None), ("answer", thread), ("comment", answer),
                           ("vote_up", answer), ("flag", answer), ("edit_post", answer)]:
        assert not can(user, action, target), action
    with pytest.raises(PermissionDenied) as refused:
        require(user, "answer", thread)
    assert refused.value.code == "suspended"
    assert "Spamming links" in str(refused.value.message)
    assert refused.value.fields["suspended_until"].endswith("Z")


def test_a_suspension_that_ended_no_longer_counts(app):
    user = make_user(reputation=5000)
    with write_transaction():
        user.suspended_until, user.suspension_reason = utcnow(), "over"
        db.session.add(user)
    assert not user.is_suspended and can(user, "ask")


def _hide(item, reason="held"):
    with write_transaction():
        item.hidden_at, item.hidden_reason = utcnow(), reason
        db.session.add(item)


def test_a_hidden_answer_shows_only_to_its_author_and_moderators(app):
    thread = make_thread()
    answer = make_answer(thread)
    _hide(answer)
    moderator = make_user(role="moderator")
    for viewer, sees in [(None, False), (make_user(), False), (answer.author, True),
                         (moderator, True)]:
        page = threads.thread_page(thread.id, viewer)
        assert (answer in page.answers) is sees
        if not sees:
            with pytest.raises(NotFound):
                threads.get_post(answer.id, viewer)
    assert not can(make_user(reputation=5000), "vote_up", answer)


def test_a_hidden_thread_leaves_the_board_list_but_its_author_can_open_it(app):
    board = make_board()
    shown, held = make_thread(board=board), make_thread(board=board)
    _hide(held)
    ids = [t.id for t in boards.list_threads(board).items]
    assert shown.id in ids and held.id not in ids
    assert threads.get_thread(held.id, held.author).id == held.id
    with pytest.raises(NotFound):
        threads.get_thread(held.id, make_user())
