"""Moderators' thread actions: each changes the thread as it says and writes one audit row."""
import pytest
from sqlalchemy import select

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Board, Comment, Post, Thread
from forum.services import boards, comments, reputation, search, threads, votes
from moderation.models import AuditEntry
from moderation.services.thread_actions import moderate
from tests.factories import make_answer, make_board, make_thread, make_user, make_voter


@pytest.fixture
def moderator(app):
    return make_user(role="moderator")


def _audit(thread_id):
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "thread", AuditEntry.target_id == thread_id)
        .order_by(AuditEntry.id)))


def _found(words, board=None):
    return {result.doc_id for result in search.search_page(None, words, board=board).items}


def test_close_as_duplicate_links_the_original_and_is_audited(moderator):
    original, thread = make_thread(), make_thread()
    moderate(moderator, thread.id, "close", reason="duplicate", duplicate_of=original.id)
    db.session.refresh(thread)
    assert thread.closed_at is not None and thread.close_reason == "duplicate"
    assert thread.duplicate_of_id == original.id and thread.close_round == 1
    (entry,) = _audit(thread.id)
    assert entry.action == "close" and entry.actor_id == moderator.id
    assert entry.before == {"closed_at": None, "close_reason": None, "duplicate_of_id": None}
    assert entry.after["close_reason"] == "duplicate"
    assert entry.after["duplicate_of_id"] == original.id


@pytest.mark.parametrize("reason", ["off_topic", "unclear", "resolved_elsewhere"])
def test_close_with_each_reason_then_reopen(moderator, reason):
    thread = make_thread()
    moderate(moderator, thread.id, "close", reason=reason)
    assert db.session.get(Thread, thread.id).close_reason == reason
    moderate(moderator, thread.id, "reopen", reason="fixed up by the asker")
    thread = db.session.get(Thread, thread.id)
    assert thread.closed_at is None and thread.close_reason is None and thread.close_round == 2
    assert [e.action for e in _audit(thread.id)] == ["close", "reopen"]
    assert _audit(thread.id)[1].reason == "fixed up by the asker"


@pytest.mark.parametrize("fields, field", [
    ({}, "reason"),
    ({"reason": "boring"}, "reason"),
    ({"reason": "duplicate"}, "duplicate_of"),
    ({"reason": "duplicate", "duplicate_of": "abc"}, "duplicate_of"),
    ({"reason": "duplicate", "duplicate_of": 999999}, "duplicate_of"),
])
def test_close_with_bad_input_is_refused_with_the_field(moderator, fields, field):
    thread = make_thread()
    with pytest.raises(ValidationError) as caught:
        moderate(moderator, thread.id, "close", **fields)
    assert field in caught.value.fields
    assert db.session.get(Thread, thread.id).closed_at is None
    assert _audit(thread.id) == []


def test_a_thread_cannot_be_its_own_duplicate(moderator):
    thread = make_thread()
    with pytest.raises(ValidationError):
        moderate(moderator, thread.id, "close", reason="duplicate", duplicate_of=thread.id)


@pytest.mark.parametrize("action, again", [
    ("lock", "lock"), ("pin", "pin"), ("delete", "delete"),
])
def test_repeating_an_action_is_a_conflict(moderator, action, again):
    thread = make_thread()
    moderate(moderator, thread.id, action)
    with pytest.raises(Conflict):
        moderate(moderator, thread.id, again)
    assert len(_audit(thread.id)) == 1


@pytest.mark.parametrize("action", ["reopen", "unlock", "unpin", "restore"])
def test_undoing_what_is_not_done_is_a_conflict(moderator, action):
    thread = make_thread()
    with pytest.raises(Conflict):
        moderate(moderator, thread.id, action)
    assert _audit(thread.id) == []


def test_unknown_or_missing_action_is_a_validation_error(moderator):
    thread = make_thread()
    for bad in (None, "", "explode", 3):
        with pytest.raises(ValidationError) as caught:
            moderate(moderator, thread.id, bad)
        assert "action" in caught.value.fields


def test_only_moderators_act(app):
    thread = make_thread()
    for user in (make_user(reputation=5000), thread.author):
        with pytest.raises(PermissionDenied):
            moderate(user, thread.id, "lock")
    assert not db.session.get(Thread, thread.id).is_locked


def test_a_locked_thread_takes_no_answers_comments_or_votes_but_reads(moderator):
    thread = make_thread()
    answer = make_answer(thread)
    moderate(moderator, thread.id, "lock", reason="heated")
    voter = make_voter()
    with pytest.raises(PermissionDenied):
        threads.post_answer(voter, thread.id, "One more answer that is long enough.")
    with pytest.raises(PermissionDenied):
        comments.add_comment(voter, answer.id, "A comment on a locked thread.")
    with pytest.raises(PermissionDenied):
        votes.cast_vote(voter, answer.id, 1)
    assert threads.thread_page(thread.id, None).answers[0].id == answer.id
    moderate(moderator, thread.id, "unlock")
    votes.cast_vote(voter, answer.id, 1)
    (_lock, unlock) = _audit(thread.id)
    assert unlock.before == {"is_locked": True} and unlock.after == {"is_locked": False}


def test_pinned_thread_is_listed_first_on_its_board(moderator):
    board = make_board()
    first = make_thread(board=board)
    make_thread(board=board)
    moderate(moderator, first.id, "pin")
    listed = boards.list_threads(board, sort="newest").items
    assert listed[0].id == first.id and listed[0].is_pinned


def test_move_changes_board_counters_and_the_index(moderator):
    source, target = make_board(), make_board()
    thread = make_thread(board=source)
    moderate(moderator, thread.id, "move", board=target.slug)
    assert db.session.get(Thread, thread.id).board_id == target.id
    db.session.expire_all()
    assert db.session.get(Board, source.id).thread_count == 0
    assert db.session.get(Board, target.id).thread_count == 1
    assert _found("problem", board=target.slug) == {thread.id}
    assert _found("problem", board=source.slug) == set()
    (entry,) = _audit(thread.id)
    assert entry.before == {"board_id": source.id} and entry.after == {"board_id": target.id}


@pytest.mark.parametrize("board, field", [(None, "board"), ("no-such-board", "board")])
def test_move_needs_an_existing_other_board(moderator, board, field):
    thread = make_thread()
    with pytest.raises(ValidationError) as caught:
        moderate(moderator, thread.id, "move", board=board)
    assert field in caught.value.fields
    with pytest.raises(ValidationError):
        moderate(moderator, thread.id, "move", board=thread.board.slug)


def test_move_of_a_deleted_thread_leaves_counters_for_restore(moderator):
    source, target = make_board(), make_board()
    thread = make_thread(board=source)
    moderate(moderator, thread.id, "delete")
    moderate(moderator, thread.id, "move", board=target.slug)
    moderate(moderator, thread.id, "restore")
    db.session.expire_all()
    assert (db.session.get(Board, source.id).thread_count,
            db.session.get(Board, target.id).thread_count) == (0, 1)


def test_merge_moves_answers_and_comments_and_fixes_counters(moderator):
    board = make_board()
    source, target = make_thread(board=board), make_thread(board=board)
    a1 = make_answer(source, body="Flash the zebrafirmware image from the recovery menu.")
    a2 = make_answer(source)
    make_answer(target)
    voter = make_voter()
    on_question = comments.add_comment(voter, source.question.id, "A comment on the question.")
    on_answer = comments.add_comment(voter, a1.id, "A comment on the first answer.")
    votes.cast_vote(voter, a1.id, 1)
    shown = moderate(moderator, source.id, "merge", into=target.id, reason="same problem")
    assert shown.id == target.id
    db.session.expire_all()
    assert {p.id for p in db.session.scalars(select(Post).where(
        Post.thread_id == target.id, Post.kind == "answer"))} >= {a1.id, a2.id}
    assert db.session.get(Comment, on_question.id).post_id == target.question.id
    assert db.session.get(Comment, on_answer.id).post_id == a1.id
    source, target = db.session.get(Thread, source.id), db.session.get(Thread, target.id)
    assert (source.answer_count, target.answer_count) == (0, 3)
    assert source.merged_into_id == target.id and not source.is_listed
    assert db.session.get(Board, board.id).thread_count == 1
    assert db.session.get(Post, a1.id).score == 1
    assert threads.merge_target(source.id).id == target.id
    assert _found("zebrafirmware") == {target.id}
    (entry,) = _audit(source.id)
    assert entry.action == "merge" and entry.after["merged_into_id"] == target.id
    assert sorted(entry.after["answer_ids"]) == sorted([a1.id, a2.id])


def test_merge_takes_back_the_acceptance_through_the_ledger(moderator):
    source, target = make_thread(), make_thread()
    answer = make_answer(source)
    threads.accept_answer(source.author, source.id, answer.id)
    assert db.session.get(type(answer.author), answer.author_id).reputation == 16
    moderate(moderator, source.id, "merge", into=target.id)
    db.session.expire_all()
    author = db.session.get(type(answer.author), answer.author_id)
    assert author.reputation == 1 == 1 + reputation.ledger_sum(author.id)


@pytest.mark.parametrize("into", [None, "x", 999999, "self"])
def test_merge_needs_another_live_thread(moderator, into):
    thread = make_thread()
    with pytest.raises(ValidationError) as caught:
        moderate(moderator, thread.id, "merge", into=thread.id if into == "self" else into)
    assert "into" in caught.value.fields
    assert db.session.get(Thread, thread.id).merged_into_id is None


def test_a_merged_thread_takes_no_more_actions(moderator):
    source, target = make_thread(), make_thread()
    moderate(moderator, source.id, "merge", into=target.id)
    with pytest.raises(Conflict):
        moderate(moderator, source.id, "lock")
    with pytest.raises(ValidationError):
        moderate(moderator, make_thread().id, "merge", into=source.id)


def test_delete_hides_the_thread_from_all_but_moderators(moderator):
    thread = make_thread()
    moderate(moderator, thread.id, "delete", reason="spam")
    with pytest.raises(NotFound):
        threads.get_thread(thread.id, None)
    with pytest.raises(NotFound):
        threads.get_thread(thread.id, thread.author)
    assert threads.get_thread(thread.id, moderator).deleted_at is not None
    (entry,) = _audit(thread.id)
    assert (entry.action, entry.reason, entry.before) == ("delete", "spam", {"deleted_at": None})
    moderate(moderator, thread.id, "restore")
    assert threads.get_thread(thread.id, None).deleted_at is None
    assert [e.action for e in _audit(thread.id)] == ["delete", "restore"]
    assert thread.id in _found("problem")
