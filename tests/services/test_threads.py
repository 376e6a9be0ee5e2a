import pytest
from sqlalchemy import func, select

from forum.errors import NotFound, PermissionDenied, PrivilegeRequired, ValidationError
from forum.extensions import db
from forum.models import Board, Post, PostRevision, Tag, Thread
from forum.services import boards, threads, views
from tests.factories import make_answer, make_board, make_tags, make_thread, make_user
from tests.html_safety import unsafe_parts


def _reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# --- asking -------------------------------------------------------------------------

def test_ask_creates_thread_question_revision_and_counters(app):
    board = make_board()
    author = make_user(reputation=150)  # creating tags is a privilege
    thread = threads.ask_question(
        author, board.slug, "Router reboots at night?!", "It reboots every night at 3 am sharp.",
        "wifi, Firmware wifi",
    )
    assert thread.slug == "router-reboots-at-night"
    assert [t.name for t in thread.tags] == ["firmware", "wifi"]
    assert thread.question.body_html.startswith("<p>It reboots")
    assert _reload(board).thread_count == 1
    assert _reload(board).last_thread_id == thread.id
    assert db.session.scalar(select(Tag.thread_count).where(Tag.name == "wifi")) == 1
    assert db.session.scalar(select(func.count(PostRevision.id))) == 1


@pytest.mark.parametrize("title,body,tags,field", [
    ("short", "A body that is long enough to pass.", None, "title"),
    ("x" * 151, "A body that is long enough to pass.", None, "title"),
    ("A fine title for a question", "too short", None, "body"),
    ("A fine title for a question", "x" * 30_001, None, "body"),
    ("A fine title for a question", None, None, "body"),
    (12345678901, "A body that is long enough to pass.", None, "title"),
    ("A fine title for a question", "A body that is long enough to pass.", "a b c d e f", "tags"),
    ("A fine title for a question", "A body that is long enough to pass.", ["<script>"], "tags"),
    ("A fine title for a question", "A body that is long enough to pass.", [1, 2], "tags"),
    ("A fine title\x00 for a question", "A body that is long enough to pass.", None, "title"),
    ("A fine title \ud800 for a question", "A body that is long enough to pass.", None, "title"),
])
def test_ask_invalid_input_refused_and_nothing_saved(app, title, body, tags, field):
    board = make_board()
    with pytest.raises(ValidationError) as error:
        threads.ask_question(make_user(), board.slug, title, body, tags)
    assert field in error.value.fields
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    assert _reload(board).thread_count == 0


def test_new_tags_need_the_create_tags_privilege(app):
    board = make_board()
    make_tags("wifi")
    newcomer = make_user()
    thread = threads.ask_question(newcomer, board.slug, "Existing tags are free to use",
                                  "Anyone may use a tag that exists already.", ["wifi"])
    assert [t.name for t in thread.tags] == ["wifi"]
    with pytest.raises(PrivilegeRequired) as refused:
        threads.ask_question(newcomer, board.slug, "A brand new tag is a privilege",
                             "Creating tags needs 150 reputation.", ["wifi", "mesh", "x9"])
    error = refused.value
    assert error.fields["privilege"] == "create_tags" and error.fields["threshold"] == "150"
    assert error.fields["tags"] == "new tags: mesh, x9"
    assert "mesh, x9" in str(error.message)
    assert db.session.scalar(select(func.count(Tag.id))) == 1
    assert db.session.scalar(select(func.count(Thread.id))) == 1
    threads.ask_question(make_user(reputation=150), board.slug, "A trusted user adds tags",
                         "With 150 reputation the tags are created.", ["mesh"])
    assert db.session.scalar(select(func.count(Tag.id))) == 2


def test_create_tags_service(app):
    from forum.services import tags

    with pytest.raises(PrivilegeRequired):
        tags.create_tags(make_user(), ["alpha"])
    made = tags.create_tags(make_user(role="staff"), "alpha beta gamma delta epsilon zeta")
    assert [t.name for t in made] == ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    assert [t.id for t in tags.create_tags(make_user(reputation=150), ["alpha"])] == [made[0].id]


def test_ask_unknown_board_not_found(app):
    with pytest.raises(NotFound):
        threads.ask_question(make_user(), "nope", "A fine title for a question", "x" * 30)


def test_ask_anonymous_refused(app):
    board = make_board()
    with pytest.raises(PermissionDenied):
        threads.ask_question(None, board.slug, "A fine title for a question", "x" * 30)


def test_ask_body_is_sanitised(app):
    thread = make_thread(body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>')
    assert unsafe_parts(thread.question.body_html) == []


# --- answering ----------------------------------------------------------------------

def test_answer_updates_counters_and_activity(app):
    thread = make_thread()
    answerer = make_user()
    answer = make_answer(thread, answerer)
    thread = _reload(thread)
    assert thread.answer_count == 1
    assert thread.last_activity_user_id == answerer.id
    assert thread.last_activity_at >= answer.created_at


def test_an_answer_comes_back_as_written_without_reading_it_again(app, count_queries):
    thread = make_thread()
    answerer = make_user()
    answer = threads.post_answer(answerer, thread.id, "Swap the power supply; it fixed mine.")
    with count_queries() as counter:
        shown = (answer.id, answer.body_html, answer.score, answer.is_staff_answer,
                 answer.author.username, answer.thread.answer_count,
                 answer.thread.last_activity_user_id, answer.thread.accepted_answer_id)
    assert counter.count == 0, counter.statements
    assert shown[1:] == ("<p>Swap the power supply; it fixed mine.</p>\n", 0, False,
                         answerer.username, 1, answerer.id, None)
    fresh = _reload(answer)  # and what it shows is what was stored
    assert (fresh.body_html, fresh.thread.answer_count) == (shown[1], shown[5])


@pytest.mark.parametrize("state", ["is_locked", "closed_at", "deleted_at"])
def test_answer_on_locked_closed_or_deleted_thread_refused(app, state):
    thread = make_thread()
    setattr(thread, state, True if state == "is_locked" else db.func.now())
    db.session.commit()
    with pytest.raises((PermissionDenied, NotFound)):
        make_answer(thread)


# --- editing and revisions ----------------------------------------------------------

def test_author_edit_keeps_revisions(app):
    author = make_user()
    thread = make_thread(author)
    question = thread.question
    threads.edit_post(author, question.id, "A clearer body for the same question.",
                      "A clearer title for the question", "clarify")
    threads.edit_post(author, question.id, "An even clearer body for the question.")
    revs = threads.revisions(question.id, None)
    assert [r.number for r in revs] == [1, 2, 3]
    assert revs[0].body.startswith("I have problem")
    assert revs[1].summary == "clarify" and revs[1].title == "A clearer title for the question"
    thread = _reload(thread)
    assert thread.title == "A clearer title for the question"
    assert thread.slug == "a-clearer-title-for-the-question"
    assert thread.question.edited_by_id == author.id


def test_edit_without_change_adds_no_revision(app):
    author = make_user()
    answer = make_answer(make_thread(), author)
    threads.edit_post(author, answer.id, answer.body)
    assert len(threads.revisions(answer.id, None)) == 1


def test_edit_by_other_user_refused_moderator_allowed(app):
    answer = make_answer(make_thread())
    with pytest.raises(PermissionDenied):
        threads.edit_post(make_user(), answer.id, "Someone else's words here, longer.")
    threads.edit_post(make_user(role="moderator"), answer.id, "A moderator's fix of the text.")
    assert _reload(answer).body == "A moderator's fix of the text."


def test_edit_title_on_answer_refused(app):
    author = make_user()
    answer = make_answer(make_thread(), author)
    with pytest.raises(ValidationError):
        threads.edit_post(author, answer.id, "New body long enough here.", "A new title here")


# --- accepting ----------------------------------------------------------------------

def test_accept_toggles_and_moves_reputation(app):
    asker = make_user()
    thread = make_thread(asker)
    first, second = make_answer(thread), make_answer(thread)
    threads.accept_answer(asker, thread.id, first.id)
    assert _reload(first.author).reputation == 16 and _reload(asker).reputation == 3
    threads.accept_answer(asker, thread.id, second.id)
    assert _reload(first.author).reputation == 1
    assert _reload(second.author).reputation == 16
    assert _reload(asker).reputation == 3
    threads.accept_answer(asker, thread.id, None)
    assert _reload(thread).accepted_answer_id is None
    assert _reload(second.author).reputation == 1 and _reload(asker).reputation == 1


def test_accept_same_answer_twice_is_idempotent(app):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    threads.accept_answer(asker, thread.id, answer.id)
    threads.accept_answer(asker, thread.id, answer.id)
    assert _reload(answer.author).reputation == 16


def test_accept_own_answer_earns_nothing(app):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread, asker)
    threads.accept_answer(asker, thread.id, answer.id)
    assert _reload(thread).accepted_answer_id == answer.id
    assert _reload(asker).reputation == 1


def test_accept_by_staff_allowed_by_others_refused(app):
    thread = make_thread()
    answer = make_answer(thread)
    with pytest.raises(PermissionDenied):
        threads.accept_answer(make_user(), thread.id, answer.id)
    with pytest.raises(PermissionDenied):
        threads.accept_answer(answer.author, thread.id, answer.id)
    threads.accept_answer(make_user(role="staff"), thread.id, answer.id)
    assert _reload(thread).accepted_answer_id == answer.id


@pytest.mark.parametrize("bad", ["question", "other-thread", 999999, "abc", True])
def test_accept_answer_not_in_thread_refused(app, bad):
    asker = make_user()
    thread = make_thread(asker)
    other = make_answer(make_thread())
    answer_id = {"question": thread.question.id, "other-thread": other.id}.get(bad, bad)
    with pytest.raises((NotFound, ValidationError)):
        threads.accept_answer(asker, thread.id, answer_id)
    assert _reload(thread).accepted_answer_id is None


def test_accepted_answer_listed_first(app):
    asker = make_user()
    thread = make_thread(asker)
    answers = [make_answer(thread) for _ in range(3)]
    threads.accept_answer(asker, thread.id, answers[2].id)
    page = threads.thread_page(thread.id, None)
    assert [a.id for a in page.answers] == [answers[2].id, answers[0].id, answers[1].id]


# --- deleting -----------------------------------------------------------------------

def test_author_cannot_delete_question_with_answers(app):
    author = make_user()
    thread = make_thread(author)
    make_answer(thread)
    with pytest.raises(PermissionDenied):
        threads.delete_post(author, thread.question.id)


def test_delete_question_soft_deletes_thread(app):
    author = make_user()
    thread = make_thread(author)
    threads.delete_post(author, thread.question.id)
    thread = _reload(thread)
    assert thread.deleted_at is not None
    assert db.session.get(Post, thread.question.id) is not None
    assert db.session.get(Board, thread.board_id).thread_count == 0
    with pytest.raises(NotFound):
        threads.thread_page(thread.id, author)
    assert threads.thread_page(thread.id, make_user(role="moderator")).thread.id == thread.id
    assert boards.list_threads(thread.board).total == 0


def test_delete_accepted_answer_by_moderator_unaccepts(app):
    asker = make_user()
    thread = make_thread(asker)
    answer = make_answer(thread)
    threads.accept_answer(asker, thread.id, answer.id)
    with pytest.raises(PermissionDenied):
        threads.delete_post(answer.author, answer.id)
    threads.delete_post(make_user(role="moderator"), answer.id)
    thread = _reload(thread)
    assert thread.accepted_answer_id is None and thread.answer_count == 0
    assert _reload(answer.author).reputation == 1
    assert threads.thread_page(thread.id, None).answers == []


# --- reading ------------------------------------------------------------------------

@pytest.mark.parametrize("bad_id", ["abc", None, -1, 10**30, "1; DROP TABLE users"])
def test_unknown_thread_ids_are_not_found(app, bad_id):
    with pytest.raises(NotFound):
        threads.get_thread(bad_id, None)


def test_views_are_buffered_and_flushed_in_one_write(app, count_queries):
    first, second = make_thread(), make_thread()
    for thread in (first, second, first):
        views.record(thread.id)
    assert _reload(first).view_count == 0
    with count_queries() as queries:
        assert views.flush() == 3
    assert queries.count == 1
    assert (_reload(first).view_count, _reload(second).view_count) == (2, 1)
    assert views.flush() == 0


def test_views_survive_a_failed_flush(app, monkeypatch):
    thread = make_thread()
    views.record(thread.id)
    monkeypatch.setattr(views, "write_transaction", _failing_transaction)
    with pytest.raises(RuntimeError):
        views.flush()
    monkeypatch.undo()
    assert views.flush() == 1 and _reload(thread).view_count == 1


def _failing_transaction():
    raise RuntimeError("database is down")


def test_board_thread_sorts_and_tag_filter(app):
    board = make_board()
    old = make_thread(board=board, tags=["wifi"])
    new = make_thread(board=board)
    make_answer(old)
    assert [t.id for t in boards.list_threads(board, sort="newest").items] == [new.id, old.id]
    assert [t.id for t in boards.list_threads(board, sort="active").items] == [old.id, new.id]
    assert [t.id for t in boards.list_threads(board, sort="unanswered").items] == [new.id]
    assert [t.id for t in boards.list_threads(board, tag="wifi").items] == [old.id]
    with pytest.raises(ValidationError):
        boards.list_threads(board, sort="bogus")


@pytest.mark.parametrize("slug", ["x\x00y", "\ud800", "a" * 65, 7])
def test_unusable_board_slugs_not_found(app, slug):
    with pytest.raises(NotFound):
        boards.get_board(slug)


def test_unusable_tag_filter_matches_nothing(app):
    board = make_board()
    make_thread(board=board, tags=["wifi"])
    assert boards.list_threads(board, tag="wi\x00fi").total == 0
