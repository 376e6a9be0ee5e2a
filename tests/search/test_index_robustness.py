"""The index under pressure: a locked Whoosh index, German text, fixed query counts."""
import dataclasses

import pytest

from forum import search as search_index
from forum.search import whoosh_backend
from forum.services import indexing, search
from tests.factories import make_board, make_thread
from tests.web.helpers import text


def test_locked_whoosh_index_queues_the_post_and_retries(app, search_backend, monkeypatch,
                                                         retry_tasks):
    if search_backend != "whoosh":
        pytest.skip("Whoosh's one-writer lock")
    monkeypatch.setattr(whoosh_backend, "WRITE_TIMEOUT_S", 0.05)
    backend = search_index.backend()
    other_worker = backend._index().writer()  # another process holding the lock
    try:
        thread = make_thread(title="Garage door opener beeps twice at night")
    finally:
        other_worker.cancel()
    assert thread.id is not None and indexing.queued_count() == 1
    assert retry_tasks() == 1
    assert indexing.queued_count() == 0
    assert [r.doc_id for r in search.search_page(None, "garage").items] == [thread.id]


@pytest.fixture
def german_app(make_app):
    app = make_app(SITE_LANGUAGE="de")
    with app.app_context():
        yield app


def test_german_site_stems_german_words(german_app):
    thread = make_thread(title="Die Verbindungen brechen jeden Abend ab",
                         body="Seit dem Update brechen alle Verbindungen zum Router ab.")
    assert [r.doc_id for r in search.search_page(None, "Verbindung").items] == [thread.id]
    assert [r.doc_id for r in search.search_page(None, "router -verbindungen").items] == []


def _page_queries(client, count_queries, q):
    with count_queries() as counter:
        response = client.get(f"/search?q={q}")
    assert response.status_code == 200
    return counter.count, text(response)


def test_search_page_runs_the_same_queries_for_3_and_20_results(app, count_queries):
    board = make_board()
    for n in range(3):  # three: fewer would also look up "did you mean"
        make_thread(board=board, title=f"Lonely thermostat question number {n}")
    for n in range(20):
        make_thread(board=board, title=f"Crowded camera question number {n}", tags=["cam"])
    client = app.test_client()  # anonymous: sharing the test's app context is harmless
    one, page_one = _page_queries(client, count_queries, "thermostat")
    many, page_many = _page_queries(client, count_queries, "camera")
    assert "3 results" in page_one and "20 results" in page_many
    assert one == many and one > 0


def test_reindex_replaces_the_schema_of_an_index_from_an_earlier_version(app, search_backend):
    if search_backend != "whoosh":
        pytest.skip("Whoosh stores its schema in the index")
    from whoosh import fields, index

    backend = search_index.backend()
    backend.close()
    old_schema = fields.Schema(key=fields.ID(unique=True, stored=True),
                               boost=fields.NUMERIC(int, sortable=True))
    backend.directory.mkdir(parents=True, exist_ok=True)
    index.create_in(backend.directory, old_schema)  # the numbers were NUMERIC fields once
    thread = make_thread(title="Doorbell chime stays silent")
    assert "title" not in backend._index().schema.names()  # written with the old schema
    assert indexing.reindex() == 1
    stored = backend._index().schema
    assert whoosh_backend._signature(stored) == whoosh_backend._signature(backend._schema)
    assert [r.doc_id for r in search.search_page(None, "chime").items] == [thread.id]


def test_other_processes_writes_are_seen_within_a_second_and_own_writes_at_once(
        make_app, search_backend, monkeypatch):
    if search_backend != "whoosh":
        pytest.skip("PostgreSQL search reads the database")
    now = [1000.0]
    monkeypatch.setattr(whoosh_backend, "_clock", lambda: now[0])
    app = make_app(SEARCH_REFRESH_SECONDS=whoosh_backend.REFRESH_SECONDS)
    with app.app_context():
        backend = search_index.backend()
        thread = make_thread(title="Doorbell chime stays silent")
        assert [r.doc_id for r in search.search_page(None, "chime").items] == [thread.id]
        other_process = whoosh_backend.WhooshBackend(backend.directory.parent, "en")
        document = indexing.thread_documents([thread.id])[thread.id]
        other_process.upsert([dataclasses.replace(document, title="Garage opener is silent")])
        other_process.close()
        assert search.search_page(None, "garage").items == []  # looked under a second ago
        now[0] += whoosh_backend.REFRESH_SECONDS
        assert [r.doc_id for r in search.search_page(None, "garage").items] == [thread.id]
