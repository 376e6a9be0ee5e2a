"""The knowledge-base pages: reading, drafts, redirects, feedback, staff writing and workflow."""
import pytest

from forum import visitors
from forum.extensions import db
from forum.models import Article, ArticleFeedback
from forum.services import kb
from tests.factories import make_article, make_board, make_user
from tests.web.helpers import csrf_token, fresh, sign_in, text

BODY = "## First step\n\nUnplug it.\n\n## Second step\n\nPlug it back in after ten seconds."


@pytest.fixture
def staff(app):
    return make_user("kbstaff", role="staff")


# --- reading ------------------------------------------------------------------------------

def test_home_faq_and_board_pages(client, staff):
    board = make_board("routers", "Routers")
    make_article(staff, board, title="Reset the router safely")
    make_article(staff, board, kind="faq", title="Is the router waterproof?",
                 body="No. Keep it dry, please.")
    make_article(staff, board, title="A draft nobody sees yet", publish=False)
    home = text(client.get("/kb"))
    assert "Reset the router safely" in home and "Routers" in home
    assert "A draft nobody sees yet" not in home
    faq = text(client.get("/kb/faq"))
    assert '<details class="faq-item"' in faq and "<summary>Is the router waterproof?</summary>" in faq
    assert "Keep it dry" in faq
    listing = text(client.get("/kb/b/routers?kind=faq"))
    assert "Is the router waterproof?" in listing and "Reset the router safely" not in listing
    assert client.get("/kb/b/routers?kind=video").status_code == 404
    assert client.get("/kb/b/nope").status_code == 404


def test_article_page_has_contents_and_attribution_free_meta(client, staff):
    article = make_article(staff, title="Reset the router safely", body=BODY)
    page = text(client.get(f"/kb/{article.slug}"))
    assert '<h2 id="section-first-step">First step</h2>' in page
    assert '<a href="#section-second-step">Second step</a>' in page
    assert "Was this article helpful?" in page
    assert "Staff tools" not in page and "Yes: 0" not in page  # counters are for staff


@pytest.mark.parametrize("role", [None, "user", "moderator"])
def test_draft_is_404_for_readers(client, staff, role):
    draft = make_article(staff, publish=False)
    if role:
        sign_in(client, make_user(role=role))
    assert client.get(f"/kb/{draft.slug}").status_code == 404


def test_staff_see_draft_with_tools_and_counters(client, staff):
    draft = make_article(staff, publish=False, body=BODY)
    sign_in(client, staff)
    page = text(client.get(f"/kb/{draft.slug}"))
    assert "This is a draft" in page and "Publish" in page
    assert "Was this article helpful?" not in page  # drafts take no feedback


def test_old_slug_redirects_permanently(client, staff):
    article = make_article(staff, title="Reset the router safely")
    kb.edit_article(staff, article.slug, "Reset the X200 router safely", article.body)
    response = client.get("/kb/reset-the-router-safely")
    assert response.status_code == 301
    assert response.headers["Location"] == "/kb/reset-the-x200-router-safely"


def test_archived_article_is_retired_for_readers(client, staff):
    old = make_article(staff, title="Old reset instructions")
    new = make_article(staff, title="New reset instructions")
    kb.archive_article(staff, old.slug, new.slug)
    response = client.get(f"/kb/{old.slug}")
    assert response.status_code == 410
    assert "This article was retired" in text(response)
    assert f'href="/kb/{new.slug}"' in text(response)
    sign_in(client, staff)
    staff_view = client.get(f"/kb/{old.slug}")
    assert staff_view.status_code == 200 and "This article is archived" in text(staff_view)


@pytest.mark.parametrize("path", ["/kb/%00", "/kb/" + "x" * 500, "/kb/b/%00", "/kb/b/x?page=0",
                                  "/kb/%F0%9F%92%A9", "/kb/x/history"])
def test_odd_addresses_are_clean_4xx(client, path):
    make_board("x")
    assert client.get(path).status_code in (302, 404)


# --- feedback -------------------------------------------------------------------------------

def test_anonymous_feedback_sets_signed_cookie_and_counts_once(client, staff):
    article = make_article(staff)
    response = client.post(f"/kb/{article.slug}/feedback", data={"helpful": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kb/{article.slug}#feedback")
    assert visitors.COOKIE in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "yes"})
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "no", "comment": "Unclear."})
    row = fresh(Article, article.id)
    assert (row.helpful_yes, row.helpful_no) == (0, 1)
    page = text(client.get(f"/kb/{article.slug}"))
    assert "You answered “no”" in page and "Unclear." in page


def test_tampered_cookie_is_a_new_browser(client, staff):
    article = make_article(staff)
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "yes"})
    client.set_cookie(visitors.COOKIE, "forged-value")
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "yes"})
    assert fresh(Article, article.id).helpful_yes == 2


def test_signed_in_feedback_and_bad_input(client, staff):
    article = make_article(staff)
    sign_in(client, make_user())
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "maybe"})
    response = client.post(f"/kb/{article.slug}/feedback",
                           data={"helpful": "yes", "comment": "Nice"}, follow_redirects=True)
    assert "A comment goes with a “no”" in text(response)
    assert (fresh(Article, article.id).helpful_yes, fresh(Article, article.id).helpful_no) == (0, 0)
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "yes"})
    assert fresh(Article, article.id).helpful_yes == 1
    assert client.post("/kb/nope/feedback", data={"helpful": "yes"}).status_code == 404


def test_feedback_report_for_staff_only(client, staff):
    article = make_article(staff, title="Reset the router safely")
    reader = make_user()
    sign_in(client, reader)
    client.post(f"/kb/{article.slug}/feedback", data={"helpful": "no", "comment": "Step 2 fails"})
    assert client.get("/kb/feedback").status_code == 403
    sign_in(client, staff)
    page = text(client.get("/kb/feedback"))
    assert "Reset the router safely" in page and "Step 2 fails" in page
    assert client.get("/kb/feedback?sort=most_helpful").status_code == 200
    assert client.get("/kb/feedback?sort=bogus").status_code == 422


# --- staff writing ----------------------------------------------------------------------------

def test_non_staff_cannot_open_the_editor(client, staff):
    article = make_article(staff)
    assert client.get("/kb/new").status_code == 302  # anonymous: sign in first
    sign_in(client, make_user())
    for path in ("/kb/new", f"/kb/{article.slug}/edit", f"/kb/{article.slug}/history"):
        assert client.get(path).status_code == 403, path
    response = client.post("/kb/new", data={"title": "A proper title here", "body": BODY,
                                            "board": article.board.slug})
    assert response.status_code == 403
    assert client.post(f"/kb/{article.slug}/archive").status_code == 403
    assert fresh(Article, article.id).status == "published"


def test_staff_write_publish_edit_restore_archive(client, staff):
    board = make_board("plugs")
    sign_in(client, staff)
    assert '<option value="plugs" selected>' in text(client.get("/kb/new?board=plugs"))
    response = client.post("/kb/new", data={
        "title": "Pair the P2 smart plug", "body": BODY, "board": "plugs", "kind": "tutorial",
        "role": "admin", "status": "published",  # ignored
    })
    assert response.status_code == 302 and response.headers["Location"] == "/kb/pair-the-p2-smart-plug"
    db.session.rollback()
    article = kb.find_article("pair-the-p2-smart-plug")[0]
    assert (article.status, article.kind, article.board_id) == ("draft", "tutorial", board.id)
    client.post("/kb/pair-the-p2-smart-plug/publish")
    assert fresh(Article, article.id).published_at is not None
    client.post("/kb/pair-the-p2-smart-plug/edit", data={
        "title": "Pair the P2 smart plug quickly", "body": BODY + "\n\nDone.", "board": "plugs",
        "kind": "tutorial", "summary": "Shorter"})
    history = text(client.get("/kb/pair-the-p2-smart-plug-quickly/history"))
    assert "Shorter" in history and "Restore this version" in history
    assert 'class="diff-line diff-ins"' in history
    client.post("/kb/pair-the-p2-smart-plug-quickly/revisions/1/restore")
    article = fresh(Article, article.id)
    assert (article.title, article.revision_count) == ("Pair the P2 smart plug", 3)
    client.post(f"/kb/{article.slug}/archive", data={"replacement": "/kb/nothing-here"})
    assert fresh(Article, article.id).status == "published"  # bad replacement: nothing done
    client.post(f"/kb/{article.slug}/archive", data={"replacement": ""})
    assert fresh(Article, article.id).status == "archived"


def test_failed_save_keeps_what_was_typed(client, staff):
    article = make_article(staff)
    sign_in(client, staff)
    response = client.post(f"/kb/{article.slug}/edit", data={
        "title": "short", "body": "My carefully typed new text here.", "board": article.board.slug,
        "kind": "article"})
    assert response.status_code == 422
    page = text(response)
    assert "My carefully typed new text here." in page and 'aria-invalid="true"' in page
    response = client.post("/kb/new", data={"title": "A proper title here", "body": BODY,
                                            "board": "no-such-board"})
    assert response.status_code == 422 and "No such product area." in text(response)


def test_preview_renders_like_saving(client, staff):
    sign_in(client, staff)
    video = "https://youtu.be/dQw4w9WgXcQ"
    html = client.post("/kb/preview", data={"body": video, "kind": "tutorial"}).get_json()["html"]
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    html = client.post("/kb/preview", data={"body": video, "kind": "faq"}).get_json()["html"]
    assert "<iframe" not in html
    sign_in(client, make_user())
    assert client.post("/kb/preview", data={"body": "x"}).status_code == 403


def test_edit_page_uses_kb_preview(client, staff):
    sign_in(client, staff)
    page = text(client.get("/kb/new"))
    assert 'data-preview-url="/kb/preview"' in page and 'data-preview-fields="f-kind"' in page


# --- CSRF -------------------------------------------------------------------------------------

def test_kb_forms_refuse_posts_without_csrf_token(app, make_app, staff):
    article = make_article(staff)
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert sign_in(guarded, staff, csrf_token=csrf_token(guarded.get("/login"))).status_code == 302
    posts = {
        "/kb/new": {"title": "A proper title here", "body": BODY, "board": article.board.slug},
        f"/kb/{article.slug}/edit": {"title": "Another proper title", "body": BODY},
        f"/kb/{article.slug}/archive": {},
        f"/kb/{article.slug}/revisions/1/restore": {},
        f"/kb/{article.slug}/feedback": {"helpful": "yes"},
        f"/kb/{article.slug}/source-reviewed": {},
        "/kb/preview": {"body": "x"},
    }
    for path, data in posts.items():
        response = guarded.post(path, data=data)
        assert response.status_code == 400, path
        assert "did not come from this site" in text(response)
    row = fresh(Article, article.id)
    assert (row.title, row.status, row.helpful_yes, row.revision_count) == (
        article.title, "published", 0, 1)
    assert fresh(ArticleFeedback, 1) is None
