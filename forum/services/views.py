"""Thread view counts, buffered: reading a page never writes to the database.

A view is added to a buffer: in the process's memory by default, or in a
Redis hash when `ASKDESK_REDIS_URL` is set (each process adding its views to it
once a second), so that every web node and worker shares one. The buffer goes
to the database as one UPDATE per thread viewed, in one transaction, when it is
older than `VIEW_FLUSH_SECONDS` (checked as views come in), when `flask askdesk
views flush` runs, and when the process exits. A count in memory is lost only if
the process is killed; a count in Redis survives that too (but for the last
second of a killed process's views).
"""
import atexit
import threading
import time
import weakref
from collections import Counter

from flask import Flask, current_app
from sqlalchemy import bindparam, update

from ..extensions import db
from ..models import Thread
from ..transactions import write_transaction

REDIS_KEY = "askdesk:views"


class MemoryBuffer:
    """Views counted in this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[int] = Counter()

    def add(self, thread_id: int) -> None:
        with self._lock:
            self._counts[thread_id] += 1

    def take(self) -> dict[int, int]:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return dict(counts)

    def give_back(self, counts: dict[int, int]) -> None:
        with self._lock:
            self._counts.update(counts)


class RedisBuffer:
    """Views counted in a Redis hash shared by every process of the site.

    Each process gathers its views in memory and adds them to the hash at most every
    PUSH_SECONDS, in one round trip: a page view asks Redis nothing of its own (on a
    cached thread page that was one round trip of three). A process that is killed
    loses at most that much."""

    PUSH_SECONDS = 1.0

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url)
        self._no_such_key = redis.ResponseError
        self._local = MemoryBuffer()
        self._pushed = time.monotonic()

    def add(self, thread_id: int) -> None:
        self._local.add(thread_id)
        if time.monotonic() - self._pushed >= self.PUSH_SECONDS:
            self.push()

    def push(self) -> None:
        """Add this process's views to the shared hash now."""
        self._pushed = time.monotonic()
        counts = self._local.take()
        if counts:
            try:
                self.give_back(counts)
            except Exception:
                self._local.give_back(counts)  # pushed with the next view
                raise

    def take(self) -> dict[int, int]:
        self.push()
        # Renaming is atomic: views added meanwhile start a new hash, none is counted twice.
        batch = f"{REDIS_KEY}:flushing:{time.time_ns()}"
        try:
            self._redis.rename(REDIS_KEY, batch)
        except self._no_such_key:  # no views since the last flush
            return {}
        counts = {int(k): int(v) for k, v in self._redis.hgetall(batch).items()}
        self._redis.delete(batch)
        return counts

    def give_back(self, counts: dict[int, int]) -> None:
        pipe = self._redis.pipeline()
        for thread_id, n in counts.items():
            pipe.hincrby(REDIS_KEY, str(thread_id), n)
        pipe.execute()


class ViewCounter:
    """The app's buffer and when it was last written out."""

    def __init__(self, buffer, flush_seconds: float):
        self.buffer = buffer
        self.flush_seconds = flush_seconds
        self.last_flush = time.monotonic()

    def due(self) -> bool:
        return time.monotonic() - self.last_flush >= self.flush_seconds


def init_app(app: Flask) -> None:
    """Give the app its view buffer, and write what is left in it when the process ends."""
    url = app.config.get("REDIS_URL")
    buffer = RedisBuffer(url) if url else MemoryBuffer()
    app.extensions["askdesk_views"] = ViewCounter(buffer, app.config["VIEW_FLUSH_SECONDS"])
    atexit.register(_flush_at_exit, weakref.ref(app))


def _flush_at_exit(app_ref) -> None:
    app = app_ref()
    if app is None:
        return
    buffer = app.extensions["askdesk_views"].buffer
    if isinstance(buffer, RedisBuffer):
        buffer.push()  # another process writes them to the database
        return
    with app.app_context():
        flush()


def _counter() -> ViewCounter:
    return current_app.extensions["askdesk_views"]


def record(thread_id: int) -> None:
    """Count one view of a thread; write the buffer out when it is due."""
    counter = _counter()
    counter.buffer.add(thread_id)
    if counter.due():
        flush()


def flush() -> int:
    """Add the buffered views to the threads; returns how many views were written."""
    counter = _counter()
    counter.last_flush = time.monotonic()
    counts = counter.buffer.take()
    if not counts:
        return 0
    try:
        with write_transaction():
            db.session.execute(
                update(Thread.__table__)
                .where(Thread.__table__.c.id == bindparam("thread_id"))
                .values(view_count=Thread.__table__.c.view_count + bindparam("views")),
                [{"thread_id": t, "views": n} for t, n in sorted(counts.items())],
            )
    except Exception:
        counter.buffer.give_back(counts)  # try again at the next flush
        raise
    return sum(counts.values())
