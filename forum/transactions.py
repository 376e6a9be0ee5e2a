"""Write transactions that behave under concurrency on SQLite and PostgreSQL.

SQLite in WAL mode lets readers run beside one writer, but a transaction
that starts as a reader and later writes fails at once with "database is
locked" when another writer got in first; the busy timeout does not help
it. So every service that writes runs inside `write_transaction()`, which
ends any read transaction the request had open and makes the next BEGIN a
`BEGIN IMMEDIATE`: the write lock is taken first, and concurrent writers
wait for it (trying again every half millisecond, then on the busy timeout)
instead of failing. Read-only requests keep plain deferred transactions and
never wait for a writer. The BEGIN goes out with the block's first statement,
so what a service does before its first query (validating and rendering text)
runs outside the lock.
"""
import contextvars
import functools
import sqlite3
import time
from contextlib import contextmanager

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from . import page_generation
from .db_session import READING_BINDS
from .db_session import writing as _immediate
from .extensions import db
from .models import User

_after_commit = contextvars.ContextVar("askdesk_after_commit", default=None)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A write transaction waiting for another's lock tries again this often, for this long;
# after that SQLite's own busy handler waits for the rest of the busy timeout.
SQLITE_LOCK_POLL_SECONDS = 0.0005
SQLITE_LOCK_POLL_FOR_SECONDS = 5.0
# A pooled PostgreSQL connection is checked with a ping only after this long unused.
PING_AFTER_IDLE_SECONDS = 10


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
        if not _immediate.get():
            connection.exec_driver_sql("BEGIN")
        elif not _took_write_lock(connection.connection.driver_connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits on the busy timeout


def _took_write_lock(sqlite_connection) -> bool:
    """Try BEGIN IMMEDIATE every SQLITE_LOCK_POLL_SECONDS until it gets the write lock
    (True) or SQLITE_LOCK_POLL_FOR_SECONDS have passed (False).

    SQLite's busy handler sleeps 1, 2, 5, 10, 15, 20, 25 ms ... between its tries, so a
    writer that had to wait slept on after the lock was free, and the web worker that
    had just written took it again for its next request: under a stream of answers one
    worker used 69% of a core and the other 38%, while the lock lay idle between them
    (58% each with this; bench/RESULTS.md, session 13)."""
    deadline = time.monotonic() + SQLITE_LOCK_POLL_FOR_SECONDS
    sqlite_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                sqlite_connection.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                    raise
            if time.monotonic() > deadline:
                return False
            time.sleep(SQLITE_LOCK_POLL_SECONDS)
    finally:
        sqlite_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def tune_postgres(app, engine: Engine) -> None:
    """Let web requests read in autocommit mode (forum/db_session.py), and check a pooled
    connection only when it has been idle.

    SQLAlchemy's pre-ping is a round trip before every checkout: a third of the signed-in
    thread page's. A connection used moments ago is as good as the ping would find it;
    one idle longer is pinged and, if the server dropped it, replaced before the request
    sees it. If the server restarts, the requests that had just used a connection fail
    once, and the pool then replaces all of them (SQLAlchemy's handling of a disconnect).
    """
    reading = engine.execution_options(isolation_level="AUTOCOMMIT")
    app.extensions.setdefault(READING_BINDS, {})[engine] = reading

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")  # none: a new connection
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError() from error  # the pool connects anew and retries


@contextmanager
def write_transaction(*, keep_loaded: bool = False):
    """Run the block in one write transaction: commit at the end, roll back on error.

    With `keep_loaded`, the objects the block loaded keep their values after the commit
    instead of being read again on their next use: for a service whose caller only
    shows what it wrote (an answer's API response read the post, its author and thread
    again, three queries). Its statements keep the session's objects in step (counters,
    last activity). They stay as they are until the session's next write transaction or
    its end (a request's), so a caller that goes on reading what other sessions change
    must expire them itself.
    """
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
        if keep_loaded:
            _commit_keeping_loaded(session)
        else:
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
    _commit_keeping_loaded(session)
    for instance in list(session.identity_map.values()):
        if not isinstance(instance, User):
            session.expire(instance)


def _commit_keeping_loaded(session) -> None:
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


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


def transactional(fn=None, *, keep_loaded: bool = False):
    """Decorate a service function so that it runs in `write_transaction()`
    (`@transactional`, or `@transactional(keep_loaded=True)`)."""
    if fn is None:
        return functools.partial(transactional, keep_loaded=keep_loaded)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with write_transaction(keep_loaded=keep_loaded):
            return fn(*args, **kwargs)

    return wrapper
