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


def test_accepted_answers_are_counted_through_an_index(app, count_queries):
    """A member's stats (profile, /users/me, every API token) read their own posts and
    those posts' threads, never every thread (400 ms at 100,000 threads)."""
    from forum.services import accounts
    from tests.factories import make_user

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL picks by table size")
    member = make_user("counted")
    with count_queries() as counter:
        assert accounts.user_stats(member) == {"answer_count": 0, "accepted_count": 0}
    accepted = [s for s in counter.statements if "accepted_answer_id" in s]
    assert len(accepted) == 1
    with db.engine.connect() as conn:
        parameters = (member.id,) * accepted[0].count("?")  # values do not change the plan
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + accepted[0], parameters).all()
    details = " / ".join(row[-1] for row in plan)
    assert "SCAN threads" not in details and "ix_threads_accepted_answer" in details, details
