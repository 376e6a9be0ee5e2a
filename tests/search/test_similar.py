"""Deflection: similar questions while asking, related threads, counted clicks."""
import pytest

from forum import search as search_index
from forum.errors import PermissionDenied
from forum.extensions import db
from forum.services import search, threads
from tests.api.helpers import Api
from tests.factories import make_answer, make_board, make_thread, make_user
from tests.web.helpers import sign_in, text


@pytest.fixture
def printers(app):
    board = make_board("printers", "Printers")
    made = [make_thread(board=board, title=f"Printer paper jam in tray {n} again",
                        body=f"The printer reports a paper jam in tray {n} after every page.")
            for n in range(7)]
    solved = made[6]
    threads.accept_answer(solved.author, solved.id, make_answer(solved).id)
    make_thread(board=board, title="Scanner makes a loud noise",
                body="The scanner makes a grinding noise at start-up.")
    return made


def test_similar_lists_five_threads_solved_first(printers):
    found = search.similar(None, "paper jam in the printer tray")
    assert len(found.threads) == 5 and found.articles == []
    assert found.threads[0].doc_id == printers[6].id
    assert all("Printer" in r.title for r in found.threads)


def test_similar_ignores_short_and_empty_titles(printers):
    assert search.similar(None, "").items == []
    assert search.similar(None, "?!").items == []
    assert search.similar(None, "the and of").items == []


def test_similar_never_shows_deleted_threads(printers):
    only = make_thread(title="Bluetooth keyboard pairing loops forever")
    threads.delete_post(make_user(role="moderator"), only.question.id)
    assert search.similar(None, "bluetooth keyboard pairing").items == []


def test_related_excludes_the_thread_itself(printers):
    related = search.related(None, printers[0])
    ids = [r.doc_id for r in related.threads]
    assert printers[0].id not in ids and len(ids) == 5


def test_api_similar_returns_threads(printers, client):
    response = Api(client).get("/search/similar?title=printer%20paper%20jam")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 5 and len(body["items"]) == 5
    assert body["items"][0]["is_solved"] is True and body["items"][0]["type"] == "thread"
    assert Api(client).get("/search/similar").get_json() == {"items": [], "total": 0}


@pytest.fixture
def web_client(make_app, app):
    return make_app().test_client()


def test_ask_page_has_the_suggestion_box_and_script(printers, web_client):
    sign_in(web_client, make_user())
    page = text(web_client.get("/ask"))
    assert 'id="similar-questions"' in page and "js/similar.js" in page
    assert "<script>" not in page


def test_thread_page_lists_related(printers, web_client):
    page = text(web_client.get(f"/t/{printers[0].id}/{printers[0].slug}"))
    assert "Related" in page and printers[6].title in page  # the solved one ranks first


def test_suggestion_click_is_counted_and_redirects(printers, web_client):
    asker = make_user()
    staff = make_user(role="staff")
    sign_in(web_client, asker)
    target = printers[2]
    response = web_client.get(f"/search/suggested/thread/{target.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{target.id}/{target.slug}")
    web_client.get(f"/search/suggested/thread/{target.id}")
    assert web_client.get("/search/suggested/video/1").status_code == 404
    assert web_client.get("/search/suggested/thread/999999").status_code == 404
    db.session.rollback()  # see what the web app committed
    stats = search.deflection_stats(staff)
    assert (stats.clicks, stats.people) == (2, 1)
    assert stats.top[0][0].id == target.id and stats.top[0][1] == 2
    assert web_client.get("/search/deflection").status_code == 403
    with pytest.raises(PermissionDenied):
        search.deflection_stats(asker)
    web_client.post("/logout")
    sign_in(web_client, staff)
    assert "Answered before asked" in text(web_client.get("/search/deflection"))


def test_related_is_remembered_until_a_write_and_never_shows_deleted_threads(make_app, monkeypatch):
    app = make_app(CACHE_TYPE="SimpleCache")
    with app.app_context():
        board = make_board()
        made = [make_thread(board=board, title=f"Printer paper jam in tray {n} again")
                for n in range(3)]
        backend = search_index.backend()
        searches = []
        real_similar = backend.similar
        monkeypatch.setattr(backend, "similar",
                            lambda *a, **kw: searches.append(a) or real_similar(*a, **kw))
        for _ in range(2):
            first = [r.doc_id for r in search.related(None, made[0]).threads]
            assert sorted(first) == [made[1].id, made[2].id]
        assert len(searches) == 2  # threads and articles, searched once for both views
        threads.delete_post(make_user(role="moderator"), made[1].question.id)
        again = [r.doc_id for r in search.related(None, made[0]).threads]
        assert again == [made[2].id]
