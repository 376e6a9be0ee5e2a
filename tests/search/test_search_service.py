"""Searching threads through the service: matching, filters, visibility, ranking."""
import pytest

from forum.services import search, threads, votes
from tests.factories import make_answer, make_board, make_thread, make_user, make_voter


@pytest.fixture
def site(app):
    board = make_board("router-x200", "Router X200")
    other = make_board("smart-plugs", "Smart plugs")
    asker = make_user("asker")
    wifi = make_thread(asker, board, title="Wi-Fi drops every evening on the router",
                       body="The wireless connection drops at 8 pm and comes back later.",
                       tags=["wifi"])
    firmware = make_thread(asker, board, title="Firmware update fails at 90 percent",
                           body="The update stops with an error and the router reboots.",
                           tags=["firmware"])
    plug = make_thread(asker, other, title="Plug schedules run one hour late",
                       body="Since the clock change every schedule runs an hour late.",
                       tags=["schedules"])
    return {"board": board, "other": other, "asker": asker, "wifi": wifi,
            "firmware": firmware, "plug": plug}


def ids(results):
    return [r.doc_id for r in results.items]


def test_search_finds_thread_by_stemmed_word(site):
    results = search.search_page(None, "dropping")
    assert ids(results) == [site["wifi"].id]
    assert "<mark>" in results.items[0].snippet_html


def test_search_requires_every_word(site):
    assert ids(search.search_page(None, "router update")) == [site["firmware"].id]


def test_search_matches_answers(site):
    make_answer(site["plug"], body="Re-save the time zone in the settings of each plug.")
    assert ids(search.search_page(None, "zone")) == [site["plug"].id]


def test_search_phrase_and_exclusion(site):
    assert ids(search.search_page(None, '"hour late"')) == [site["plug"].id]
    assert ids(search.search_page(None, '"late hour"')) == []
    assert ids(search.search_page(None, "router -wireless")) == [site["firmware"].id]


def test_search_filters_board_tag_and_solved(site):
    everything = set(ids(search.search_page(None, "")))
    assert everything == {site["wifi"].id, site["firmware"].id, site["plug"].id}
    assert set(ids(search.search_page(None, "board:router-x200"))) == {
        site["wifi"].id, site["firmware"].id}
    assert ids(search.search_page(None, "tag:schedules")) == [site["plug"].id]
    assert ids(search.search_page(None, "", board="smart-plugs")) == [site["plug"].id]
    assert ids(search.search_page(None, "", board="no-such-board")) == []
    answer = make_answer(site["wifi"])
    threads.accept_answer(site["asker"], site["wifi"].id, answer.id)
    assert ids(search.search_page(None, "is:solved")) == [site["wifi"].id]
    assert site["wifi"].id not in ids(search.search_page(None, "is:unsolved"))
    assert ids(search.search_page(None, "", solved="true")) == [site["wifi"].id]


def test_search_type_kb_is_empty_without_articles(site):
    assert ids(search.search_page(None, "type:kb")) == []
    assert ids(search.search_page(None, "router", doc_type="kb")) == []
    assert len(ids(search.search_page(None, "router", doc_type="thread"))) == 2


def test_search_never_shows_deleted_content(site):
    moderator = make_user(role="moderator")
    threads.delete_post(moderator, site["wifi"].question.id)
    assert ids(search.search_page(None, "evening")) == []
    assert ids(search.search_page(moderator, "evening")) == []
    answer = make_answer(site["plug"], body="Unplug it for thirty seconds to reset it.")
    threads.delete_post(moderator, answer.id)
    assert ids(search.search_page(None, "thirty")) == []


def test_search_sees_edits(site):
    threads.edit_post(site["asker"], site["firmware"].question.id,
                      "The upgrade halts with error E42 and the router restarts.",
                      title="Firmware upgrade halts with error E42")
    assert ids(search.search_page(None, "E42")) == [site["firmware"].id]
    assert ids(search.search_page(None, "percent")) == []


def test_search_ranks_solved_and_voted_higher_at_equal_relevance(app):
    board = make_board()
    first = make_thread(board=board, title="Printer jams on thick paper",
                        body="The printer jams when I print on thick paper.")
    second = make_thread(board=board, title="Printer jams on thick paper",
                         body="The printer jams when I print on thick paper.")
    make_answer(first)
    answer = make_answer(second)
    threads.accept_answer(second.author, second.id, answer.id)
    assert ids(search.search_page(None, "printer jams"))[0] == second.id
    votes.cast_vote(make_voter(), first.question.id, 1)
    votes.cast_vote(make_voter(), first.question.id, 1)
    by_votes = search.search_page(None, "printer", sort="votes")
    assert ids(by_votes) == [first.id, second.id]
    assert ids(search.search_page(None, "printer", sort="newest")) == [second.id, first.id]


def test_search_paginates(app):
    board = make_board()
    made = [make_thread(board=board, title=f"Scanner question number {i}") for i in range(5)]
    page = search.search_page(None, "scanner", page=2, per_page=2, sort="newest")
    assert page.total == 5 and page.pages == 3
    assert ids(page) == [made[2].id, made[1].id]


def test_search_suggests_spelling(site):
    results = search.search_page(None, "firmwre")
    assert results.total == 0
    assert results.suggestion == "firmware"


@pytest.mark.parametrize("bad", [{"sort": "best"}, {"doc_type": "video"}, {"solved": "maybe"}])
def test_search_rejects_bad_options(site, bad):
    from forum.errors import ValidationError

    with pytest.raises(ValidationError):
        search.search_page(None, "router", **bad)


@pytest.mark.parametrize("text", ['"', "-", "board:", "is:", "((", "*", "a" * 400, "ü ß ø",
                                  "' OR 1=1 --", "title:router", '-"unclosed'])
def test_search_accepts_any_text(site, text):
    search.search_page(None, text)


def test_search_escapes_snippets(app):
    make_thread(title="Angle brackets in the log output",
                body="The log shows <script>alert(1)</script> and then stops.")
    html = str(search.search_page(None, "log").items[0].snippet_html)
    assert "<script>" not in html and "alert(1)" in html
