from forum.services import threads, votes
from tests.factories import make_answer, make_thread, make_user, make_voter


def test_ask_answer_vote_accept_flow(app):
    asker = make_user()
    thread = make_thread(asker, tags=["wifi", "x200"])
    answer = make_answer(thread)
    voter = make_voter()
    assert votes.cast_vote(voter, answer.id, 1) == (1, 1)
    threads.accept_answer(asker, thread.id, answer.id)
    page = threads.thread_page(thread.id, voter)
    assert page.answers[0].id == answer.id
    assert page.thread.answer_count == 1
    assert page.my_votes == {answer.id: 1}
