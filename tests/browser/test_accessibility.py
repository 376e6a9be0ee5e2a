"""axe-core finds no serious or critical accessibility problem on the main pages,
in the light and the dark colour scheme."""
import warnings

import pytest

from forum.services import boards, comments, threads, votes
from tests.browser.helpers import axe_violations, describe, is_serious, sign_in
from tests.factories import make_answer, make_thread, make_voter

expect = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
).expect
pytestmark = pytest.mark.browser

QUESTION = """My office printer stops with **paper jam** after the 2.4 firmware update.

1. Reseated the tray
2. Ran `printctl reset`

> Error 0x3F: feed sensor blocked

```
$ printctl status
feed: blocked
```

See the [manual](https://example.com/manual)."""


def _discussed_thread(board_slug: str):
    """A thread with a bit of everything the page can show: tags, votes, an accepted
    answer, a second answer, nested comments, an edit."""
    asker, helper, other = (make_voter(username=name) for name in ("asker", "helper", "other"))
    board = boards.get_board(board_slug)
    thread = make_thread(asker, board, title="Paper jam after the firmware update",
                         body=QUESTION, tags=["paper-jam", "firmware"])
    accepted = make_answer(thread, helper, body="Open the *rear* flap and pull the scrap out.")
    second = make_answer(thread, other, body="Try `printctl clean` first; it often helps.")
    note = comments.add_comment(asker, accepted.id, "Thanks, that **worked**!")
    comments.add_comment(helper, accepted.id, "Glad it helped.", note.id)
    votes.cast_vote(asker, accepted.id, 1)
    votes.cast_vote(helper, thread.question.id, 1)
    votes.cast_vote(asker, second.id, -1)
    threads.accept_answer(asker, thread.id, accepted.id)
    threads.edit_post(asker, thread.question.id, QUESTION + "\n\nEdit: model P-200.",
                      edit_summary="model")
    return thread


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_serious_axe_violations(app, axe_script, live_server, new_context,
                                                   artifacts, scheme):
    thread = _discussed_thread(live_server.board_slug)
    thread_path = f"/t/{thread.id}/{thread.slug}"
    # Our CSP forbids injected scripts: only this test's context may bypass it.
    page = new_context(color_scheme=scheme, bypass_csp=True).new_page()
    found: list[str] = []
    lesser: list[str] = []

    def check(where: str) -> None:
        violations = axe_violations(page, axe_script)
        found.extend(describe([v for v in violations if is_serious(v)], f"{scheme} {where}"))
        lesser.extend(describe([v for v in violations if not is_serious(v)], f"{scheme} {where}"))

    page.goto(thread_path)
    check("thread page, signed out")

    sign_in(page, "asker")
    check("home page")
    page.goto(f"/b/{live_server.board_slug}")
    check("board page")
    page.goto(f"/b/{live_server.board_slug}?tag=firmware")
    check("board page filtered by tag")
    page.goto(thread_path)
    page.locator(".post-accepted details.add-comment summary").click()
    check("thread page")
    page.screenshot(path=artifacts / f"thread-{scheme}.png", full_page=True)
    page.goto(f"/b/{live_server.board_slug}/ask")
    page.fill("#f-body", QUESTION)
    expect(page.locator("#f-body-preview .md-preview-body strong")).to_have_text("paper jam")
    check("ask page with preview")
    page.fill("#f-title", "Too short")
    page.eval_on_selector("#main form", "form => { form.noValidate = true; }")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#f-title")).to_have_attribute("aria-invalid", "true")
    check("ask page with a form error")

    if lesser:
        warnings.warn("axe-core: moderate or minor findings:\n" + "\n".join(lesser), stacklevel=1)
    assert not found, "axe-core found serious accessibility problems:\n" + "\n".join(found)
