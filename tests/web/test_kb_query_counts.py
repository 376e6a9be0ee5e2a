"""The KB home and an article page run a fixed number of queries, however much there is."""
from forum.extensions import db
from forum.models import User
from forum.services import kb_feedback, kb_promotion, threads
from tests.factories import make_answer, make_article, make_board, make_thread, make_user
from tests.web.helpers import sign_in


def _queries(client, count_queries, path) -> int:
    db.session.remove()
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


def _fill(board, staff, count: int):
    """`count` articles of each kind, threads and feedback in a board; returns one article."""
    reader = make_user()
    first = None
    for n in range(count):
        for kind in ("article", "faq", "tutorial"):
            article = make_article(staff, board, kind=kind, title=f"{kind} number {n:03d} here")
            kb_feedback.give_feedback(reader, article.slug, n % 2 == 0)
            first = first or article
        thread = make_thread(board=board)
        answer = make_answer(thread)
        threads.accept_answer(thread.author, thread.id, answer.id)
    make_article(staff, board, publish=False)
    return first


def test_kb_home_runs_the_same_queries_for_1_and_50_articles(client, count_queries):
    staff = make_user(role="staff")
    sign_in(client, staff)
    _fill(make_board(), staff, 1)
    staff_id = staff.id
    one = _queries(client, count_queries, "/kb")
    staff = db.session.get(User, staff_id)
    for _ in range(5):
        _fill(make_board(), staff, 10)
    fifty = _queries(client, count_queries, "/kb")
    assert one == fifty, (one, fifty)
    assert fifty <= 10, fifty
    assert _queries(client, count_queries, "/kb/faq") <= 5


def test_article_page_runs_the_same_queries_small_and_large(client, count_queries):
    staff = make_user(role="staff")
    sign_in(client, staff)
    small = _fill(make_board(), staff, 1)
    board = make_board()
    large = _fill(board, staff, 50)
    # A promoted article whose source changed: the staff notice costs fixed queries too.
    thread = make_thread(board=board)
    answer = make_answer(thread)
    promoted = kb_promotion.promote_answer(staff, answer.id)
    threads.edit_post(answer.author, answer.id, "An edited answer that is long enough.")
    slugs, board_slug = [small.slug, large.slug, promoted.slug], board.slug
    counts = [_queries(client, count_queries, f"/kb/{slug}") for slug in slugs]
    assert counts[0] == counts[1], counts
    assert max(counts) <= 12, counts
    # Staff are moderators: the header counts their review queue (one query more).
    assert _queries(client, count_queries, f"/kb/b/{board_slug}") <= 7


def test_thread_page_with_promoted_answers_runs_fixed_queries(client, count_queries):
    staff = make_user(role="staff")
    sign_in(client, staff)
    paths = []
    for count in (1, 20):
        thread = make_thread()
        for _ in range(count):
            kb_promotion.promote_answer(staff, make_answer(thread).id)
        paths.append(f"/t/{thread.id}/{thread.slug}")
    one, twenty = (_queries(client, count_queries, path) for path in paths)
    assert one == twenty, (one, twenty)
