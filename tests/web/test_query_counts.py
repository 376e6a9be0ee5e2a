"""Board and thread pages run a fixed number of queries, however long they are."""
from forum.extensions import db
from forum.models import Post, Thread
from forum.services import comments, threads, views, votes
from tests.factories import make_answer, make_board, make_thread, make_user, make_voter
from tests.web.helpers import fresh, sign_in, text


def _thread_with_answers(count: int, viewer) -> Thread:
    asker = make_user()
    thread = make_thread(asker, tags=["one", "two"])
    helpers = [make_voter() for _ in range(3)]
    comments.add_comment(helpers[0], thread.question.id, "A comment on the question")
    for n in range(count):
        answer = make_answer(thread, helpers[n % 3], body=f"Answer number {n} with enough text.")
        top = comments.add_comment(asker, answer.id, f"Comment on answer {n}")
        reply = comments.add_comment(helpers[(n + 1) % 3], answer.id, "A reply", top.id)
        comments.add_comment(asker, answer.id, "A reply to the reply", reply.id)
        votes.cast_vote(viewer, answer.id, 1 if n % 2 else -1)
        if n % 5 == 0:
            threads.edit_post(helpers[n % 3], answer.id, f"Edited answer {n} with enough text.")
    if count:
        threads.accept_answer(asker, thread.id, _last_answer_id(thread.id))
    return thread


def _last_answer_id(thread_id: int) -> int:
    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread_id, Post.kind == "answer")
        .order_by(Post.id.desc())
    )


def _thread_queries(client, count_queries, thread) -> list[str]:
    url = f"/t/{thread.id}/{thread.slug}"
    views.flush()  # else a flush falls due by the clock inside whichever request comes late
    db.session.remove()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.statements


def test_thread_page_runs_the_same_queries_for_1_and_50_answers(client, count_queries):
    viewer = make_voter()
    small = _thread_with_answers(1, viewer)
    large = _thread_with_answers(50, viewer)
    small_id, large_id = small.id, large.id
    sign_in(client, viewer)
    one = _thread_queries(client, count_queries, fresh(Thread, small_id))
    fifty = _thread_queries(client, count_queries, fresh(Thread, large_id))
    assert len(one) == len(fifty), "\n\n".join("\n".join(s) for s in (one, fifty))
    # The viewer, their part in the thread; the thread, its tags, posts, comments and the
    # viewer's votes; related threads; threads merged into it.
    assert len(fifty) == 9, fifty
    page = text(client.get(f"/t/{large_id}/{fresh(Thread, large_id).slug}"))
    assert page.count('class="post post-answer') == 50


def _board_queries(client, count_queries, slug) -> int:
    db.session.remove()
    with count_queries() as counter:
        response = client.get(f"/b/{slug}")
    assert response.status_code == 200
    return counter.count


def test_board_page_runs_the_same_queries_for_1_and_50_threads(client, count_queries):
    viewer = make_user()
    sign_in(client, viewer)
    small, large = make_board("small"), make_board("large")
    authors = [make_user() for _ in range(5)]
    make_thread(authors[0], small, tags=["one"])
    for n in range(50):
        thread = make_thread(authors[n % 5], large, tags=[f"tag{n % 7}", "common"])
        if n % 3 == 0:
            make_answer(thread, authors[(n + 1) % 5])
    one = _board_queries(client, count_queries, "small")
    fifty = _board_queries(client, count_queries, "large")
    assert one == fifty
    assert fifty <= 10, fifty  # 6 for the threads, 4 for counting top helpers (at once in tests)
