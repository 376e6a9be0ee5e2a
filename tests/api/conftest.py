import pytest

from tests.api.helpers import Api


@pytest.fixture
def api(client):
    """Call the API; pass user=... to sign the request with that user's token."""
    return Api(client)
