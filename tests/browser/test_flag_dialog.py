"""The thread page's one flag form: each Flag link opens it in a dialog aimed at its item;
without JavaScript the link leads to the item's flag page."""
import pytest

from forum.extensions import db
from forum.services import comments
from moderation.models import Flag
from tests.browser.helpers import axe_violations, describe, is_serious, sign_in, watch_errors
from tests.factories import make_answer, make_thread, make_user, make_voter

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect
pytestmark = pytest.mark.browser


@pytest.fixture
def thread(live_server):
    thread = make_thread(make_user(), title="Scanner stops halfway through a page")
    answer = make_answer(thread, make_user(), body="Lower the resolution to 300 dpi first.")
    comments.add_comment(thread.author, answer.id, "That helped, but only for colour scans.")
    make_voter(username="flagger")
    return thread


def test_flag_dialog_takes_focus_flags_the_comment_and_gives_focus_back(
        live_server, new_context, thread, axe_script):
    page = new_context(bypass_csp=True).new_page()  # for axe-core's inline script
    errors = watch_errors(page)
    sign_in(page, "flagger")
    page.goto(f"/t/{thread.id}/{thread.slug}")
    assert page.locator("form.flag-form").count() == 1
    link = page.locator("a[data-flag=comment]")
    link.click()
    dialog = page.get_by_role("dialog", name="Flag a comment")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio").first).to_be_focused()
    serious = [v for v in axe_violations(page, axe_script) if is_serious(v)]
    assert not serious, "\n".join(describe(serious, "flag dialog"))
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()

    link.click()
    dialog.get_by_label("Spam").check()
    dialog.get_by_role("button", name="Flag").click()
    expect(page.locator(".flashes")).to_contain_text("The moderators will look at it")
    db.session.rollback()
    assert db.session.query(Flag).count() == 1
    assert not errors


def test_flag_link_leads_to_the_flag_page_without_javascript(live_server, new_context, thread):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, "flagger")
    page.goto(f"/t/{thread.id}/{thread.slug}")
    page.locator("a[data-flag=post]").first.click()
    expect(page.get_by_role("heading", name="Flag a post")).to_be_visible()
    expect(page.locator("form.flag-form input[name=reason]").first).to_be_visible()
