"""Error pages, rate limits and the security rules every page follows."""
import re
from html.parser import HTMLParser

import pytest

from forum.security import CONTENT_SECURITY_POLICY
from tests.factories import PASSWORD, make_answer, make_article, make_board, make_thread, make_user
from tests.web.helpers import sign_in, text


def test_404_page_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = text(response)
    assert "Page not found" in page and 'id="main"' in page and "<footer" in page


def test_405_page(client):
    response = client.get("/preview")
    assert response.status_code == 405
    assert "Method not allowed" in text(response)


def test_413_page(client):
    response = client.post("/login", data={"login": "x" * (300 * 1024), "password": "y"})
    assert response.status_code == 413
    assert "too large" in text(response)


def test_csrf_failure_page_explains(make_app):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = guarded.post("/login", data={"login": "a", "password": "b"})
    assert response.status_code == 400
    assert "Please go back, reload the page and try again." in text(response)


def test_500_page(make_app):
    web = make_app(PROPAGATE_EXCEPTIONS=False)

    @web.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    response = web.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in text(response)


def test_error_pages_in_german(client):
    response = client.get("/nowhere", headers={"Accept-Language": "de"})
    assert "Seite nicht gefunden" in text(response)


def test_rate_limited_login_per_account_shows_429_page(app, make_app):
    make_user("hammered")
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    for _ in range(5):
        response = limited.post("/login", data={"login": "Hammered", "password": "wrong guess"})
        assert response.status_code == 422
    blocked = limited.post("/login", data={"login": "hammered", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "You are doing that too often." in text(blocked)
    assert "Retry-After" in blocked.headers
    other = limited.post("/login", data={"login": "someone-else", "password": "wrong guess"})
    assert other.status_code == 422  # other accounts are not locked out


def test_successful_logins_do_not_count_towards_the_limit(app, make_app):
    user = make_user("regular")
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    for _ in range(8):
        assert sign_in(limited, user).status_code == 302
        limited.post("/logout")


def test_preview_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    headers = {"Accept": "application/json"}
    statuses = [limited.post("/preview", data={"body": "hi"}, headers=headers).status_code
                for _ in range(45)]
    assert statuses[0] == 200 and statuses[-1] == 429
    last = limited.post("/preview", data={"body": "hi"}, headers=headers)
    assert last.get_json()["error"]["code"] == "rate_limited"


# --- the rules every page follows ------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
EVENT_ATTR = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.fixture
def site(client):
    board = make_board("rules")
    asker = make_user("asker", role="staff")  # staff see every button and the KB tools
    thread = make_thread(asker, board, tags=["x"])
    answer = make_answer(thread)
    article = make_article(asker, board, kind="faq",
                           body="## One\n\nFirst.\n\n## Two\n\nhttps://youtu.be/dQw4w9WgXcQ")
    sign_in(client, asker)
    kb = f"/kb/{article.slug}"
    return {
        "pages": ["/", "/b/rules", f"/t/{thread.id}/{thread.slug}", "/ask", "/settings",
                  "/u/asker", f"/p/{answer.id}/revisions", f"/p/{thread.question.id}/edit",
                  "/nope", "/kb", "/kb/faq", "/kb/b/rules", kb, f"{kb}/edit", f"{kb}/history",
                  "/kb/new", "/kb/feedback"],
    }


def test_pages_have_no_inline_script_or_style(client, site):
    for path in site["pages"]:
        response = client.get(path)
        page = text(response)
        assert not INLINE_SCRIPT.search(page), path
        assert not STYLE_ATTR.search(page), path
        assert not EVENT_ATTR.search(page), path
        assert "<style" not in page, path
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert '<meta name="csrf-token"' in page, path
        assert "https://" not in page.split("<body")[0], path  # nothing from a CDN


def test_every_post_form_carries_a_csrf_token(client, site):
    for path in site["pages"]:
        page = text(client.get(path))
        for form in re.findall(r"<form[^>]*>.*?</form>", page, re.S):
            if 'method="post"' in form:
                assert 'name="csrf_token"' in form, (path, form[:200])


def test_landmarks_and_skip_link(client):
    page = text(client.get("/"))
    assert '<a class="skip-link" href="#main">' in page
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in page


class _Checker(HTMLParser):
    """Collects duplicate attributes and duplicate ids."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"duplicate attribute in <{tag} {names}>")
        self.ids.extend(value for name, value in attrs if name == "id")


def test_pages_have_unique_ids_and_no_duplicate_attributes(client, site):
    for path in site["pages"]:
        checker = _Checker()
        checker.feed(text(client.get(path)))
        assert checker.problems == [], path
        assert len(checker.ids) == len(set(checker.ids)), path


def test_forwarded_client_address_is_trusted_only_behind_configured_proxies(make_app):
    from flask import request

    for count, expected in [(0, "10.0.0.9"), (1, "203.0.113.7")]:
        app = make_app(PROXY_COUNT=count)
        app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
        response = app.test_client().get(
            "/_whoami", environ_base={"REMOTE_ADDR": "10.0.0.9"},
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
        assert response.get_data(as_text=True) == (
            f"{expected} {'https' if count else 'http'}")
