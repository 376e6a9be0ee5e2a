"""Votes change a thread's place in search results at the end of a window, together."""
from datetime import datetime

from sqlalchemy import select

from forum import tasks
from forum.extensions import db
from forum.models import QueuedTask
from forum.services import indexing, search, votes
from forum.timeutil import utcnow
from tests.factories import make_board, make_thread, make_voter


def test_window_end_is_the_next_boundary_counted_from_the_epoch():
    assert indexing.window_end(datetime(2030, 5, 17, 12, 0, 0), 60) == datetime(2030, 5, 17, 12, 1)
    assert indexing.window_end(datetime(2030, 5, 17, 12, 0, 59, 999), 60) == \
        datetime(2030, 5, 17, 12, 1)
    assert indexing.window_end(datetime(2030, 5, 17, 12, 7, 30), 600) == \
        datetime(2030, 5, 17, 12, 10)


def _by_votes() -> list[int]:
    return [r.doc_id for r in search.search_page(None, "printer", sort="votes").items]


def test_votes_in_one_window_share_one_index_write_at_its_end(app, monkeypatch):
    app.config["SEARCH_RESCORE_SECONDS"] = 60
    board = make_board()
    jams = make_thread(board=board, title="Printer jams on the second page")
    blank = make_thread(board=board, title="Printer prints blank pages")
    assert _by_votes() == [blank.id, jams.id]  # no votes yet: the newest first
    written = []
    write = indexing.write_documents
    monkeypatch.setattr(indexing, "write_documents",
                        lambda doc_type, ids: written.append(list(ids)) or write(doc_type, ids))

    voters = [make_voter(), make_voter()]
    before = utcnow()
    for voter in voters:
        assert votes.cast_vote(voter, jams.question.id, 1)[0] > 0

    assert written == [] and _by_votes() == [blank.id, jams.id]  # not yet in the index
    due = set(db.session.scalars(select(QueuedTask.run_after)))
    # the end of the minute they were cast in (of the next, if it turned between them)
    assert due <= {indexing.window_end(before, 60), indexing.window_end(utcnow(), 60)}
    assert all(when > utcnow() for when in due)
    tasks.make_due()
    assert tasks.run_pending() == 2
    assert written == [[jams.id]]  # both votes, one write
    assert _by_votes() == [jams.id, blank.id]


def test_without_a_window_a_vote_reaches_the_index_at_once(app):
    board = make_board()
    jams = make_thread(board=board, title="Printer jams on the second page")
    blank = make_thread(board=board, title="Printer prints blank pages")
    votes.cast_vote(make_voter(), jams.question.id, 1)
    assert _by_votes() == [jams.id, blank.id]
    assert indexing.queued_count() == 0
