"""Write transactions that behave under concurrency on SQLite and PostgreSQL.

SQLite in WAL mode lets readers run beside one writer, but a transaction
that starts as a reader and later writes fails at once with "database is
locked" when another writer got in first; the busy timeout does not help
it. So every service that writes runs inside `write_transaction()`, which
ends any read transaction the request had open and makes the next BEGIN a
`BEGIN IMMEDIATE`: the write lock is taken first, and concurrent writers
queue on the busy timeout instead of failing. Read-only requests keep plain
deferred transactions and never wait for a writer. The BEGIN goes out with the
block's first statement, so what a service does before its first query
(validating and rendering text) runs outside the lock.
"""
import contextvars
import functools
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import page_generation
from .extensions import db
from .models import User

_immediate = contextvars.ContextVar("askdesk_immediate_begin", default=False)
_after_commit = contextvars.ContextVar("askdesk_after_commit", default=None)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def tune_sqlite(engine: Engine) -> None:
    """Set WAL, foreign keys and a busy timeout, and let us issue BEGIN ourselves."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to SQLAlchemy's "begin" event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


@contextmanager
def write_transaction():
    """Run the block in one write transaction: commit at the end, roll back on error."""
    session = db.session()
    if _immediate.get():  # nested service call: the outer one commits
        yield session
        return
    if session.in_transaction():
        _end_read_transaction(session)
    token = _immediate.set(True)
    callbacks: list = []
    callbacks_token = _after_commit.set(callbacks)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _immediate.reset(token)
        _after_commit.reset(callbacks_token)
    page_generation.bump()  # cached pages rendered before this commit are stale now
    try:
        for callback, args in callbacks:
            callback(*args)
    finally:
        if callbacks:  # and pages rendered before they ran (the search index's related threads)
            page_generation.bump()


def _end_read_transaction(session) -> None:
    """Commit the request's read transaction (nothing is pending), which SQLite could not
    turn into a writer. What it loaded is read again under the write lock, except users:
    the signed-in user, loaded as the request began, is the request's own view of itself
    (its privileges checked against points a few milliseconds old), and reading it again
    cost every write a query."""
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    for instance in list(session.identity_map.values()):
        if not isinstance(instance, User):
            session.expire(instance)


def after_commit(callback, *args) -> None:
    """Call `callback(*args)` once the current write transaction has committed.

    Services use it for side effects that must only see committed data and
    must not undo the write when they fail, such as updating the search index.
    Outside a write transaction the call runs at once.
    """
    callbacks = _after_commit.get()
    if callbacks is None or not _immediate.get():
        callback(*args)
    elif (callback, args) not in callbacks:
        callbacks.append((callback, args))


def transactional(fn):
    """Decorate a service function so that it runs in `write_transaction()`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with write_transaction():
            return fn(*args, **kwargs)

    return wrapper
