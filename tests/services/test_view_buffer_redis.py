"""View counts buffered in Redis (ASKDESK_REDIS_URL): shared by every process, none lost
or counted twice. Runs where a Redis server listens (CI and the dev box); skips elsewhere."""
import pytest

from forum.services import views
from tests.factories import make_thread

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_app(make_app):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379 (CI has one)")
    client.delete(views.REDIS_KEY)
    app = make_app(REDIS_URL=REDIS_URL)
    with app.app_context():
        yield app, client
    client.delete(views.REDIS_KEY)


def test_two_processes_share_one_redis_buffer(redis_app, make_app):
    app, client = redis_app
    thread = make_thread()
    other_process = make_app(REDIS_URL=REDIS_URL)
    views.record(thread.id)
    with other_process.app_context():
        views.record(thread.id)
    assert int(client.hget(views.REDIS_KEY, str(thread.id))) == 2
    assert views.flush() == 2
    assert not client.exists(views.REDIS_KEY)
    with other_process.app_context():
        assert views.flush() == 0
