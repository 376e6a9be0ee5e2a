"""Every search test runs on the Whoosh backend, and on PostgreSQL's too when the
test database is PostgreSQL (ASKDESK_TEST_DATABASE_URL)."""
import os

import pytest

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
