"""Reputation pages: privileges, refusals, profile history, badges, top helpers."""
import re

from forum.extensions import db
from forum.models import Tag, Thread
from forum.services import reputation, threads, votes
from tests.factories import (
    make_answer,
    make_board,
    make_tags,
    make_thread,
    make_user,
    make_voter,
)
from tests.web.helpers import fresh, sign_in, text

JSON = {"Accept": "application/json"}


def test_privileges_page_shows_progress(client):
    page = text(client.get("/privileges"))
    for label in ("Vote up", "Flag posts", "Comment everywhere", "Vote down", "Create tags",
                  "Close and reopen", "Edit freely", "Review queue"):
        assert label in page
    assert "Sign in</a> to see your progress." in page
    assert "at most 200 reputation per day" in page
    sign_in(client, make_user(reputation=100))
    page = text(client.get("/privileges"))
    assert "You have 100 reputation." in page
    assert page.count("You have this privilege.") == 3
    assert "25 more reputation to go." in page  # vote down
    assert '<progress max="100" value="80"' in page


def test_privileges_page_for_moderators(client):
    sign_in(client, make_user(role="moderator"))
    page = text(client.get("/privileges"))
    assert "you have every privilege" in page
    assert page.count("You have this privilege.") == 8


def test_vote_refusal_names_the_privilege_and_distance(client):
    answer = make_answer(make_thread())
    user = make_user()
    sign_in(client, user)
    page = text(client.get(f"/t/{answer.thread_id}/{fresh(Thread, answer.thread_id).slug}"))
    assert 'title="Voting up needs 15 reputation."' in page
    response = client.post(f"/p/{answer.id}/vote", data={"value": "1"}, headers=JSON)
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "privilege_required"
    assert error["fields"]["privilege"] == "vote_up" and error["fields"]["missing"] == "14"
    assert "“Vote up”" in error["message"] and "14 to go" in error["message"]
    page = client.post(f"/p/{answer.id}/vote", data={"value": "-1"})
    assert page.status_code == 403
    assert "“Vote down” privilege: 125 reputation. You have 1, 124 to go." in text(page)
    assert 'href="/privileges"' in text(page)


def test_comment_form_replaced_by_a_note_without_the_privilege(client):
    thread = make_thread()
    make_answer(thread)
    sign_in(client, make_user())
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "Commenting on others' posts needs 50 reputation; you have 1." in page
    assert 'class="comment-form"' not in page


def test_ask_with_new_tags_keeps_the_form(client):
    make_board("tagged")
    make_tags("wifi")
    sign_in(client, make_user())
    response = client.post("/ask", data={
        "board": "tagged", "title": "Router drops the wifi at night",
        "body": "It drops every night around midnight.", "tags": "wifi mesh",
    })
    assert response.status_code == 403
    page = text(response)
    assert "New tags (mesh) need the “Create tags” privilege: 150 reputation." in page
    assert 'value="wifi mesh"' in page and "It drops every night around midnight." in page
    assert 'id="f-tags"' in page and re.search(r'id="f-tags"[^>]*aria-invalid="true"', page)
    assert fresh(Tag, 1).name == "wifi"


def test_profile_reputation_tab_has_chart_and_ledger_by_day(client):
    author = make_user("charted")
    asker = make_user()
    thread = make_thread(asker, title="A question with a helpful answer")
    answer = make_answer(thread, author)
    votes.cast_vote(make_voter(), answer.id, 1)
    threads.accept_answer(asker, thread.id, answer.id)
    page = text(client.get("/u/charted?tab=reputation"))
    assert '<svg viewBox="0 0 640 180"' in page and "<polyline" in page
    assert "Reputation of charted over time" in page
    assert "Answer accepted" in page and "Voted up" in page
    assert f'href="/p/{answer.id}">A question with a helpful answer</a>' in page
    assert 'class="amount amount-up">+25</span>' in page  # the day's total
    assert "Problem solver" in page and "Helper" in page  # badges
    assert "Top answers" in page
    assert client.get("/u/charted?tab=reputation&page=9").status_code == 200


def test_profile_hides_titles_of_deleted_posts_in_the_ledger(client):
    author = make_user("hidden")
    thread = make_thread(title="A thread that will be deleted soon")
    answer = make_answer(thread, author)
    votes.cast_vote(make_voter(), answer.id, 1)
    threads.delete_post(make_user(role="moderator"), thread.question.id)
    page = text(client.get("/u/hidden?tab=reputation"))
    assert "A thread that will be deleted soon" not in page
    assert "a deleted post" in page and "Post deleted" in page


def test_badge_pages(client):
    user = make_user("badged")
    make_thread(user)
    page = text(client.get("/badges"))
    assert "Curious" in page and "Great answer" in page and "(repeatable)" in page
    assert "1 member" in page
    page = text(client.get("/badges/first_question"))
    assert "badged" in page and "Awarded 1 time" in page
    assert client.get("/badges/nope").status_code == 404


def test_board_sidebar_and_users_page_show_top_helpers(client):
    board = make_board("helped", "Helped board")
    other = make_board("elsewhere")
    answer = make_answer(make_thread(board=board), make_user("helpful"))
    votes.cast_vote(make_voter(), answer.id, 1)
    make_answer(make_thread(board=other), make_user("quiet"))
    page = text(client.get("/b/helped"))
    sidebar = page[page.index('class="card leaders"'):]
    assert "Top helpers" in sidebar and "This week" in sidebar and "All time" in sidebar
    assert sidebar.count('href="/u/helpful"') == 3
    assert 'href="/users?board=helped"' in page
    everywhere = text(client.get("/users"))
    assert everywhere.count('href="/u/helpful"') == 3 and "quiet" not in everywhere
    assert "No reputation earned with answers yet." in text(client.get("/users?board=elsewhere"))
    assert client.get("/users?board=nope").status_code == 404


def test_serial_voting_report_is_for_moderators(client):
    author, voter = make_user("target"), make_voter(username="serial")
    thread = make_thread()
    for answer in [make_answer(thread, author) for _ in range(11)]:
        votes.cast_vote(voter, answer.id, 1)
    assert client.get("/reputation/serial-votes").status_code == 302  # sign in first
    sign_in(client, make_voter())
    assert client.get("/reputation/serial-votes").status_code == 403
    client.post("/logout")
    sign_in(client, make_user(role="moderator"))
    page = text(client.get("/reputation/serial-votes"))
    assert 'href="/u/serial"' in page and 'href="/u/target"' in page
    assert "<td>1</td>" in page
    assert 'href="/reputation/serial-votes"' in page  # in the header for moderators


def test_recount_is_clean_after_the_page_flows(client):
    thread = make_thread()
    answer = make_answer(thread)
    voter = make_voter()
    sign_in(client, voter)
    client.post(f"/p/{answer.id}/vote", data={"value": "1"})
    client.post(f"/p/{answer.id}/comments", data={"body": "Nice one"})
    db.session.rollback()  # see what the web app committed
    assert len(threads.thread_page(thread.id, None).comments[answer.id]) == 1
    assert reputation.recount().fixes == []


def test_refusal_and_privileges_in_german(client):
    answer = make_answer(make_thread())
    sign_in(client, make_user())
    german = {"Accept-Language": "de-DE,de;q=0.9", **JSON}
    error = client.post(f"/p/{answer.id}/vote", data={"value": "1"}, headers=german).get_json()
    assert error["error"]["message"] == (
        "Dafür brauchen Sie das Recht „Positiv bewerten“: 15 Reputation. "
        "Sie haben 1, es fehlen noch 14.")
    page = text(client.get("/privileges", headers={"Accept-Language": "de"}))
    assert "Überall kommentieren" in page and "Es fehlen noch 49 Reputation." in page
