"""Two people in two browsers: one asks, the other answers, both vote, the asker accepts."""
import re

import pytest

from forum.extensions import db
from forum.models import Post, Thread, User, Vote
from forum.services import tags
from tests.browser.helpers import register, watch_errors
from tests.factories import give_reputation, make_user

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect
pytestmark = pytest.mark.browser

TITLE = "Printer reports a paper jam with an empty tray"
BODY = (
    "Since the last update my printer shows **paper jam** although the tray is empty.\n\n"
    "- I reseated the tray\n- I ran `printctl reset`\n"
)
ANSWER = "Open the *rear* flap: a torn scrap hides behind the roller. Then run `printctl clean`."
PHONE = {"width": 375, "height": 812}
SEED = 20  # reputation earned before the test: enough to vote up (15)


def _user(username: str) -> User:
    db.session.rollback()  # see the account the server just created
    return db.session.query(User).filter_by(username=username).one()


def test_ask_answer_vote_accept_in_two_browsers(app, live_server, new_context, artifacts):
    # --- A registers, opens the board and asks -------------------------------------
    asker = new_context().new_page()
    asker_errors = watch_errors(asker)
    register(asker, "alice")
    expect(asker).to_have_url(live_server.url + "/")
    expect(asker.locator(".nav-username")).to_have_text("alice")
    expect(asker.locator(".flashes")).to_contain_text("Welcome")
    # Both people have earned enough elsewhere to vote; staff set up the tags.
    give_reputation(_user("alice"), SEED)
    tags.create_tags(make_user(role="staff"), ["firmware", "paper-jam"])

    asker.get_by_role("link", name=live_server.board_name).click()
    expect(asker).to_have_url(f"{live_server.url}/b/{live_server.board_slug}")
    asker.locator("#main").get_by_role("link", name="Ask a question").click()
    expect(asker).to_have_url(f"{live_server.url}/b/{live_server.board_slug}/ask")
    expect(asker.locator("#f-board")).to_have_value(live_server.board_slug)

    asker.fill("#f-title", TITLE)
    asker.locator("#f-body").press_sequentially(BODY[:40])  # typed: input events, one by one
    asker.locator("#f-body").fill(BODY)
    preview = asker.locator("#f-body-preview .md-preview-body")
    expect(asker.locator("#f-body-preview")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("paper jam")
    expect(preview.locator("li code")).to_have_text("printctl reset")
    asker.fill("#f-tags", "paper-jam firmware")
    asker.get_by_role("button", name="Post your question").click()

    expect(asker).to_have_url(re.compile(r"/t/\d+/[\w-]+$"))
    thread_url = asker.url
    thread_id = int(re.search(r"/t/(\d+)/", thread_url).group(1))
    expect(asker.locator("h1")).to_have_text(TITLE)
    expect(asker.locator(".flashes")).to_contain_text("Your question is posted.")
    expect(asker.locator(".post-question .post-body strong")).to_have_text("paper jam")
    expect(asker.locator(".post-question .tags .tag")).to_have_text(["firmware", "paper-jam"])

    # --- B registers in another browser context, answers -----------------------------
    helper = new_context().new_page()
    helper_errors = watch_errors(helper)
    register(helper, "bob")
    expect(helper.locator(".nav-username")).to_have_text("bob")
    give_reputation(_user("bob"), SEED)
    helper.goto(thread_url)
    helper.fill("#answer-body", ANSWER)
    helper.get_by_role("button", name="Post your answer").click()
    expect(helper).to_have_url(re.compile(r"#post-\d+$"))
    answer_id = int(helper.url.rsplit("#post-", 1)[1])
    answer = helper.locator(f"#post-{answer_id}")
    expect(answer).to_have_class(re.compile(r"\bpost-answer\b"))
    expect(answer.locator(".post-body em")).to_have_text("rear")
    expect(helper.locator("#answers-heading")).to_have_text("1 answer")
    expect(answer.locator(".vote-up")).to_be_disabled()  # nobody votes on their own post

    # --- B votes the question up: by fetch, without a page load ----------------------
    question = helper.locator(".post-question")
    expect(question.locator("[data-score]")).to_have_text("0")
    navigations = []
    helper.on("framenavigated",
              lambda frame: navigations.append(frame.url) if frame == helper.main_frame else None)
    helper.evaluate("window.__sameDocument = 'still here'")
    question.locator(".vote-up").click()
    expect(question.locator("[data-score]")).to_have_text("1")
    expect(question.locator(".vote-up")).to_have_attribute("aria-pressed", "true")
    expect(question.locator("form.vote")).not_to_have_class(re.compile("is-busy"))
    assert helper.evaluate("window.__sameDocument") == "still here", "the vote reloaded the page"
    assert navigations == [], f"the vote navigated: {navigations}"

    # --- A reloads, votes the answer up and accepts it --------------------------------
    asker.reload()
    expect(asker.locator(".post-question [data-score]")).to_have_text("1")
    expect(asker.locator(".post-question .vote-up")).to_be_disabled()  # A's own question
    answer = asker.locator(f"#post-{answer_id}")
    expect(answer.locator(".post-body code")).to_have_text("printctl clean")
    answer.locator(".vote-up").click()
    expect(answer.locator("[data-score]")).to_have_text("1")
    expect(answer.locator(".vote-up")).to_have_attribute("aria-pressed", "true")
    expect(answer.locator(".vote-down")).to_have_attribute("aria-pressed", "false")
    expect(answer.locator("form.vote")).not_to_have_class(re.compile("is-busy"))

    answer.get_by_role("button", name="Accept this answer").click()
    expect(asker).to_have_url(re.compile(rf"/t/{thread_id}/[\w-]+#post-{answer_id}$"))
    expect(asker.locator(".flashes")).to_contain_text("Answer accepted.")
    expect(answer).to_have_class(re.compile(r"\bpost-accepted\b"))
    expect(answer.locator(".accepted-badge")).to_have_text("Accepted answer")
    expect(answer.get_by_role("button", name="Unaccept")).to_be_visible()
    expect(asker.locator(".thread-facts .marker-answered")).to_have_text("Answered")
    # The vote survived the page load: the server renders it pressed.
    expect(answer.locator("[data-score]")).to_have_text("1")
    expect(answer.locator(".vote-up")).to_have_attribute("aria-pressed", "true")

    asker.screenshot(path=artifacts / "thread.png", full_page=True)
    phone = new_context(viewport=PHONE, storage_state=asker.context.storage_state()).new_page()
    phone_errors = watch_errors(phone)
    phone.goto(thread_url)
    expect(phone.locator(f"#post-{answer_id} .accepted-badge")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"], f"the page scrolls sideways at 375px ({overflow}px wide)"
    phone.screenshot(path=artifacts / "thread-375.png", full_page=True)

    assert asker_errors + helper_errors + phone_errors == []

    # --- the database agrees --------------------------------------------------------
    db.session.rollback()  # see what the server committed
    thread = db.session.get(Thread, thread_id)
    assert thread.accepted_answer_id == answer_id
    assert thread.answer_count == 1
    assert thread.score == 1
    assert sorted(tag.name for tag in thread.tags) == ["firmware", "paper-jam"]
    assert thread.question.score == 1
    assert "<strong>paper jam</strong>" in thread.question.body_html
    assert db.session.get(Post, answer_id).score == 1
    assert db.session.query(Vote).count() == 2
    alice = db.session.query(User).filter_by(username="alice").one()
    bob = db.session.query(User).filter_by(username="bob").one()
    assert thread.author_id == alice.id and db.session.get(Post, answer_id).author_id == bob.id
    assert alice.reputation == 1 + SEED + 10 + 2  # start, earned, question voted up, accepted
    assert bob.reputation == 1 + SEED + 10 + 15  # start, earned, answer voted up, accepted
