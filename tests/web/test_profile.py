"""User profiles."""
from forum.services import threads, votes
from tests.factories import make_answer, make_thread, make_user, make_voter
from tests.web.helpers import text


def test_profile_shows_reputation_role_and_questions(client):
    user = make_user("profiled", role="moderator")
    thread = make_thread(user, title="A question asked by profiled")
    votes.cast_vote(make_voter(), thread.question.id, 1)
    page = text(client.get("/u/Profiled"))
    assert "profiled" in page and "Moderator" in page
    assert "<dt>Reputation</dt><dd>11</dd>" in page
    assert "A question asked by profiled" in page
    assert "member since" in page


def test_profile_answers_tab(client):
    user = make_user("answerer")
    asker = make_user()
    thread = make_thread(asker, title="Question that gets an accepted answer")
    answer = make_answer(thread, user)
    threads.accept_answer(asker, thread.id, answer.id)
    gone = make_answer(make_thread(title="Question whose answer was deleted"), user)
    threads.delete_post(user, gone.id)
    page = text(client.get("/u/answerer?tab=answers"))
    assert "Question that gets an accepted answer" in page
    assert f'href="/p/{answer.id}"' in page
    assert "Question whose answer was deleted" not in page
    assert "stat-pill accepted" in page
    assert "<dt>Accepted</dt><dd>1</dd>" in page


def test_profile_paginates(client):
    user = make_user("prolific")
    for n in range(22):
        make_thread(user, title=f"Prolific question number {n:02d}")
    first = text(client.get("/u/prolific"))
    assert "Prolific question number 21" in first and "Prolific question number 01" not in first
    second = text(client.get("/u/prolific?page=2"))
    assert "Prolific question number 01" in second


def test_profile_errors_are_404(client):
    make_user("exists")
    assert client.get("/u/nobody").status_code == 404
    assert client.get("/u/exists?tab=secrets").status_code == 404
    assert client.get("/u/exists?page=-1").status_code == 404
    assert client.get("/u/" + "x" * 200).status_code == 404
