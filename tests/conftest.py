"""Test fixtures: an app on a migrated database (SQLite, or PostgreSQL when
ASKDESK_TEST_DATABASE_URL is set), emptied after every test. Each pytest-xdist worker
has a database of its own; the tests of a module that share a Redis database run in
one worker (`pytest.mark.xdist_group`, with `--dist loadgroup`)."""
import os
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from forum.schema import upgrade
from sqlalchemy import create_engine, event, make_url, text

from forum import create_app, tasks, timeutil
from forum.extensions import db
from forum.search.postgres_backend import TABLE as SEARCH_TABLE

# Under `pytest -n N` (pytest-xdist, as `make test` runs) each worker has a name, "gw0"...
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
BASE_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "SERVER_NAME": None,
    # Every test sees fresh results; tests of the cache turn it on.
    "CACHE_TYPE": "NullCache",
    # Top helpers are counted by a task into the shared cache, on every look.
    "SHARED_CACHE_TYPE": "SimpleCache",
    "LEADERS_CACHE_SECONDS": 0,
    # Mail and index updates run in the request, so each test sees their effect at once.
    "TASKS_MODE": "inline",
    # Apps of one test act as different processes sharing an index: each sees the others'
    # writes at once (in production within a second; tests of that set it).
    "SEARCH_REFRESH_SECONDS": 0,
    # A vote's score is in the index at once (tests of the window set it).
    "SEARCH_RESCORE_SECONDS": 0,
    # A rebuild in one process (its sorted pool on disk); tests of the parallel one set it.
    "SEARCH_BUILD_PROCS": 1,
}


def shared_path(*parts: str) -> Path:
    """A path under ../shared/, skipping the test when a user's clone has none."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (present in CI, not in a plain clone)")
    return path


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database with the schema built by the migrations, once per run."""
    url = os.environ.get("ASKDESK_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    elif WORKER:
        url = _worker_database(url, WORKER)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return url


def _worker_database(url: str, worker: str) -> str:
    """A PostgreSQL database of its own for one pytest-xdist worker, beside the one given
    (created on first use; the tests build its schema)."""
    given = make_url(url)
    own = given.set(database=f"{given.database}_{worker}")
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": own.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture
def make_app(database_url, tmp_path, monkeypatch):
    """Build an app with extra config; every app of a test shares its database."""
    monkeypatch.setenv("ASKDESK_INSTANCE_DIR", str(tmp_path / "instance"))
    apps = []

    def factory(**config):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **config})
        apps.append(app)
        return app

    yield factory
    if apps:
        with apps[0].app_context():
            _empty_database()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _empty_database():
    db.session.remove()
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            # The full-text search table is PostgreSQL's alone, outside the models.
            tables.append(SEARCH_TABLE)
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # The audit log's append-only triggers would refuse the DELETE: lift them meanwhile.
            triggers = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                conn.execute(text(f"DROP TRIGGER {name}"))
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))
            for _name, sql in triggers:
                conn.execute(text(sql))


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Clock:
    """A settable "now" for the services that read forum.timeutil.utcnow (the ledger)."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> datetime:
        self.now = when
        return when


@pytest.fixture
def clock(monkeypatch):
    """Freeze the ledger's clock at noon UTC on 17 May 2030; tests move it on."""
    frozen = Clock(datetime(2030, 5, 17, 12, 0))
    monkeypatch.setattr(timeutil, "utcnow", frozen)
    return frozen


class QueryCounter:
    """Counts the SQL statements (not BEGIN/COMMIT) run while it is active."""

    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    @contextmanager
    def counting():
        counter = QueryCounter()

        def record(_conn, _cursor, statement, *_args):
            if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)", statement, re.I):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


def login(client, user, password="correct horse battery"):
    """Sign `user` in through the login form."""
    return client.post(
        "/login", data={"login": user.username, "password": password}, follow_redirects=False
    )


@pytest.fixture
def retry_tasks(monkeypatch):
    """Run the queued tasks once the first retry delay has passed; returns how many ran."""

    def run() -> int:
        assert tasks.run_pending() == 0  # before the delay, nothing is due
        later = timeutil.utcnow() + tasks.retry_delay(1)
        with monkeypatch.context() as clock:
            clock.setattr(tasks, "utcnow", lambda: later)
            return tasks.run_pending()

    return run
