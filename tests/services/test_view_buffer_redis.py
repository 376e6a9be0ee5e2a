"""View counts buffered in Redis (ASKDESK_REDIS_URL): shared by every process, none lost
or counted twice. Runs where a Redis server listens (CI and the dev box); skips elsewhere."""
import uuid

import pytest

from forum.services import views
from tests.factories import make_thread

REDIS_URL = "redis://127.0.0.1:6379/15"
pytestmark = pytest.mark.xdist_group("redis-15")  # its tests share that database


@pytest.fixture
def redis_app(make_app, monkeypatch):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379 (CI has one)")
    # A key of the test's own: nothing else that runs meanwhile can add views to it.
    monkeypatch.setattr(views, "REDIS_KEY", f"askdesk:test-views:{uuid.uuid4().hex}")
    monkeypatch.setattr(views.RedisBuffer, "PUSH_SECONDS", 0)  # every view goes to Redis
    # Flushes happen when a test calls for them, never by the clock on a slow machine.
    app = make_app(REDIS_URL=REDIS_URL, VIEW_FLUSH_SECONDS=3600)
    with app.app_context():
        yield app, client
    client.delete(views.REDIS_KEY)


def test_two_processes_share_one_redis_buffer(redis_app, make_app):
    app, client = redis_app
    thread = make_thread()
    other_process = make_app(REDIS_URL=REDIS_URL, VIEW_FLUSH_SECONDS=3600)
    views.record(thread.id)
    with other_process.app_context():
        views.record(thread.id)
    assert int(client.hget(views.REDIS_KEY, str(thread.id))) == 2
    assert views.flush() == 2
    assert not client.exists(views.REDIS_KEY)
    with other_process.app_context():
        assert views.flush() == 0


def test_a_process_adds_its_views_to_redis_once_a_second(redis_app, monkeypatch):
    app, client = redis_app
    monkeypatch.setattr(views.RedisBuffer, "PUSH_SECONDS", 3600)
    thread, other = make_thread(), make_thread()
    for thread_id in (thread.id, thread.id, other.id):
        views.record(thread_id)
    assert not client.exists(views.REDIS_KEY)  # no round trip per view
    buffer = app.extensions["askdesk_views"].buffer
    buffer.push()
    assert client.hgetall(views.REDIS_KEY) == {str(thread.id).encode(): b"2",
                                                str(other.id).encode(): b"1"}
    views.record(thread.id)
    assert views.flush() == 4  # the flush takes this process's unpushed view too


def test_views_not_yet_pushed_reach_redis_when_the_process_ends(redis_app, monkeypatch):
    app, client = redis_app
    monkeypatch.setattr(views.RedisBuffer, "PUSH_SECONDS", 3600)
    thread = make_thread()
    views.record(thread.id)
    views._flush_at_exit(lambda: app)
    assert int(client.hget(views.REDIS_KEY, str(thread.id))) == 1
