"""The schema comes from the migrations and matches the models; SQLite is tuned."""
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from forum import transactions
from forum.extensions import db
from forum.models import Board
from forum.search.postgres_backend import TABLE as SEARCH_TABLE
from forum.transactions import write_transaction
from tests.factories import make_board

ROOT = Path(__file__).resolve().parent.parent


def _is_model_table(name, type_, _parent_names) -> bool:
    # The PostgreSQL full-text backend's table is created by the migrations but is no model.
    return not (type_ == "table" and name == SEARCH_TABLE)


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _is_model_table})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def _holding_the_write_lock(path: Path, seconds: float, released: list) -> threading.Thread:
    """Another writer: a connection that holds SQLite's write lock for `seconds`, then
    appends the time it let go to `released`."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def release():
        threading.Event().wait(seconds)
        holder.execute("COMMIT")
        released.append(time.monotonic())
        holder.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_a_sqlite_writer_takes_the_write_lock_soon_after_it_is_free(tmp_path, monkeypatch):
    sleeps = []
    monkeypatch.setattr(transactions.time, "sleep", lambda seconds: sleeps.append(seconds)
                        or threading.Event().wait(seconds))
    path = tmp_path / "site.sqlite3"
    waiting = sqlite3.connect(path, isolation_level=None)
    waiting.execute("PRAGMA journal_mode=WAL")
    waiting.execute("PRAGMA busy_timeout=30000")
    released = []
    holder = _holding_the_write_lock(path, 0.13, released)
    assert transactions._took_write_lock(waiting)
    took = time.monotonic()
    holder.join()
    # SQLite's own handler, having slept 1+2+5+10+15+20+25+25+25 ms, would sleep 50 more.
    assert took - released[0] < 0.03 and waiting.in_transaction
    assert sleeps and max(sleeps) <= 0.001
    assert waiting.execute("PRAGMA busy_timeout").fetchone() == (30000,)


def test_a_sqlite_writer_stops_polling_and_leaves_the_rest_to_the_busy_timeout(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(transactions, "SQLITE_LOCK_POLL_FOR_SECONDS", 0.05)
    path = tmp_path / "site.sqlite3"
    waiting = sqlite3.connect(path, isolation_level=None)
    waiting.execute("PRAGMA busy_timeout=30000")
    holder = _holding_the_write_lock(path, 0.3, [])
    assert not transactions._took_write_lock(waiting)
    assert not waiting.in_transaction
    assert waiting.execute("PRAGMA busy_timeout").fetchone() == (30000,)
    holder.join()


def test_boards_cli_creates_board(runner):
    result = runner.invoke(args=["askdesk", "boards", "create", "router-x200",
                                 "--name", "Router X200", "--description", "Home router"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["askdesk", "boards", "create", "Bad Slug!", "--name", "X"])
    assert bad.exit_code != 0 and "Slug" in bad.output
    again = runner.invoke(args=["askdesk", "boards", "create", "router-x200", "--name", "X"])
    assert again.exit_code != 0 and "exists" in again.output


def test_postgresql_pool_is_small_per_process_and_set_from_the_environment(monkeypatch,
                                                                          tmp_path):
    from forum.config import load_config

    monkeypatch.setenv("ASKDESK_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("ASKDESK_DATABASE_URL", "postgresql+psycopg://askdesk@db.internal/askdesk")
    monkeypatch.setenv("ASKDESK_DB_POOL_SIZE", "4")
    options = load_config()["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"]) == (4, 3)
    assert "pool_pre_ping" not in options  # idle connections are pinged: tune_postgres
    monkeypatch.setenv("ASKDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'site.sqlite3'}")
    assert "pool_size" not in load_config()["SQLALCHEMY_ENGINE_OPTIONS"]



def _in_own_transaction() -> bool:
    """Whether the session's last statement ran inside a transaction begun before it
    (PostgreSQL: in autocommit mode each statement is a transaction of its own)."""
    return not db.session.scalar(text("SELECT transaction_timestamp() = statement_timestamp()"))


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's sessions; SQLite's transactions are in-process calls")


def test_postgresql_requests_read_outside_transactions_and_write_inside_them(app):
    _postgresql_only()
    with app.test_request_context("/"):
        assert not _in_own_transaction()  # no BEGIN and no ROLLBACK round trips
        with pytest.raises(ZeroDivisionError), write_transaction():
            assert _in_own_transaction()
            make_board("probe")  # a service inside another: committed with the outer one
            assert db.session.scalar(select(Board.id).where(Board.slug == "probe"))
            1 / 0  # noqa: B018  the outer one fails: nothing of it is kept
        assert db.session.scalar(select(Board.id).where(Board.slug == "probe")) is None
        assert not _in_own_transaction()
    with app.app_context():  # commands and task runners keep their transactions
        assert _in_own_transaction()
        db.session.rollback()


def test_postgresql_pings_only_connections_that_were_idle(app, monkeypatch):
    _postgresql_only()
    pings = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping",
                        lambda connection: pings.append(1) or real_ping(connection))
    db.engine.dispose()  # connections opened from here on, inside this test

    def backend_pid() -> int:
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()  # back to the pool
        return pid

    first = backend_pid()
    assert backend_pid() == first and pings == []  # used a moment ago: not pinged
    other = create_engine(db.engine.url, poolclass=NullPool)  # not a pooled connection
    with other.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    other.dispose()
    monkeypatch.setattr(transactions, "PING_AFTER_IDLE_SECONDS", 0)
    assert backend_pid() != first and pings  # pinged, found gone, replaced unseen


def _statement_plans(count_queries, load, marker: str) -> list[str]:
    """SQLite's plans of the statements `load()` runs that contain `marker`."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("plans are checked on SQLite; PostgreSQL picks by table size")
    with count_queries() as counter:
        load()
    plans = []
    with db.engine.connect() as conn:
        for statement in (s for s in counter.statements if marker in s):
            parameters = (None,) * statement.count("?")  # values do not change the plan
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append(" / ".join(row[-1] for row in rows))
    assert plans, f"no statement with {marker!r}"
    return plans


def test_accepted_answers_are_counted_through_an_index(app, count_queries):
    """A member's stats (profile, /users/me, every API token) read their own posts and
    those posts' threads, never every thread (400 ms at 100,000 threads)."""
    from forum.services import accounts
    from tests.factories import make_user

    member = make_user("counted")
    for plan in _statement_plans(count_queries, lambda: accounts.user_stats(member),
                                 "accepted_answer_id"):
        assert "SCAN threads" not in plan and "ix_threads_accepted_answer" in plan, plan


def test_the_same_text_posted_again_is_found_through_an_index(app, count_queries):
    """The spam check reads the member's posts with the same hash, not every post they
    wrote that day."""
    from moderation import screening
    from tests.factories import make_user

    member = make_user("prolific")
    check = lambda: screening.screen(member, "The same words again.", kind="answer")  # noqa: E731
    for plan in _statement_plans(count_queries, check, "body_hash"):
        assert "ix_posts_author_body_hash" in plan, plan


def test_held_posts_and_comments_are_found_through_an_index(app, count_queries):
    """The queue size in every moderator's header read every post and comment (0.9 s at
    1,000,000 posts)."""
    from moderation.services import queue
    from tests.factories import make_user

    moderator = make_user("watcher", role="moderator")
    for plan in _statement_plans(count_queries, lambda: queue.queue_size(moderator),
                                 "hidden_reason"):
        assert "SCAN posts" not in plan and "SCAN comments" not in plan, plan
        assert "ix_posts_hidden" in plan and "ix_comments_hidden" in plan, plan


def test_unresolved_threads_are_read_in_index_order(app, count_queries):
    """The desk's unresolved list walks the open unsolved threads by age (only its page's
    30 rows are sorted, with their joins), not every thread (170 ms at 100,000)."""
    from forum.services import escalation
    from tests.factories import make_user

    staff = make_user("desk", role="staff")
    plans = _statement_plans(count_queries, lambda: escalation.unresolved_threads(staff),
                             "answer_count")
    assert all("ix_threads_unresolved_created" in plan for plan in plans), plans


def test_the_app_starts_without_loading_alembic(tmp_path):
    code = ("import sys; from forum import create_app; create_app(); "
            "print(sorted({'alembic', 'flask_migrate', 'mako'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=_site_env(tmp_path)).stdout
    assert out.strip() == "[]"


def test_flask_db_hands_its_arguments_to_flask_migrate(tmp_path):
    env = _site_env(tmp_path)

    def flask_db(*args):
        return subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi",
                               "db", *args], cwd=ROOT, env=env, capture_output=True, text=True)

    assert flask_db("upgrade").returncode == 0
    current = flask_db("-x", "unused", "current")
    assert current.returncode == 0 and "(head)" in current.stdout
    assert "Perform database migrations." in flask_db("--help").stdout
    wrong = flask_db("no-such-command")
    assert wrong.returncode == 2 and "No such command" in wrong.stderr


def _site_env(folder: Path) -> dict:
    """The environment of a process running a site of its own in `folder`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASKDESK_")}
    return {**env, "ASKDESK_SECRET_KEY": "schema-test-secret", "ASKDESK_INSTANCE_DIR": str(folder),
            "ASKDESK_DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}"}
