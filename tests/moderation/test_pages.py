"""The moderation pages: queue, log, flag forms, comment tools and the header count."""
from flask import g
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Comment, Post
from forum.services import comments
from forum.transactions import write_transaction
from moderation import audit
from moderation.models import Flag
from moderation.services import flags
from tests.factories import make_answer, make_thread, make_user
from tests.web.helpers import fresh, sign_in, text

from .conftest import PRIVILEGED
from .helpers import hold, serial_votes


def _flagger():
    return make_user(reputation=PRIVILEGED)


def _fill_queue(items: int):
    """`items` flagged answers (two flags each), a held one and a serial-voting report."""
    for n in range(items):
        answer = make_answer(make_thread(), body=f"Answer number {n} that somebody flagged.")
        flags.flag_post(_flagger(), answer.id, "spam")
        flags.flag_post(_flagger(), answer.id, "other", "Please look at this one closely.")
        comment = comments.add_comment(answer.author, answer.id, f"Comment {n} to flag")
        flags.flag_comment(_flagger(), comment.id, "offensive")
    held = hold(make_answer(make_thread(), body="Cheap watches at my shop, buy now."))
    serial_votes(make_user(), held.author, held)


def _queries(client, count_queries, path) -> tuple[int, str]:
    db.session.remove()
    g.pop("_login_user", None)  # the test shares the app context: load the user afresh
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count, text(response)


def test_queue_page_shows_flags_with_notes_and_records_in_fixed_queries(client, count_queries):
    moderator = make_user(role="moderator")
    sign_in(client, moderator)
    _fill_queue(1)
    few, page = _queries(client, count_queries, "/moderation")
    assert "Please look at this one closely." in page and "Held by spam screening" in page
    assert "0 accepted, 0 declined" in page and "Mark reviewed" in page
    assert 'class="count-badge">' in page and ">4</span></a>" in page.replace("\n", "")
    _fill_queue(12)
    many, page = _queries(client, count_queries, "/moderation")
    assert page.count('class="card queue-item"') == 28  # 13 answers, 13 comments, 2 held
    assert few == many, (few, many)
    assert many <= 12, many


def test_queue_page_is_for_moderators_and_read_only_for_privileged_members(client):
    assert client.get("/moderation").status_code == 302  # to sign in
    sign_in(client, make_user(reputation=1999))
    assert client.get("/moderation").status_code == 403
    assert "nav-review" not in text(client.get("/"))
    _fill_queue(1)
    sign_in(client, make_user(reputation=PRIVILEGED))
    page = text(client.get("/moderation"))
    assert "Please look at this one closely." in page and "nav-review" in page
    assert "moderators decide" in page
    for decision in ("Accept", "Approve", "Mark reviewed", "Audit log"):
        assert f">{decision}<" not in page, decision


def test_resolve_from_the_queue_and_bad_outcome_keeps_the_note(client):
    answer = make_answer(make_thread())
    flag = flags.flag_post(_flagger(), answer.id, "spam")
    sign_in(client, make_user(role="moderator"))
    response = client.post(f"/moderation/flags/{flag.id}/resolve",
                           data={"outcome": "maybe", "note": "my typed note"})
    assert response.status_code == 422
    assert 'value="my typed note"' in text(response)
    assert fresh(Flag, flag.id).status == "pending"
    response = client.post(f"/moderation/flags/{flag.id}/resolve",
                           data={"outcome": "declined", "note": "fine"})
    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    assert fresh(Flag, flag.id).status == "declined"


def test_approve_and_delete_held_items_from_the_queue(client):
    kept, removed = hold(make_answer(make_thread())), hold(make_answer(make_thread()))
    sign_in(client, make_user(role="moderator"))
    assert client.post(f"/moderation/post/{kept.id}/approve").status_code == 302
    assert client.post(f"/moderation/post/{removed.id}/delete",
                       data={"note": "spam"}).status_code == 302
    assert fresh(Post, kept.id).is_listed and fresh(Post, removed.id).deleted_at is not None
    assert client.post(f"/moderation/post/{kept.id}/approve").status_code == 409
    assert client.post("/moderation/thread/1/approve").status_code == 404


def _log(count: int):
    with write_transaction():
        for n in range(count):
            audit.record(None, "auto_hide", "post", n + 1, reason="flagged by users",
                         before={"hidden_reason": None}, after={"hidden_reason": "flagged"})


def test_log_page_filters_and_runs_fixed_queries(client, count_queries):
    moderator = make_user(role="moderator")
    sign_in(client, moderator)
    _log(2)
    few, page = _queries(client, count_queries, "/moderation/log")
    assert page.count("<code>auto_hide</code>") == 2 and "system" in page
    _log(60)
    many, page = _queries(client, count_queries, "/moderation/log")
    assert page.count("<code>auto_hide</code>") == 50
    assert few == many, (few, many)
    _count, page = _queries(client, count_queries, "/moderation/log?target_type=post&target_id=2")
    assert page.count("<code>auto_hide</code>") == 2
    _count, page = _queries(client, count_queries, "/moderation/log?actor=system&action=lock")
    assert "No entries match." in page


def test_log_page_says_what_is_wrong_with_a_filter(client):
    sign_in(client, make_user(role="moderator"))
    response = client.get("/moderation/log?target_type=planet&action=typed")
    assert response.status_code == 422
    assert 'value="typed"' in text(response)
    sign_in(client, make_user())
    assert client.get("/moderation/log").status_code == 403


def test_flag_buttons_on_thread_page_and_no_js_flag_form(client):
    answer = make_answer(make_thread())
    comment = comments.add_comment(answer.author, answer.id, "A comment someone will flag")
    thread = answer.thread
    user = _flagger()
    sign_in(client, user)
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert f'href="/p/{answer.id}/flag"' in page and f'href="/c/{comment.id}/flag"' in page
    assert page.count('class="flag-form"') == 1  # one form in a dialog for the page
    form = client.get(f"/p/{answer.id}/flag")
    assert form.status_code == 200 and 'name="reason"' in text(form)
    response = client.post(f"/p/{answer.id}/flag",
                           data={"reason": "other", "note": "", "duplicate_of": "kept text"})
    assert response.status_code == 422 and 'value="kept text"' in text(response)
    assert 'value="other" required checked' in text(response)
    response = client.post(f"/c/{comment.id}/flag", data={"reason": "spam"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{answer.id}?comment={comment.id}"
    assert client.post(f"/c/{comment.id}/flag", data={"reason": "spam"}).status_code == 409
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_no_flag_button_for_the_author_or_without_the_privilege(client):
    answer = make_answer(make_thread())
    sign_in(client, answer.author)
    thread = answer.thread
    assert f'href="/p/{answer.id}/flag"' not in text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert client.get(f"/p/{answer.id}/flag").status_code == 403


def test_moderator_edits_deletes_and_restores_a_comment_from_pages(client):
    answer = make_answer(make_thread())
    comment = comments.add_comment(answer.author, answer.id, "Original comment text")
    sign_in(client, make_user(role="moderator"))
    form = text(client.get(f"/c/{comment.id}/edit"))
    assert "Original comment text</textarea>" in form
    bad = client.post(f"/c/{comment.id}/edit", data={"body": "x", "reason": "typed reason"})
    assert bad.status_code == 422 and 'value="typed reason"' in text(bad)
    assert client.post(f"/c/{comment.id}/edit",
                       data={"body": "Cleaned comment text", "reason": "rude"}).status_code == 302
    page = text(client.get(f"/c/{comment.id}/edit"))
    assert "Earlier versions" in page and "Original comment text</pre>" in page
    assert client.post(f"/c/{comment.id}/delete").status_code == 302
    assert fresh(Comment, comment.id).deleted_at is not None
    thread = answer.thread
    assert f'action="/c/{comment.id}/restore"' in text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert client.post(f"/c/{comment.id}/restore").status_code == 302
    assert fresh(Comment, comment.id).deleted_at is None
