"""Pages for anonymous visitors: no session, served from the cache, fresh after any write,
with ETag / Last-Modified and 304s; signed-in visitors never get a cached page."""
import re
import time

import pytest
from sqlalchemy import event, select
from werkzeug.http import http_date

from forum import page_generation
from forum.errors import ValidationError
from forum.extensions import db
from forum.models import ArticleFeedback, Thread
from forum.services import comments, kb, threads, views, votes
from moderation.services import flags, thread_actions
from tests.factories import (
    make_answer,
    make_article,
    make_board,
    make_thread,
    make_user,
    make_voter,
)
from tests.web.helpers import sign_in, text


@pytest.fixture
def cached(make_app):
    """An app with a real in-process cache (the other tests run with NullCache), whose top
    helpers are counted once in a test, not on every look."""
    return make_app(CACHE_TYPE="SimpleCache", LEADERS_CACHE_SECONDS=3600)


@pytest.fixture
def anon(cached):
    return cached.test_client()


@pytest.fixture
def site(app):
    owner = make_user("owner")
    staff = make_user("staffer", role="staff")
    board = make_board("printers", "Printers")
    thread = make_thread(owner, board, title="The printer prints blank pages", tags=["ink"])
    answer = make_answer(thread, make_user("helper"), body="Clean the print head twice, please.")
    article = make_article(staff, board, title="Cleaning the print head")
    return {"owner": owner, "staff": staff, "board": board, "thread": thread, "answer": answer,
            "article": article, "thread_path": f"/t/{thread.id}/{thread.slug}",
            "article_path": f"/kb/{article.slug}"}


def public_paths(site):
    return ["/", "/b/printers", "/b/printers?tag=ink", "/b/printers?sort=newest", site["thread_path"],
            "/kb", "/kb/faq", "/kb/b/printers", site["article_path"], "/users", "/u/owner",
            "/badges", "/privileges"]


@pytest.fixture
def queries(cached):
    """Count the statements the cached app runs."""
    with cached.app_context():
        engine = db.engine
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)", statement, re.IGNORECASE):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


# --- no session for anonymous visitors ------------------------------------------------------

def test_anonymous_pages_set_no_cookie_and_carry_empty_tokens(client, site):
    for path in [*public_paths(site), "/nowhere"]:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "Set-Cookie" not in response.headers, path
        assert not re.search(r'name="csrf_token" value="[^"]', text(response)), path
        assert '<meta name="csrf-token" content=""' in text(response), path


def test_form_pages_and_signed_in_pages_still_carry_tokens(client, site):
    login_page = client.get("/login")
    assert re.search(r'name="csrf_token" value="[^"]+"', text(login_page))
    sign_in(client, site["owner"])
    page = text(client.get(site["thread_path"]))
    assert re.search(r'<meta name="csrf-token" content="[^"]+"', page)
    assert re.search(r'name="csrf_token" value="[^"]+"', page)


def test_token_endpoint_starts_the_session(make_app, site):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = guarded.get("/csrf-token")
    assert response.headers["Cache-Control"] == "no-store"
    token = response.get_json()["token"]
    sent = guarded.post(f"{site['article_path']}/feedback", data={"helpful": "yes", "csrf_token": token})
    assert sent.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(ArticleFeedback.helpful)) is True


def test_form_sent_without_javascript_asks_to_confirm(make_app, site):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    url = f"{site['article_path']}/feedback"
    response = guarded.post(url, data={"helpful": "no", "comment": "<b>more</b> pictures", "csrf_token": ""})
    assert response.status_code == 400
    page = text(response)
    assert 'value="&lt;b&gt;more&lt;/b&gt; pictures"' in page
    db.session.rollback()
    assert db.session.scalar(select(ArticleFeedback.id)) is None  # nothing done yet
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    assert fields == {"csrf_token": token, "helpful": "no", "comment": "&lt;b&gt;more&lt;/b&gt; pictures"}
    confirmed = guarded.post(url, data={"csrf_token": token, "helpful": "no",
                                        "comment": "<b>more</b> pictures"})
    assert confirmed.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(ArticleFeedback.comment)) == "<b>more</b> pictures"


def test_tokenless_post_needing_sign_in_goes_to_sign_in(make_app, site):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = guarded.post(f"/p/{site['answer'].id}/vote", data={"value": "1"},
                            headers={"Referer": "http://localhost" + site["thread_path"]})
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    db.session.rollback()
    assert db.session.get(type(site["answer"]), site["answer"].id).score == 0


def test_signed_in_post_without_token_is_still_refused(make_app, site):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(guarded.get("/login"))).group(1)
    sign_in(guarded, site["owner"], csrf_token=token)
    response = guarded.post(f"{site['article_path']}/feedback", data={"helpful": "yes"})
    assert response.status_code == 400
    assert "did not come from this site" in text(response)


# --- the cache ------------------------------------------------------------------------------

def test_a_hit_returns_the_same_bytes_without_a_query(anon, site, queries):
    for path in public_paths(site):
        anon.get(path)  # a first look at top helpers counts them, and the page it cached is stale
        first = anon.get(path)
        assert first.status_code == 200, path
        queries.clear()
        again = anon.get(path)
        assert again.get_data() == first.get_data(), path
        assert again.headers["ETag"] == first.headers["ETag"], path
        assert queries == [], path
        assert "Set-Cookie" not in again.headers


def test_caching_headers(anon, site):
    response = anon.get(site["thread_path"])
    assert response.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)
    assert response.headers["Content-Security-Policy"]  # the security headers as everywhere
    assert response.last_modified is not None
    assert anon.get(site["thread_path"]).headers["Cache-Control"] == response.headers["Cache-Control"]


def test_each_language_has_its_page(anon, site):
    english = text(anon.get("/", headers={"Accept-Language": "en"}))
    german = text(anon.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}))
    assert english != german
    assert '<html lang="de">' in german
    assert text(anon.get("/", headers={"Accept-Language": "en"})) == english


def _close(site):
    thread_actions.moderate(make_user(role="moderator"), site["thread"].id, "close",
                            reason="unclear")


def _lock(site):
    thread_actions.moderate(make_user(role="moderator"), site["thread"].id, "lock")


def _hide_by_flags(site):
    for _ in range(3):
        flags.flag_post(make_voter(), site["answer"].id, "spam")


def _draft_published(site):
    draft = make_article(site["staff"], site["board"], title="Replacing the ink", publish=False)
    kb.publish_article(site["staff"], draft.slug)


CHANGES = {
    "new answer": lambda s: threads.post_answer(make_user(), s["thread"].id,
                                                "Update the printer driver from the website."),
    "edit": lambda s: threads.edit_post(s["owner"], s["thread"].question.id,
                                        "It prints blank pages since the last update, sadly.",
                                        title="The printer prints only blank pages"),
    "vote": lambda s: votes.cast_vote(make_voter(), s["answer"].id, 1),
    "accept": lambda s: threads.accept_answer(s["owner"], s["thread"].id, s["answer"].id),
    "comment": lambda s: comments.add_comment(make_voter(), s["answer"].id, "Worked for me too!"),
    "close": _close,
    "lock": _lock,
    "hide by flags": _hide_by_flags,
    "delete": lambda s: threads.delete_post(make_user(role="moderator"), s["answer"].id),
    "kb edit": lambda s: kb.edit_article(s["staff"], s["article"].slug, "Cleaning the print head",
                                         "## Steps\n\nRun the cleaning cycle from the menu."),
    "kb publish": _draft_published,
}


LEADERS = re.compile(rb'<section class="card leaders".*?</section>', re.DOTALL)


def _page(client, path) -> bytes:
    """The page without the top helpers, which are kept for minutes on purpose."""
    return LEADERS.sub(b"", client.get(path).get_data())


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_shows_at_once(anon, client, site, change):
    """After the change every cached page equals a page rendered afresh."""
    paths = public_paths(site)
    before = {path: _page(anon, path) for path in paths}
    CHANGES[change](site)
    changed = []
    for path in paths:
        cached_page = _page(anon, path)
        if path != "/users":  # the top helpers' page: its lists are kept for minutes
            assert cached_page == _page(client, path), path  # the NullCache app renders
        if cached_page != before[path]:
            changed.append(path)
    page_of_change = site["article_path"] if change == "kb edit" else (
        "/kb" if change == "kb publish" else site["thread_path"])
    assert page_of_change in changed


def test_signed_in_visitors_never_get_a_cached_page(anon, site):
    anonymous_page = text(anon.get(site["thread_path"]))
    assert "nav-username" not in anonymous_page
    sign_in(anon, site["owner"])
    mine = anon.get(site["thread_path"])
    assert '<span class="nav-username">owner</span>' in text(mine)
    assert "ETag" not in mine.headers and "public" not in mine.headers.get("Cache-Control", "")
    other = anon.application.test_client()
    sign_in(other, make_user("someone"))
    page = text(other.get(site["thread_path"]))
    assert '<span class="nav-username">someone</span>' in page and ">owner</span>" not in page
    assert "nav-username" not in text(anon.application.test_client().get(site["thread_path"]))


def test_visitor_with_kb_feedback_cookie_sees_own_answer(anon, site):
    anon.get(site["article_path"])  # cached for everyone
    anon.post(f"{site['article_path']}/feedback", data={"helpful": "yes"})
    assert "You answered" in text(anon.get(site["article_path"]))
    assert "You answered" not in text(anon.application.test_client().get(site["article_path"]))


# --- HTTP validators ----------------------------------------------------------------------

def test_if_none_match_gives_304_until_the_page_changes(anon, site):
    path = site["thread_path"]
    first = anon.get(path)
    etag = first.headers["ETag"]
    for _ in range(2):  # from the cache, and again
        response = anon.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag
    assert anon.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert anon.get(path, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    threads.post_answer(make_user(), site["thread"].id, "Try another USB cable for the printer.")
    fresh = anon.get(path, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag


def test_if_none_match_on_a_render_gives_304(anon, client, site):
    etag = anon.get(site["thread_path"]).headers["ETag"]
    other = anon.application.test_client()
    with anon.application.app_context():
        from forum.extensions import cache

        cache.clear()
    assert other.get(site["thread_path"], headers={"If-None-Match": etag}).status_code == 304


def test_if_modified_since(anon, site):
    path = "/b/printers"
    assert anon.get(path).status_code == 200
    later = http_date(time.time() + 5)
    assert anon.get(path, headers={"If-Modified-Since": later}).status_code == 304
    with anon.application.app_context():
        _generation, changed_at = page_generation.current()
    # A copy dated in the second of the last write may predate it.
    same_second = http_date(int(changed_at))
    assert anon.get(path, headers={"If-Modified-Since": same_second}).status_code == 200
    threads.post_answer(make_user(), site["thread"].id, "Check the ink cartridge is seated.")
    assert anon.get(path, headers={"If-Modified-Since": http_date(int(changed_at) + 1)}
                    ).status_code == 200


# --- views ------------------------------------------------------------------------------------

def test_views_are_counted_on_hits_and_304s(anon, cached, site):
    path = site["thread_path"]
    etag = anon.get(path).headers["ETag"]
    anon.get(path)
    anon.get(path, headers={"If-None-Match": etag})
    anon.head(path)  # not a view
    with cached.app_context():
        views.flush()
    db.session.rollback()
    assert db.session.get(Thread, site["thread"].id).view_count == 3


# --- the generation ---------------------------------------------------------------------------

def test_a_write_bumps_the_generation_and_a_failed_one_does_not(app, site):
    before, _ = page_generation.current()
    threads.post_answer(make_user(), site["thread"].id, "Restart the print spooler service.")
    after, changed_at = page_generation.current()
    assert after > before and abs(changed_at - time.time()) < 5
    author = make_user()
    after, _ = page_generation.current()
    with pytest.raises(ValidationError):
        threads.post_answer(author, site["thread"].id, "")
    assert page_generation.current()[0] == after


def test_redis_generation(make_app):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    store = page_generation.RedisGeneration(url)
    number, _ = store.current()
    store.bump()
    after, changed_at = store.current()
    assert after == number + 1 and abs(changed_at - time.time()) < 5
