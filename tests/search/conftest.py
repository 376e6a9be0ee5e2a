"""Every search test runs on the Whoosh backend, and on PostgreSQL's too when the
test database is PostgreSQL (ASKDESK_TEST_DATABASE_URL)."""
import os

import pytest

from forum import search as search_index
from tests.factories import make_article, make_board, make_thread, make_user

ON_POSTGRES = os.environ.get("ASKDESK_TEST_DATABASE_URL", "").startswith("postgresql")
BACKENDS = ["whoosh", "postgres"] if ON_POSTGRES else ["whoosh"]


@pytest.fixture(params=BACKENDS)
def search_backend(request):
    """The name of the search backend under test."""
    return request.param


@pytest.fixture
def make_app(make_app, search_backend):
    """Apps of these tests use the backend under test."""

    def factory(**config):
        return make_app(**{"SEARCH_BACKEND": search_backend, **config})

    return factory


@pytest.fixture
def locked_index(app, monkeypatch):
    """Index writes fail as if another worker held Whoosh's lock; call the result to unlock."""
    backend = search_index.backend()
    real_upsert = backend.upsert

    def locked(_documents):
        raise search_index.IndexBusy("locked")

    monkeypatch.setattr(backend, "upsert", locked)
    return lambda: monkeypatch.setattr(backend, "upsert", real_upsert)


@pytest.fixture
def kb_site(app):
    """A board with a published article, a draft and a thread that share words."""
    board = make_board("router-x200", "Router X200")
    staff = make_user("staffer", role="staff")
    guide = make_article(staff, board, title="Set a fixed Wi-Fi channel",
                         body="## Steps\n\nOpen the wireless settings and choose channel 44.")
    draft = make_article(staff, board, title="Wireless channel planning for offices",
                         body="A draft about wireless channel planning.", publish=False)
    thread = make_thread(board=board, title="Wireless channel keeps changing",
                         body="The wireless channel changes every evening.")
    return {"board": board, "staff": staff, "guide": guide, "draft": draft, "thread": thread}
