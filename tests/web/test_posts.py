"""Editing posts, their history with diffs, and the Markdown preview."""
from forum.models import Post, Thread
from forum.services import threads
from tests.factories import make_answer, make_thread, make_user
from tests.web.helpers import csrf_token, fresh, sign_in, text

ORIGINAL = "Line one stays.\nLine two will change.\nLine three stays."


def test_edit_form_is_filled_in(client):
    author = make_user()
    thread = make_thread(author, title="An editable question title", body=ORIGINAL)
    sign_in(client, author)
    page = text(client.get(f"/p/{thread.question.id}/edit"))
    assert 'value="An editable question title"' in page
    assert "Line two will change.\nLine three stays.</textarea>" in page


def test_edit_saves_and_history_shows_the_diff(client):
    author = make_user()
    thread = make_thread(author, title="An editable question title", body=ORIGINAL)
    question_id = thread.question.id
    sign_in(client, author)
    new_body = "Line one stays.\nLine two <script>changed</script>.\nLine three stays."
    response = client.post(f"/p/{question_id}/edit", data={
        "title": "A better question title", "body": new_body, "edit_summary": "clarified step two",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{question_id}"
    assert fresh(Thread, thread.id).title == "A better question title"
    page = text(client.get(f"/t/{thread.id}/a-better-question-title"))
    assert f'href="/p/{question_id}/revisions"' in page
    history = text(client.get(f"/p/{question_id}/revisions"))
    assert "clarified step two" in history
    assert "Version 2" in history and "Version 1" in history
    assert '<del class="diff-line diff-del"><span class="diff-op" aria-hidden="true">−</span>' \
           "Line two will change.</del>" in history
    assert "Line two &lt;script&gt;changed&lt;/script&gt;.</ins>" in history
    assert "<script>changed" not in history
    assert "An editable question title</del>" in history
    assert "A better question title</ins>" in history


def test_edit_validation_failure_keeps_what_was_typed(client):
    author = make_user()
    answer = make_answer(make_thread(), author)
    sign_in(client, author)
    response = client.post(f"/p/{answer.id}/edit", data={"body": "short", "edit_summary": "oops"})
    assert response.status_code == 422
    page = text(response)
    assert ">short</textarea>" in page and 'value="oops"' in page
    assert "Body must be at least 20 characters." in page
    assert fresh(Post, answer.id).body != "short"


def test_edit_of_someone_elses_post_is_forbidden(client):
    answer = make_answer(make_thread())
    sign_in(client, make_user())
    assert client.get(f"/p/{answer.id}/edit").status_code == 403
    response = client.post(f"/p/{answer.id}/edit", data={"body": "x" * 40})
    assert response.status_code == 403


def test_edit_needs_sign_in(client):
    answer = make_answer(make_thread())
    response = client.get(f"/p/{answer.id}/edit")
    assert response.headers["Location"] == f"/login?next=%2Fp%2F{answer.id}%2Fedit"


def test_edit_needs_csrf_token(app, make_app):
    author = make_user()
    answer = make_answer(make_thread(), author)
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    sign_in(guarded, author, csrf_token=csrf_token(guarded.get("/login")))
    response = guarded.post(f"/p/{answer.id}/edit", data={"body": "A replaced body that is long."})
    assert response.status_code == 400
    assert fresh(Post, answer.id).edited_at is None


def test_history_of_an_unedited_post(client):
    answer = make_answer(make_thread(), body="Only one version of this answer.")
    page = text(client.get(f"/p/{answer.id}/revisions"))
    assert "Only one version of this answer." in page and "original" in page


def test_history_shows_answer_edits_by_moderators(client):
    answer = make_answer(make_thread(), body="First text of the answer body.")
    moderator = make_user(role="moderator")
    threads.edit_post(moderator, answer.id, "Second text of the answer body.", None, "tidied")
    page = text(client.get(f"/p/{answer.id}/revisions"))
    assert moderator.username in page and "tidied" in page


def test_preview_renders_sanitised_markdown(client):
    response = client.post("/preview", data={"body": "**bold** <script>alert(1)</script>"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>bold</strong>" in html and "<script>" not in html
    empty = client.post("/preview", data={"body": ""}, headers={"Accept": "application/json"})
    assert empty.get_json() == {"html": ""}
    too_long = client.post("/preview", data={"body": "x" * 30_001},
                           headers={"Accept": "application/json"})
    assert too_long.status_code == 422
    assert too_long.get_json()["error"]["code"] == "validation_failed"
