"""The home page and a board's thread list."""
from forum.services import boards, threads
from tests.factories import make_answer, make_board, make_thread, make_user
from tests.web.helpers import text


def test_home_lists_boards_with_sub_boards_and_latest_thread(client):
    parent = make_board("hardware", "Hardware")
    boards.create_board(None, "mesh", "Mesh systems", "Satellites.", parent="hardware")
    thread = make_thread(board=parent, title="Router reboots every night at 3am")
    page = text(client.get("/"))
    assert "Hardware" in page and "Mesh systems" in page
    assert page.index("Hardware") < page.index("Mesh systems")
    assert f'href="/t/{thread.id}/{thread.slug}"' in page
    assert "Router reboots every night at 3am" in page
    assert "<time datetime=" in page


def test_board_page_lists_threads_with_counters_and_markers(client):
    board = make_board("wifi")
    asker = make_user()
    thread = make_thread(asker, board, title="Accepted one: signal drops", tags=["wifi", "x200"])
    answer = make_answer(thread)
    threads.accept_answer(asker, thread.id, answer.id)
    make_thread(board=board, title="Still open: no signal at all")
    page = text(client.get("/b/wifi"))
    assert "Accepted one: signal drops" in page and "Still open: no signal at all" in page
    assert "stat-box answers has-answers accepted" in page
    assert 'href="/b/wifi?tag=x200"' in page
    assert "Ask a question" in page and 'href="/b/wifi/ask"' in page


def test_board_tag_filter_shows_a_removable_chip(client):
    board = make_board("tagged")
    make_thread(board=board, title="About the router firmware", tags=["firmware"])
    make_thread(board=board, title="About the billing portal", tags=["billing"])
    page = text(client.get("/b/tagged?tag=firmware&sort=votes"))
    assert "About the router firmware" in page and "About the billing portal" not in page
    assert "Filtered by tag" in page
    assert 'href="/b/tagged?sort=votes"' in page  # the chip's ×: same sort, no tag
    assert 'href="/b/tagged?sort=newest&amp;tag=firmware"' in page  # tabs keep the tag


def test_board_unanswered_tab_and_pagination(client):
    board = make_board("paged")
    author = make_user()
    for n in range(35):
        make_thread(author, board, title=f"Paged question number {n:02d}")
    first = text(client.get("/b/paged?sort=newest"))
    assert "Paged question number 34" in first and "Paged question number 04" not in first
    assert 'href="/b/paged?page=2&amp;sort=newest"' in first
    second = text(client.get("/b/paged?sort=newest&page=2"))
    assert "Paged question number 04" in second
    assert 'aria-current="page">2<' in second
    assert "Paged question number 00" in text(client.get("/b/paged?sort=unanswered&page=2"))


def test_board_bad_parameters_are_404(client):
    make_board("strict")
    assert client.get("/b/strict?page=abc").status_code == 404
    assert client.get("/b/strict?page=0").status_code == 404
    assert client.get("/b/strict?page=99999999999999999999").status_code == 404
    assert client.get("/b/strict?sort=bogus").status_code == 404
    assert client.get("/b/no-such-board").status_code == 404
