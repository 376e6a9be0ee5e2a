"""Asking, the thread page, answering and deleting."""

from forum.extensions import db
from forum.models import Post, Thread
from forum.services import threads, views
from tests.factories import make_answer, make_board, make_thread, make_user
from tests.web.helpers import csrf_token, fresh, sign_in, text


def _latest(model):
    db.session.rollback()
    return db.session.scalar(db.select(model).order_by(model.id.desc()))


QUESTION = "My router keeps rebooting whenever the fridge starts up, what can I do?"


# --- asking -------------------------------------------------------------------

def test_ask_question_redirects_to_the_new_thread(client):
    board = make_board("routers")
    sign_in(client, make_user(reputation=150))  # the tags are new
    form = client.get("/b/routers/ask")
    assert '<option value="routers" selected>' in text(form)
    response = client.post("/ask", data={
        "board": board.slug, "title": "Router reboots when the fridge starts",
        "body": QUESTION, "tags": "power, reboot wifi",
    })
    assert response.status_code == 302
    thread = _latest(Thread)
    assert response.headers["Location"] == f"/t/{thread.id}/router-reboots-when-the-fridge-starts"
    page = text(client.get(response.headers["Location"]))
    assert "Router reboots when the fridge starts" in page
    assert "fridge starts up" in page
    assert ">power<" in page and ">reboot<" in page and ">wifi<" in page


def test_ask_validation_failure_keeps_everything_typed(client):
    make_board("keep")
    sign_in(client, make_user())
    response = client.post("/ask", data={
        "board": "keep", "title": "Too short", "body": "Body text that is typed & kept <b>",
        "tags": "alpha beta",
    })
    assert response.status_code == 422
    page = text(response)
    assert "Title must be at least 10 characters." in page
    assert 'value="Too short"' in page
    assert "Body text that is typed &amp; kept &lt;b&gt;</textarea>" in page
    assert 'value="alpha beta"' in page
    assert '<option value="keep" selected>' in page


def test_ask_without_board_or_with_too_many_tags(client):
    make_board("choose")
    sign_in(client, make_user())
    data = {"board": "", "title": "A perfectly fine title", "body": QUESTION}
    response = client.post("/ask", data=data)
    assert response.status_code == 422 and "Choose a board." in text(response)
    data.update(board="choose", tags="a b c d e f")
    response = client.post("/ask", data=data)
    assert response.status_code == 422 and "Use at most 5 tags." in text(response)
    response = client.post("/ask", data={**data, "board": "no-such-board", "tags": ""})
    assert response.status_code == 422 and "No such board." in text(response)


def test_ask_needs_sign_in(client):
    make_board("anon")
    response = client.get("/b/anon/ask")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fb%2Fanon%2Fask"
    assert client.post("/ask", data={"board": "anon"}).headers["Location"].startswith("/login")
    sign_in(client, make_user())
    assert client.get("/b/no-such-board/ask").status_code == 404


def test_ask_needs_csrf_token(app, make_app):
    board = make_board("csrfask")
    user = make_user()
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(guarded, user, csrf_token=csrf_token(guarded.get("/login")))
    response = guarded.post("/ask", data={"board": board.slug, "title": "No token, no thread",
                                          "body": QUESTION})
    assert response.status_code == 400
    assert fresh(type(board), board.id).thread_count == 0

# --- the thread page ----------------------------------------------------------

def test_thread_address_without_or_with_wrong_slug_redirects_permanently(client):
    thread = make_thread(title="Canonical addresses matter a lot")
    canonical = f"/t/{thread.id}/canonical-addresses-matter-a-lot"
    for path in (f"/t/{thread.id}", f"/t/{thread.id}/wrong-slug"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"] == canonical
    assert client.get(canonical).status_code == 200


def test_thread_bad_ids_are_404(client):
    assert client.get("/t/999999").status_code == 404
    assert client.get("/t/abc").status_code == 404
    assert client.get("/t/99999999999999999999999/x").status_code == 404
    assert client.get("/p/99999999999999999999999").status_code == 404


def test_thread_page_counts_views_without_writing_per_view(client, web):
    thread = make_thread()
    url = f"/t/{thread.id}/{thread.slug}"
    client.get(url)
    client.get(url)
    client.get(f"/t/{thread.id}")  # a redirect is not a view
    assert fresh(Thread, thread.id).view_count == 0  # buffered
    with web.app_context():
        assert views.flush() == 2
    assert fresh(Thread, thread.id).view_count == 2


def test_buffered_views_are_written_once_the_flush_interval_passed(app, make_app):
    web = make_app(VIEW_FLUSH_SECONDS=0)
    thread = make_thread()
    web.test_client().get(f"/t/{thread.id}/{thread.slug}")
    assert fresh(Thread, thread.id).view_count == 1


def test_thread_page_for_anonymous_visitors(client):
    thread = make_thread()
    make_answer(thread)
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Sign in to answer" in page
    assert f'href="/login?next=/t/{thread.id}/{thread.slug}"' in page
    assert 'id="answer-form"' not in page


def test_deleted_thread_is_404(client):
    asker = make_user()
    thread = make_thread(asker)
    threads.delete_post(asker, thread.question.id)
    assert client.get(f"/t/{thread.id}/{thread.slug}").status_code == 404

# --- answering ----------------------------------------------------------------

def test_answer_is_posted_and_shown(client):
    thread = make_thread()
    sign_in(client, make_user())
    body = "Try a surge protector **first**."
    response = client.post(f"/t/{thread.id}/answer", data={"body": body})
    assert response.status_code == 302
    post = _latest(Post)
    assert response.headers["Location"] == f"/p/{post.id}"
    hop = client.get(response.headers["Location"])
    assert hop.headers["Location"] == f"/t/{thread.id}/{thread.slug}#post-{post.id}"
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Try a surge protector <strong>first</strong>." in page


def test_answer_validation_failure_keeps_the_text(client):
    thread = make_thread()
    sign_in(client, make_user())
    response = client.post(f"/t/{thread.id}/answer", data={"body": "too short <i>"})
    assert response.status_code == 422
    page = text(response)
    assert "Body must be at least 20 characters." in page
    assert "too short &lt;i&gt;</textarea>" in page


def test_answer_needs_sign_in(client):
    thread = make_thread()
    response = client.post(f"/t/{thread.id}/answer", data={"body": "x" * 30},
                           headers={"Referer": f"http://localhost/t/{thread.id}/{thread.slug}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Ft%2F{thread.id}%2F{thread.slug}"


def test_answer_needs_csrf_token(app, make_app):
    thread = make_thread()
    user = make_user()
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(guarded, user, csrf_token=csrf_token(guarded.get("/login")))
    response = guarded.post(f"/t/{thread.id}/answer", data={"body": "A long enough answer body."})
    assert response.status_code == 400
    assert fresh(Thread, thread.id).answer_count == 0

# --- deleting -----------------------------------------------------------------

def test_delete_answer(client):
    thread = make_thread()
    author = make_user()
    answer = make_answer(thread, author, body="This answer will be deleted soon.")
    sign_in(client, author)
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert f'action="/p/{answer.id}/delete"' in page
    response = client.post(f"/p/{answer.id}/delete")
    assert response.status_code == 302
    assert fresh(Post, answer.id).deleted_at is not None
    assert "This answer will be deleted soon." not in text(client.get(response.headers["Location"]))


def test_delete_question_goes_back_to_the_board(client):
    asker = make_user()
    thread = make_thread(asker, make_board("gone"))
    sign_in(client, asker)
    response = client.post(f"/p/{thread.question.id}/delete")
    assert response.headers["Location"] == "/b/gone"


def test_delete_someone_elses_post_is_403(client):
    answer = make_answer(make_thread())
    sign_in(client, make_user())
    assert client.post(f"/p/{answer.id}/delete").status_code == 403
