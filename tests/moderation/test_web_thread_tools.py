"""The thread page's moderation: banners, tools, close votes, merged redirects; its forms."""
import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post, Thread
from forum.services import comments, threads, votes
from moderation.models import AuditEntry, CloseVote
from moderation.services.thread_actions import moderate
from tests.factories import make_answer, make_board, make_thread, make_user, make_voter
from tests.web.helpers import csrf_token, fresh, sign_in, text


@pytest.fixture
def moderator(app):
    return make_user(role="moderator")


def _page(client, thread):
    return client.get(f"/t/{thread.id}/{fresh(Thread, thread.id).slug}")


def test_reader_of_a_closed_duplicate_sees_why_and_the_original(client, moderator):
    original, thread = make_thread(title="How do I pair the remote control?"), make_thread()
    moderate(moderator, thread.id, "close", reason="duplicate", duplicate_of=original.id)
    page = text(_page(client, thread))
    assert "Duplicate of another thread" in page
    assert f'href="/t/{original.id}/{original.slug}"' in page
    assert "Moderator tools" not in page and "Vote to close" not in page


def test_locked_and_deleted_banners(client, moderator):
    thread = make_thread()
    moderate(moderator, thread.id, "lock")
    assert "This thread is locked" in text(_page(client, thread))
    moderate(moderator, thread.id, "delete")
    assert _page(client, thread).status_code == 404
    sign_in(client, moderator)
    page = text(_page(client, thread))
    assert "This thread is deleted. Only moderators see it." in page
    assert 'value="restore"' in page


def test_moderator_sees_the_tools_with_csrf_tokens(client, moderator):
    thread = make_thread()
    sign_in(client, moderator)
    page = text(_page(client, thread))
    assert "Moderator tools" in page
    forms = re.findall(r'<form method="post" action="/t/\d+/moderate".*?</form>', page, re.S)
    assert len(forms) >= 6  # lock, pin, delete, close, move, merge
    assert all('name="csrf_token"' in form for form in forms)


def test_moderator_form_acts_and_redirects(client, moderator):
    thread, board = make_thread(), make_board()
    sign_in(client, moderator)
    response = client.post(f"/t/{thread.id}/moderate", data={"action": "move", "board": board.slug})
    assert response.status_code == 302
    assert fresh(Thread, thread.id).board_id == board.id
    response = client.post(f"/t/{thread.id}/moderate", data={"action": "pin"},
                           follow_redirects=True)
    assert "The thread is pinned." in text(response)


def test_a_failed_moderator_form_comes_back_filled_in(client, moderator):
    thread = make_thread()
    sign_in(client, moderator)
    response = client.post(f"/t/{thread.id}/moderate",
                           data={"action": "merge", "into": "424242"})
    assert response.status_code == 422
    page = text(response)
    assert 'value="424242"' in page and "alert-error" in page
    assert fresh(Thread, thread.id).merged_into_id is None


def test_readers_cannot_use_the_moderator_form(client):
    thread = make_thread()
    assert client.post(f"/t/{thread.id}/moderate", data={"action": "lock"}).status_code == 302
    sign_in(client, make_user(reputation=5000))
    assert client.post(f"/t/{thread.id}/moderate", data={"action": "lock"}).status_code == 403
    assert not fresh(Thread, thread.id).is_locked


def test_a_merged_thread_redirects_permanently(client, moderator):
    source, target = make_thread(), make_thread()
    moderate(moderator, source.id, "merge", into=target.id)
    for who in (None, moderator):
        if who:
            sign_in(client, who)
        response = client.get(f"/t/{source.id}/{source.slug}")
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/t/{target.id}/{target.slug}")
    assert "were merged into this thread" in text(_page(client, target))


def test_close_vote_button_counts_and_closes(client, make_app):
    thread = make_thread()
    voters = [make_user(reputation=500) for _ in range(3)]
    for n, voter in enumerate(voters):
        sign_in(client, voter)
        page = text(_page(client, thread))
        assert f"Vote to close ({n}/3)" in page
        response = client.post(f"/t/{thread.id}/close-vote", data={"reason": "unclear"})
        assert response.status_code == 302
        if n < 2:
            assert "You voted to close this thread" in text(_page(client, thread))
        client.post("/logout")
    assert fresh(Thread, thread.id).close_reason == "unclear"
    sign_in(client, voters[0])
    assert "Vote to reopen (0/3)" in text(_page(client, thread))


def test_a_bad_close_vote_comes_back_with_the_error(client):
    thread = make_thread()
    sign_in(client, make_user(reputation=500))
    response = client.post(f"/t/{thread.id}/close-vote",
                           data={"reason": "duplicate", "duplicate_of": "abc"})
    assert response.status_code == 422
    assert 'value="abc"' in text(response)
    assert db.session.scalar(select(func.count(CloseVote.id))) == 0


def test_moderator_restores_a_deleted_answer_from_the_page(client, moderator):
    thread = make_thread()
    answer = make_answer(thread)
    threads.delete_post(moderator, answer.id)
    sign_in(client, moderator)
    assert f'action="/p/{answer.id}/restore"' in text(_page(client, thread))
    assert client.post(f"/p/{answer.id}/restore").status_code == 302
    assert fresh(Post, answer.id).deleted_at is None


def test_a_moderator_edit_keeps_a_revision_by_the_moderator_shown_as_edited_by(client, moderator):
    thread = make_thread()
    answer = make_answer(thread)
    threads.edit_post(moderator, answer.id, "A moderator's clearer wording of this answer.",
                      edit_summary="clarity")
    latest = threads.revisions(answer.id, None)[-1]
    assert latest.author_id == moderator.id and latest.number == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "edit"))
    assert (entry.target_type, entry.target_id, entry.reason) == ("post", answer.id, "clarity")
    assert entry.before == {"revision": 1} and entry.after == {"revision": 2}
    page = text(_page(client, thread))
    assert re.search(rf"edited.*?by.*?{moderator.username}", page, re.S)


def test_an_author_editing_their_own_post_writes_no_audit_row(app):
    thread = make_thread()
    threads.edit_post(thread.author, thread.question.id, "My own clearer question body text.")
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.target_type == "post")) == 0


@pytest.mark.parametrize("path, data", [
    ("/t/{thread}/moderate", {"action": "lock"}),
    ("/t/{thread}/close-vote", {"reason": "unclear"}),
    ("/p/{answer}/restore", {}),
])
def test_moderation_forms_need_the_csrf_token(app, make_app, moderator, path, data):
    thread = make_thread()
    answer = make_answer(thread)
    threads.delete_post(moderator, answer.id)
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert sign_in(guarded, moderator,
                   csrf_token=csrf_token(guarded.get("/login"))).status_code == 302
    response = guarded.post(path.format(thread=thread.id, answer=answer.id), data=data)
    assert response.status_code == 400
    db.session.rollback()
    assert not db.session.get(Thread, thread.id).is_locked
    assert db.session.get(Post, answer.id).deleted_at is not None
    assert db.session.scalar(select(func.count(CloseVote.id))) == 0


def _busy(count):
    thread = make_thread(tags=["remote"])
    voter = make_voter()
    for n in range(count):
        answer = make_answer(thread, body=f"Answer number {n} with enough words in it.")
        comments.add_comment(voter, answer.id, f"Comment on answer {n}.")
        votes.cast_vote(voter, answer.id, 1)
    return thread


@pytest.mark.parametrize("who", ["moderator", "voter", "reader"])
def test_thread_page_queries_stay_fixed_with_moderation(client, count_queries, who):
    original = make_thread()
    small, large = _busy(1), _busy(25)
    moderator = make_user(role="moderator")
    for thread in (small, large):
        moderate(moderator, thread.id, "close", reason="duplicate", duplicate_of=original.id)
        moderate(moderator, thread.id, "lock")
    moderate(moderator, _busy(0).id, "merge", into=large.id)
    viewer = {"moderator": moderator, "voter": make_user(reputation=500), "reader": None}[who]
    urls = [f"/t/{thread.id}/{fresh(Thread, thread.id).slug}" for thread in (small, large)]
    if viewer:
        sign_in(client, viewer)
    counts = []
    for url in urls:
        db.session.remove()
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    # Signed-in pages also look for an unseen warning and the viewer's dealings with the
    # thread (forum/web/thread_bodies.py); moderators see the queue count.
    assert counts[1] <= {"moderator": 13, "voter": 12, "reader": 8}[who], counts
