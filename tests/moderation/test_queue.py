"""The review queue: flagged and held items, approving and deleting them, serial voting."""
import pytest
from sqlalchemy import select

from forum import search
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Comment, Post, SerialVote, Thread
from forum.services import comments
from moderation.models import AuditEntry, Flag
from moderation.services import flags, queue
from tests.factories import make_answer, make_thread, make_user

from .conftest import PRIVILEGED
from .helpers import hold, serial_votes


def _flagger():
    return make_user(reputation=PRIVILEGED)


def _question(thread):
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                Post.kind == "question"))


def test_queue_groups_pending_flags_by_item_and_lists_held_items(app):
    moderator = make_user(role="moderator")
    answer = make_answer(make_thread())
    first, second = _flagger(), _flagger()
    flags.flag_post(first, answer.id, "spam")
    flags.flag_post(second, answer.id, "other", "This answer copies a vendor manual.")
    held = hold(make_answer(make_thread()))
    comment = comments.add_comment(answer.author, answer.id, "A comment to flag here")
    flags.flag_comment(first, comment.id, "offensive")
    result = queue.review_queue(moderator)
    assert result.items.total == 3
    kinds = [(item.kind, item.item.id) for item in result.items.items]
    assert kinds == [("post", answer.id), ("post", held.id), ("comment", comment.id)]
    assert [f.reason for f in result.items.items[0].flags] == ["spam", "other"]
    assert result.items.items[1].held and not result.items.items[1].flags
    assert result.flaggers[first.id].pending == 2
    assert queue.queue_size(moderator) == 3


def test_queue_drops_resolved_and_deleted_items(app):
    moderator = make_user(role="moderator")
    answer, other = make_answer(make_thread()), make_answer(make_thread())
    flag = flags.flag_post(_flagger(), answer.id, "spam")
    flags.flag_post(_flagger(), other.id, "spam")
    flags.resolve_flag(moderator, flag.id, "declined")
    queue.delete(moderator, "post", other.id)
    assert queue.review_queue(moderator).items.total == 0
    assert queue.queue_size(moderator) == 0


def test_moderators_decide_and_privileged_members_follow_the_queue(app):
    assert queue.queue_size(make_user(role="staff")) == 0
    assert queue.review_queue(make_user(role="moderator")).can_decide
    reviewer = make_user(reputation=PRIVILEGED)
    followed = queue.review_queue(reviewer)
    assert not followed.can_decide and followed.serial_votes == []
    assert queue.queue_size(reviewer) == 0
    with pytest.raises(PermissionDenied):
        queue.moderation_queue(reviewer)  # the API's queue is for moderators
    for user in (None, make_user(reputation=1999)):
        with pytest.raises(PermissionDenied):
            queue.review_queue(user)
        with pytest.raises(PermissionDenied):
            queue.queue_size(user)


def test_approve_a_held_question_publishes_thread_and_search(app):
    moderator = make_user(role="moderator")
    thread = make_thread(body="My quixotically configured router drops the connection.")
    question = hold(_question(thread))
    assert db.session.get(Thread, thread.id).hidden_reason == "held"
    assert _indexed("quixotically") == 0
    queue.approve(moderator, "post", question.id, "not spam")
    assert db.session.get(Thread, thread.id).is_listed
    assert db.session.get(Post, question.id).is_listed
    assert _indexed("quixotically") == 1
    row = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "approve"))
    assert (row.actor_id, row.before, row.reason) == (moderator.id, {"hidden_reason": "held"},
                                                     "not spam")
    with pytest.raises(Conflict):
        queue.approve(moderator, "post", question.id)


def _indexed(word) -> int:
    return search.backend().search(search.parse(word), sort="relevance", page=1,
                                   per_page=10).total


def test_approve_declines_open_flags_and_delete_accepts_them(app):
    moderator = make_user(role="moderator")
    kept, removed = make_answer(make_thread()), make_answer(make_thread())
    hold(kept)
    kept_flag = flags.flag_post(_flagger(), make_answer(make_thread()).id, "spam")
    flag = flags.flag_post(_flagger(), removed.id, "spam")
    queue.approve(moderator, "post", kept.id)
    queue.delete(moderator, "post", removed.id, "spam link")
    assert db.session.get(Flag, flag.id).status == "accepted"
    assert db.session.get(Flag, kept_flag.id).status == "pending"
    assert db.session.get(Post, removed.id).deleted_at is not None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "post")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["approve", "delete"]


def test_delete_a_held_comment(app):
    moderator = make_user(role="moderator")
    answer = make_answer(make_thread())
    comment = hold(comments.add_comment(answer.author, answer.id, "Visit my shop today"))
    queue.delete(moderator, "comment", comment.id, "spam")
    assert db.session.get(Comment, comment.id).deleted_at is not None
    row = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delete"))
    assert (row.target_type, row.target_id, row.reason) == ("comment", comment.id, "spam")


@pytest.mark.parametrize("kind, item_id, error", [
    ("thread", 1, ValidationError), ("post", "x", NotFound), ("post", 999999, NotFound),
])
def test_decisions_refuse_bad_targets(app, kind, item_id, error):
    with pytest.raises(error):
        queue.approve(make_user(role="moderator"), kind, item_id)


def test_decisions_are_for_moderators(app):
    answer = hold(make_answer(make_thread()))
    with pytest.raises(PermissionDenied):
        queue.approve(make_user(reputation=PRIVILEGED), "post", answer.id)
    with pytest.raises(PermissionDenied):
        queue.delete(answer.author, "post", answer.id)
    assert db.session.get(Post, answer.id).hidden_reason == "held"


def test_serial_voting_reports_are_listed_and_dismissed(app):
    moderator = make_user(role="moderator")
    voter, answer = make_user(), make_answer(make_thread())
    serial_votes(voter, answer.author, answer, count=3)
    [report] = queue.review_queue(moderator).serial_votes
    assert (report.voter.id, report.author.id, report.votes) == (voter.id, answer.author_id, 3)
    assert queue.queue_size(moderator) == 1
    assert queue.dismiss_serial_votes(moderator, voter.id, answer.author_id) == 3
    assert queue.review_queue(moderator).serial_votes == []
    assert db.session.scalar(select(SerialVote.reviewed_by_id)) == moderator.id
    with pytest.raises(NotFound):
        queue.dismiss_serial_votes(moderator, voter.id, answer.author_id)
