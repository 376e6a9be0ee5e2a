"""The schema comes from the migrations and matches the models; SQLite is tuned."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
import pytest
from sqlalchemy import text

from forum.extensions import db
from forum.search.postgres_backend import TABLE as SEARCH_TABLE


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
    assert (options["pool_size"], options["max_overflow"], options["pool_pre_ping"]) == (4, 3, True)
    monkeypatch.setenv("ASKDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'site.sqlite3'}")
    assert "pool_size" not in load_config()["SQLALCHEMY_ENGINE_OPTIONS"]



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
