"""KB articles on the search page, in the search API, the ask page's suggestions and
"Related" lists."""
import pytest

from forum.extensions import db
from forum.services import kb, search, threads
from tests.api.helpers import Api, assert_error
from tests.factories import make_answer, make_article, make_board, make_thread, make_user
from tests.web.helpers import sign_in, text


@pytest.fixture
def web_client(make_app, app):
    return make_app().test_client()


def test_api_search_returns_articles_in_the_documented_shape(kb_site, client):
    api = Api(client)
    body = api.get("/search?q=wireless&type=kb").get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert set(item) == {"type", "id", "title", "url", "snippet_html", "score", "is_solved"}
    assert item["type"] == "kb" and item["id"] == kb_site["guide"].id
    assert item["url"] == f"/kb/{kb_site['guide'].slug}"
    assert item["title"] == "Set a fixed Wi-Fi channel" and item["is_solved"] is False
    assert "<mark>" in item["snippet_html"] and item["score"] > 0
    assert {i["type"] for i in api.get("/search?q=wireless").get_json()["items"]} == {
        "kb", "thread"}
    assert api.get("/search?q=type:kb%20planning").get_json()["total"] == 0


def test_api_search_never_lists_drafts_even_for_staff(kb_site, client):
    api, staff = Api(client), kb_site["staff"]
    assert api.get("/search?q=planning", user=staff).get_json()["total"] == 0
    similar = api.get("/search/similar?title=wireless%20channel%20planning", user=staff)
    listed = [(i["type"], i["id"]) for i in similar.get_json()["items"]]
    assert ("thread", kb_site["thread"].id) in listed and ("kb", kb_site["draft"].id) not in listed


def test_api_similar_lists_threads_then_articles(kb_site, client):
    body = Api(client).get("/search/similar?title=wireless%20channel").get_json()
    assert [(i["type"], i["id"]) for i in body["items"]] == [
        ("thread", kb_site["thread"].id), ("kb", kb_site["guide"].id)]
    assert body["total"] == 2 and body["items"][1]["url"] == f"/kb/{kb_site['guide'].slug}"


def test_api_kb_results_match_the_openapi_document(kb_site, client):
    api = Api(client)
    spec = api.get("/openapi.json").get_json()["components"]["schemas"]
    item = api.get("/search?type=kb").get_json()["items"][0]
    assert set(item) == set(spec["SearchResult"]["properties"])
    assert item["type"] in spec["SearchResult"]["properties"]["type"]["enum"]
    similar = api.get("/search/similar?title=fixed%20channel").get_json()
    assert set(similar["items"][0]) == set(spec["SearchResult"]["properties"])


def test_api_search_rejects_an_unknown_type(kb_site, client):
    assert_error(Api(client).get("/search?q=wireless&type=article"), 422,
                 "validation_failed", "type")


def test_search_page_marks_articles_and_filters_by_type(kb_site, web_client):
    page = text(web_client.get("/search?q=wireless"))
    assert "Knowledge base" in page and f'href="/kb/{kb_site["guide"].slug}"' in page
    assert "Wireless channel keeps changing" in page and "planning" not in page
    only_kb = text(web_client.get("/search?q=wireless&type=kb"))
    assert "Set a fixed Wi-Fi channel" in only_kb
    assert "Wireless channel keeps changing" not in only_kb
    assert 'name="type" value="kb"' in only_kb  # a new query keeps the filter
    only_threads = text(web_client.get("/search?q=wireless+type:thread"))
    assert "Set a fixed Wi-Fi channel" not in only_threads
    assert web_client.get("/search?type=video").status_code == 422


def test_thread_page_lists_related_articles(kb_site, web_client):
    page = text(web_client.get(f"/t/{kb_site['thread'].id}/{kb_site['thread'].slug}"))
    assert "Related" in page and f'href="/kb/{kb_site["guide"].slug}"' in page


def test_ask_page_labels_articles_for_the_script(kb_site, web_client):
    sign_in(web_client, make_user())
    page = text(web_client.get("/ask"))
    assert 'data-kb-label="Knowledge base"' in page


def test_article_page_lists_related_articles_and_solved_threads_by_search(kb_site, web_client):
    other_board = make_board()
    staff = kb_site["staff"]
    similar = make_article(staff, other_board, title="Pick a fixed Wi-Fi channel by hand")
    unrelated = make_article(staff, kb_site["board"], title="Mount the router on a wall")
    solved = make_thread(board=other_board, title="Which fixed Wi-Fi channel is best?")
    threads.accept_answer(solved.author, solved.id, make_answer(solved).id)
    page = text(web_client.get(f"/kb/{kb_site['guide'].slug}"))
    assert similar.title in page and unrelated.title not in page
    assert solved.title in page
    assert "Wireless channel keeps changing" not in page  # unsolved: not "solved in the community"


def test_suggestion_click_on_an_article_is_counted_and_redirects(kb_site, web_client):
    sign_in(web_client, make_user())
    guide_id, slug = kb_site["guide"].id, kb_site["guide"].slug
    response = web_client.get(f"/search/suggested/kb/{guide_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kb/{slug}")
    assert web_client.get(f"/search/suggested/kb/{kb_site['draft'].id}").status_code == 404
    kb.archive_article(kb_site["staff"], slug)
    assert web_client.get(f"/search/suggested/kb/{guide_id}").status_code == 404
    db.session.rollback()
    assert search.deflection_stats(kb_site["staff"]).clicks == 1


def _search_queries(client, count_queries, q) -> tuple[int, str]:
    with count_queries() as counter:
        response = client.get(f"/search?q={q}&type=kb")
    assert response.status_code == 200
    return counter.count, text(response)


def test_search_page_runs_the_same_queries_for_3_and_20_articles(app, count_queries):
    staff, board = make_user(role="staff"), make_board()
    for n in range(3):  # three: fewer would also look up "did you mean"
        make_article(staff, board, title=f"Calibrate the thermostat sensor, step {n}")
    for n in range(20):
        make_article(staff, board, title=f"Camera setup guide number {n}")
    client = app.test_client()
    few, page_few = _search_queries(client, count_queries, "thermostat")
    many, page_many = _search_queries(client, count_queries, "camera")
    assert "3 results" in page_few and "20 results" in page_many
    assert few == many and few > 0
