"""The site's content generation: a number that changes after every committed write.

Cached pages are stored under the generation they were rendered in, so a
write makes every earlier page unreachable at once, in every process: no
service has to know which pages show what it changed. `write_transaction()`
calls `bump()` after each commit; a page reads `current()` before it reads
the database, so a page that missed a write is always filed under an older
generation than the one the write's bump left.

The generation lives where every process sees it: in Redis when
`ASKDESK_REDIS_URL` is set, else in a file of the instance folder that grows
by one byte per write (its size is the generation, so reading it is one
`stat` and bumping it one atomic append).
"""
import logging
import os
import time
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger(__name__)

REDIS_KEY = "askdesk:page-generation"


class FileGeneration:
    """The generation as the size of a file; its modification time says when it changed."""

    def __init__(self, path: Path):
        self.path = str(path)
        path.touch(exist_ok=True)

    def current(self) -> tuple[int, float]:
        status = os.stat(self.path)
        return status.st_size, status.st_mtime

    def bump(self) -> None:
        # O_APPEND writes are atomic: concurrent bumps each add their byte.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, b".")
        finally:
            os.close(fd)


class RedisGeneration:
    """The generation as a Redis counter, with the time of its last change beside it."""

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url)

    def current(self) -> tuple[int, float]:
        number, changed = self._redis.mget(REDIS_KEY, REDIS_KEY + ":at")
        return int(number or 0), float(changed or 0)

    def bump(self) -> None:
        # One round trip, without MULTI/EXEC: the time beside the number is a hint.
        (self._redis.pipeline(transaction=False)
         .incr(REDIS_KEY).set(REDIS_KEY + ":at", time.time()).execute())


def init_app(app: Flask) -> None:
    """Give the app its generation store."""
    url = app.config.get("REDIS_URL")
    store = RedisGeneration(url) if url else FileGeneration(
        Path(app.config["INSTANCE_DIR"]) / "page-generation")
    app.extensions["askdesk_page_generation"] = store


def current() -> tuple[int, float]:
    """(generation, Unix time of its last change)."""
    return current_app.extensions["askdesk_page_generation"].current()


def bump() -> None:
    """Make every page rendered before now stale; called after each committed write."""
    try:
        current_app.extensions["askdesk_page_generation"].bump()
    except Exception:  # the write is committed: report it; cached pages time out
        log.exception("could not bump the page generation")
