"""Community close and reopen votes: enough votes of one round act; moderators act at once."""
import pytest
from sqlalchemy import select

from forum.errors import Conflict, PermissionDenied, PrivilegeRequired, ValidationError
from forum.extensions import db
from forum.models import Thread
from moderation.models import AuditEntry, CloseVote
from moderation.services import close_votes
from moderation.services.thread_actions import moderate
from tests.factories import make_thread, make_user

from .conftest import suspend_now

VOTER = 500  # the close_reopen privilege


def _voters(n):
    return [make_user(reputation=VOTER) for _ in range(n)]


def test_three_votes_close_with_the_most_common_reason(app):
    thread = make_thread()
    a, b, c = _voters(3)
    assert close_votes.cast_vote(a, thread.id, "unclear").count == 1
    assert close_votes.cast_vote(b, thread.id, "off_topic").count == 2
    assert db.session.get(Thread, thread.id).closed_at is None
    state = close_votes.cast_vote(c, thread.id, "off_topic")
    thread = db.session.get(Thread, thread.id)
    assert thread.closed_at is not None and thread.close_reason == "off_topic"
    assert (state.kind, state.count) == ("reopen", 0) and thread.close_round == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "close"))
    assert entry.after["voters"] == [a.id, b.id, c.id] and entry.reason == "community vote"


def test_duplicate_votes_close_as_duplicate_of_the_named_thread(app):
    original, thread = make_thread(), make_thread()
    for voter in _voters(3):
        close_votes.cast_vote(voter, thread.id, "duplicate", original.id)
    thread = db.session.get(Thread, thread.id)
    assert (thread.close_reason, thread.duplicate_of_id) == ("duplicate", original.id)


def test_the_number_of_votes_is_configurable(make_app):
    app = make_app(CLOSE_VOTES=1)
    with app.app_context():
        thread = make_thread()
        close_votes.cast_vote(_voters(1)[0], thread.id, "unclear")
        assert db.session.get(Thread, thread.id).closed_at is not None


def test_a_moderator_vote_acts_at_once(app):
    thread = make_thread()
    close_votes.cast_vote(make_user(role="moderator"), thread.id, "resolved_elsewhere")
    assert db.session.get(Thread, thread.id).close_reason == "resolved_elsewhere"


def test_one_vote_per_user_per_round_and_a_new_round_after_reopening(app):
    thread = make_thread()
    voters = _voters(3)
    close_votes.cast_vote(voters[0], thread.id, "unclear")
    with pytest.raises(Conflict):
        close_votes.cast_vote(voters[0], thread.id, "unclear")
    for voter in voters[1:]:
        close_votes.cast_vote(voter, thread.id, "unclear")
    for voter in voters:  # now they vote to reopen: a different question
        close_votes.cast_vote(voter, thread.id)
    thread = db.session.get(Thread, thread.id)
    assert thread.closed_at is None and thread.close_round == 2
    # Round 2: the old close votes no longer count.
    assert close_votes.state(thread, voters[0]) == close_votes.CloseVoteState("close", 0, 3, False)
    close_votes.cast_vote(voters[0], thread.id, "unclear")
    assert db.session.scalar(select(db.func.count(CloseVote.id))) == 7


def test_a_moderator_reopening_starts_a_new_round(app):
    thread = make_thread()
    voter = _voters(1)[0]
    moderator = make_user(role="moderator")
    moderate(moderator, thread.id, "close", reason="unclear")
    close_votes.cast_vote(voter, thread.id)  # a reopen vote of round 1
    moderate(moderator, thread.id, "reopen")
    assert close_votes.state(db.session.get(Thread, thread.id), voter).count == 0


def test_close_votes_need_the_privilege_and_no_suspension(app):
    thread = make_thread()
    with pytest.raises(PrivilegeRequired):
        close_votes.cast_vote(make_user(reputation=499), thread.id, "unclear")
    with pytest.raises(PermissionDenied):
        close_votes.cast_vote(suspend_now(make_user(reputation=VOTER)), thread.id, "unclear")
    with pytest.raises(PermissionDenied):
        close_votes.cast_vote(None, thread.id, "unclear")
    assert db.session.scalar(select(db.func.count(CloseVote.id))) == 0


@pytest.mark.parametrize("reason, duplicate_of, field", [
    (None, None, "reason"), ("rude", None, "reason"), ("duplicate", None, "duplicate_of"),
    ("duplicate", "nope", "duplicate_of"),
])
def test_a_close_vote_needs_a_valid_reason(app, reason, duplicate_of, field):
    thread = make_thread()
    with pytest.raises(ValidationError) as caught:
        close_votes.cast_vote(_voters(1)[0], thread.id, reason, duplicate_of)
    assert field in caught.value.fields
    assert db.session.scalar(select(db.func.count(CloseVote.id))) == 0
