from sqlalchemy import func, select

from forum import demo
from forum.extensions import db
from forum.models import ReputationEvent, Thread, User


def test_demo_loads_once_with_consistent_counters(runner):
    result = runner.invoke(args=["askdesk", "demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Demo site loaded" in result.output
    assert db.session.scalar(select(func.count(Thread.id))) == len(demo.THREADS)
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"user", "moderator", "staff", "admin"}
    for user in db.session.scalars(select(User)):
        ledger = db.session.scalar(
            select(func.coalesce(func.sum(ReputationEvent.amount), 0)).where(
                ReputationEvent.user_id == user.id
            )
        )
        assert user.reputation == 1 + ledger

    # Members earned their points by real actions (no seeded reputation): each can
    # vote up, and those who comment on others' posts have the 50 it takes.
    assert db.session.scalar(
        select(func.count(ReputationEvent.id)).where(ReputationEvent.reason == "seed")) == 0
    reputation = dict(db.session.execute(select(User.username, User.reputation)).all())
    assert all(reputation[name] >= 15 for name in ("anna", "ben", "chiara", "dmitri", "emma"))
    assert reputation["ben"] >= 50 and reputation["emma"] >= 50
    assert runner.invoke(args=["askdesk", "reputation", "recount"]).output.endswith("fixed 0.\n")

    again = runner.invoke(args=["askdesk", "demo", "--if-empty"])
    assert "not loaded" in again.output
    assert db.session.scalar(select(func.count(Thread.id))) == len(demo.THREADS)


def test_demo_loads_with_posting_limits_on_and_nothing_held(make_app):
    """`make run` loads the demo with the production settings: the command line is not
    rate-limited, and no demo post looks like spam to the screening."""
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["askdesk", "demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        hidden = db.session.scalar(select(func.count(Thread.id)).where(
            Thread.hidden_at.is_not(None)))
        assert hidden == 0
