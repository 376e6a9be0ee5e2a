"""The search page, the header box, the API endpoints and the reindex command."""
import pytest

from forum import search as search_index
from forum.search import postgres_backend, whoosh_backend
from forum.services import indexing
from forum.web import search as web_search
from tests.api.helpers import Api, assert_error
from tests.factories import make_board, make_thread
from tests.web.helpers import text


@pytest.fixture
def site(app):
    board = make_board("router-x200", "Router X200")
    wifi = make_thread(board=board, title="Wi-Fi drops every evening on the router",
                       body="The wireless connection drops at 8 pm <b>bold</b>.", tags=["wifi"])
    plug = make_thread(title="Plug schedules run one hour late",
                       body="Since the clock change every schedule runs an hour late.")
    return {"board": board, "wifi": wifi, "plug": plug}


@pytest.fixture
def web_client(make_app, app):
    return make_app().test_client()


def test_search_page_shows_highlighted_results(site, web_client):
    response = web_client.get("/search?q=wireless")
    assert response.status_code == 200
    page = text(response)
    assert "Wi-Fi drops every evening" in page and "<mark>wireless</mark>" in page
    assert "Plug schedules" not in page


def test_search_page_suggests_spelling_and_handles_empty(site, web_client):
    assert "Did you mean" in text(web_client.get("/search?q=scedules"))
    assert web_client.get("/search").status_code == 200
    assert web_client.get("/search?q=%00").status_code == 422
    assert web_client.get("/search?q=x&sort=bogus").status_code == 422
    assert web_client.get("/search?q=x&page=abc").status_code == 404


def test_header_box_on_every_page_and_board_pages_search_the_board(site, web_client):
    assert 'action="/search"' in text(web_client.get("/"))
    board_page = text(web_client.get("/b/router-x200"))
    assert 'name="board" value="router-x200"' in board_page
    within = text(web_client.get("/search?q=late&board=router-x200"))
    assert "Plug schedules" not in within and "Searching in" in within


def test_api_search_returns_the_documented_shape(site, client):
    api = Api(client)
    response = api.get("/search?q=wireless")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert set(item) == {"type", "id", "title", "url", "snippet_html", "score", "is_solved"}
    assert item["type"] == "thread" and item["id"] == site["wifi"].id
    assert item["url"] == f"/t/{site['wifi'].id}/{site['wifi'].slug}"
    assert "<mark>" in item["snippet_html"] and "<b>" not in item["snippet_html"]
    assert api.get("/search?q=&board=router-x200").get_json()["total"] == 1
    assert api.get("/search?q=late&type=kb").get_json() == {
        "items": [], "total": 0, "total_exact": True, "page": 1, "per_page": 20,
        "suggestion": None}
    assert api.get("/search?solved=true").get_json()["total"] == 0


@pytest.mark.parametrize("query,field", [
    ("q=%00", "q"), ("type=video", "type"), ("solved=maybe", "solved"), ("sort=x", "sort"),
    ("per_page=500", "per_page"), ("q=" + "a" * 600, "q"),
])
def test_api_search_rejects_bad_parameters(site, client, query, field):
    assert_error(Api(client).get(f"/search?{query}"), 422, "validation_failed", field)


def test_reindex_rebuilds_from_the_database(site, runner):
    backend = search_index.backend()
    backend.rebuild([], lambda n: None)
    assert backend.count() == 0
    result = runner.invoke(args=["askdesk", "search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents" in result.output
    assert backend.count() == 2
    status = runner.invoke(args=["askdesk", "search", "status"])
    assert "documents: 2" in status.output and "queued: 0" in status.output


def test_failed_index_write_keeps_post_and_is_retried(app, locked_index, retry_tasks):
    thread = make_thread(title="Doorbell chime is silent after pairing")
    assert thread.id and indexing.queued_count() == 1
    locked_index()  # unlocked
    assert retry_tasks() == 1
    assert indexing.queued_count() == 0
    assert search_index.backend().search(search_index.parse("doorbell"), sort="relevance", page=1,
                          per_page=5).total == 1


def test_api_search_fields_match_the_openapi_document(site, client):
    api = Api(client)
    spec = api.get("/openapi.json").get_json()["components"]["schemas"]
    body = api.get("/search?q=wireless").get_json()
    assert set(body) == set(spec["SearchResults"]["properties"])
    assert set(body["items"][0]) == set(spec["SearchResult"]["properties"])
    similar = api.get("/search/similar?title=wifi%20drops").get_json()
    assert set(similar) == set(spec["SimilarResults"]["properties"])


@pytest.mark.parametrize("query", ["title=" + "a" * 301, "title=%00"])
def test_api_similar_rejects_bad_titles(site, client, query):
    assert_error(Api(client).get(f"/search/similar?{query}"), 422, "validation_failed", "title")


def test_broad_query_shows_an_estimated_total(site, client, web_client, monkeypatch):
    monkeypatch.setattr(whoosh_backend, "RANKED_MATCHES", 1)
    monkeypatch.setattr(postgres_backend, "RANKED_MATCHES", 1)
    monkeypatch.setattr(web_search, "PER_PAGE", 1)
    for n in range(3):
        make_thread(board=site["board"], title=f"Router question {n}")
    body = Api(client).get("/search?q=router&per_page=1").get_json()
    assert body["total_exact"] is False and body["total"] >= 1 and len(body["items"]) == 1
    assert f"About {body['total']} results" in text(web_client.get("/search?q=router"))
