"""Flagging posts and comments, hiding by flags, resolving flags and flaggers' records."""
import pytest
from sqlalchemy import select

from forum import search
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import Post, Thread
from forum.services import comments, threads
from moderation.models import AuditEntry, Flag
from moderation.services import flags
from tests.factories import make_answer, make_thread, make_user

from .conftest import PRIVILEGED, suspend_now


def _flagger():
    return make_user(reputation=PRIVILEGED)


def _audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _indexed(word) -> int:
    return search.backend().search(search.parse(word), sort="relevance", page=1,
                                   per_page=10).total


def test_flag_post_records_a_pending_flag(app):
    answer = make_answer(make_thread())
    flag = flags.flag_post(_flagger(), answer.id, "spam", "  selling watches ")
    assert (flag.status, flag.reason, flag.note, flag.post_id) == ("pending", "spam",
                                                                  "selling watches", answer.id)
    assert db.session.get(Post, answer.id).hidden_at is None


def test_flag_twice_conflicts_and_keeps_one_flag(app):
    answer, user = make_answer(make_thread()), _flagger()
    flags.flag_post(user, answer.id, "spam")
    with pytest.raises(Conflict):
        flags.flag_post(user, answer.id, "offensive")
    assert db.session.scalar(select(db.func.count(Flag.id))) == 1


@pytest.mark.parametrize("reason, note, duplicate_of, field", [
    ("rude", "", None, "reason"),
    (None, "", None, "reason"),
    ("other", "", None, "note"),
    ("other", "short", None, "note"),
    ("spam", "x" * 501, None, "note"),
    ("duplicate", "", None, "duplicate_of"),
    ("duplicate", "", "not a link", "duplicate_of"),
    ("duplicate", "", 999999, "duplicate_of"),
    ("duplicate", "", 99999999999999, "duplicate_of"),
    ("duplicate", "", "²", "duplicate_of"),
    ("duplicate", "", ["1"], "duplicate_of"),
])
def test_flag_with_bad_input_is_refused_and_stores_nothing(app, reason, note, duplicate_of,
                                                          field):
    answer = make_answer(make_thread())
    with pytest.raises(ValidationError) as error:
        flags.flag_post(_flagger(), answer.id, reason, note, duplicate_of)
    assert field in error.value.fields
    assert db.session.scalar(select(db.func.count(Flag.id))) == 0


def test_duplicate_flag_takes_a_thread_link_or_id_but_not_its_own_thread(app):
    original, thread = make_thread(), make_thread()
    flag = flags.flag_post(_flagger(), _question(thread).id, "duplicate",
                           duplicate_of=f"http://x/t/{original.id}/some-slug")
    assert flag.duplicate_of_id == original.id
    assert flags.flag_post(_flagger(), _question(thread).id, "duplicate",
                           duplicate_of=str(original.id)).duplicate_of_id == original.id
    with pytest.raises(ValidationError):
        flags.flag_post(_flagger(), _question(thread).id, "duplicate", duplicate_of=thread.id)


def _question(thread):
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                Post.kind == "question"))


def test_own_post_and_missing_privilege_are_refused(app):
    author = make_user(reputation=PRIVILEGED)
    answer = make_answer(make_thread(), author)
    with pytest.raises(PermissionDenied):
        flags.flag_post(author, answer.id, "spam")
    with pytest.raises(PermissionDenied) as error:
        flags.flag_post(make_user(), answer.id, "spam")
    assert error.value.code == "privilege_required"
    with pytest.raises(PermissionDenied) as error:
        flags.flag_post(suspend_now(_flagger()), answer.id, "spam")
    assert error.value.code == "suspended"
    with pytest.raises(NotFound):
        flags.flag_post(_flagger(), 999999, "spam")


@pytest.fixture
def hide_at_one(make_app):
    """An app where one flag hides an item."""
    with make_app(FLAGS_TO_HIDE=1).app_context() as context:
        yield context


@pytest.fixture
def hide_at_two(make_app):
    with make_app(FLAGS_TO_HIDE=2).app_context() as context:
        yield context


def test_threshold_of_distinct_flaggers_hides_the_question_and_its_thread(hide_at_two):
    thread = make_thread(body="A question about the zanzibarian widget that keeps blinking.")
    question = _question(thread)
    assert _indexed("zanzibarian") == 1
    flags.flag_post(_flagger(), question.id, "off_topic")
    assert db.session.get(Post, question.id).hidden_at is None
    flags.flag_post(_flagger(), question.id, "spam")
    assert db.session.get(Post, question.id).hidden_reason == "flagged"
    assert db.session.get(Thread, thread.id).hidden_reason == "flagged"
    [row] = _audit("auto_hide")
    assert (row.actor_id, row.target_type, row.target_id) == (None, "post", question.id)
    assert _indexed("zanzibarian") == 0
    with pytest.raises(NotFound):
        threads.get_thread(thread.id, make_user())


def test_one_spam_flag_from_a_moderator_hides_at_once(app):
    answer = make_answer(make_thread())
    flags.flag_post(make_user(role="moderator"), answer.id, "spam")
    assert db.session.get(Post, answer.id).hidden_reason == "flagged"
    other = make_answer(make_thread())
    flags.flag_post(make_user(role="moderator"), other.id, "off_topic")
    assert db.session.get(Post, other.id).hidden_at is None


def test_flag_comment_and_hide_it(hide_at_one):
    answer = make_answer(make_thread())
    comment = comments.add_comment(answer.author, answer.id, "Buy cheap watches here")
    flag = flags.flag_comment(_flagger(), comment.id, "spam")
    assert flag.comment_id == comment.id and flag.post_id is None
    assert comment.hidden_reason == "flagged"
    with pytest.raises(PermissionDenied):
        flags.flag_comment(comment.author, comment.id, "spam")


def _flagged_answer():
    answer = make_answer(make_thread())
    moderator = make_user(role="moderator")
    flag = flags.flag_post(_flagger(), answer.id, "spam")
    return answer, moderator, flag


def test_decline_the_last_flag_shows_the_item_again(hide_at_one):
    answer, moderator, flag = _flagged_answer()
    assert answer.hidden_reason == "flagged"
    resolved = flags.resolve_flag(moderator, flag.id, "declined", "looks fine")
    assert (resolved.status, resolved.open_key, resolved.resolution_note) == (
        "declined", None, "looks fine")
    assert db.session.get(Post, answer.id).hidden_at is None
    [row] = _audit("flag_declined")
    assert row.actor_id == moderator.id and row.before["hidden_reason"] == "flagged"
    assert row.after == {"status": "declined", "hidden_reason": None}


def test_accept_keeps_the_item_hidden_and_hides_an_unhidden_one(app):
    answer, moderator, flag = _flagged_answer()
    assert answer.hidden_at is None  # one flag of three
    flags.resolve_flag(moderator, flag.id, "accepted")
    assert db.session.get(Post, answer.id).hidden_reason == "flagged"
    with pytest.raises(Conflict):
        flags.resolve_flag(moderator, flag.id, "declined")
    assert db.session.get(Flag, flag.id).status == "accepted"


def test_resolve_refuses_non_moderators_and_bad_outcomes(app):
    _answer, moderator, flag = _flagged_answer()
    with pytest.raises(PermissionDenied):
        flags.resolve_flag(_flagger(), flag.id, "accepted")
    with pytest.raises(ValidationError):
        flags.resolve_flag(moderator, flag.id, "maybe")
    with pytest.raises(NotFound):
        flags.resolve_flag(moderator, 999999, "accepted")
    assert db.session.get(Flag, flag.id).status == "pending"


def test_flag_history_counts_outcomes_and_lists_recent_flags(app):
    user, moderator = _flagger(), make_user(role="moderator")
    made = [flags.flag_post(user, make_answer(make_thread()).id, "spam") for _ in range(3)]
    flags.resolve_flag(moderator, made[0].id, "accepted")
    flags.resolve_flag(moderator, made[1].id, "declined")
    history = flags.flag_history(user)
    assert (history.counts.accepted, history.counts.declined, history.counts.pending) == (1, 1, 1)
    assert [f.id for f in history.recent] == [f.id for f in reversed(made)]
    assert flags.flag_history(make_user()).counts == flags.FlagCounts()
