"""Shared anonymous pages carry no CSRF token and set no cookie; their forms still work:
the page script fetches the token when one is sent."""
import re

import pytest

from forum.extensions import db
from forum.models import ArticleFeedback
from tests.browser.helpers import watch_errors
from tests.factories import make_answer, make_article, make_board, make_thread

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect
pytestmark = pytest.mark.browser


def test_anonymous_kb_feedback_and_vote(app, live_server, new_context, artifacts):
    board = make_board("scanners", "Scanners")
    article = make_article(board=board, title="Scanning to a network folder")
    thread = make_thread(board=board, title="The scanner stops after one page")
    answer = make_answer(thread)
    context = new_context()
    page = context.new_page()
    errors = watch_errors(page)

    page.goto(f"/kb/{article.slug}")
    assert context.cookies() == []  # reading starts no session
    assert page.locator(".kb-feedback-vote input[name=csrf_token]").get_attribute("value") == ""
    page.locator(".kb-feedback-vote").get_by_role("button", name="Yes").click()
    expect(page.locator(".flashes")).to_contain_text("Thank you for your feedback!")
    page.screenshot(path=str(artifacts / "anonymous-kb-feedback.png"), full_page=True)
    db.session.rollback()
    assert db.session.query(ArticleFeedback).one().helpful is True

    page.goto(f"/t/{thread.id}/{thread.slug}")
    page.locator(f"#post-{answer.id} .vote-up").click()  # needs an account: to sign in
    expect(page).to_have_url(re.compile(r"/login\?next="))
    # The vote's 403 (sign-in needed, as before) is logged by Chromium; nothing else is.
    assert [e for e in errors if "403" not in e] == []
