"""The query plans of the hot pages, from the queries the services really run.

    python bench/explain.py --database-url sqlite:////tmp/askdesk-bench/site-large.sqlite3
    python bench/explain.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

Runs the board page (every sort, page 1 and the last page) and a long thread
page (anonymous and signed in), a member's stats, the review queue's size and
the support desk's unresolved threads through the services on a generated site
(bench/generate.py), records each SQL statement with its parameters, and
prints the database's plan for each as Markdown: `EXPLAIN QUERY PLAN` on
SQLite, `EXPLAIN` on PostgreSQL. bench/QUERY-PLANS.md keeps the output.
"""
import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextmanager
def recorded(engine):
    """Collect (statement, parameters) of every query run inside the block."""
    from sqlalchemy import event

    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _short(statement: str) -> str:
    """The statement on one line, its list of selected columns cut to "…"."""
    text = " ".join(statement.split())
    head, sep, rest = text.partition(" FROM ")
    return (head[:60] + " … FROM " + rest) if sep and len(head) > 60 else text


def plan(connection, dialect: str, statement: str, parameters) -> str:
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if dialect == "sqlite":  # (id, parent, notused, detail)
        return "\n".join(f"{'  ' * _depth(rows, row)}{row[3]}" for row in rows)
    return "\n".join(row[0] for row in rows)


def _depth(rows, row) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


def pages(app):
    """(title, callable) for each page whose queries are explained."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models import Board, Thread, User
    from forum.services import accounts, boards, escalation, threads
    from moderation.services import queue

    board = db.session.scalars(select(Board).order_by(Board.thread_count.desc())).first()
    last = max(1, -(-board.thread_count // 30))
    thread = db.session.scalars(select(Thread).order_by(Thread.answer_count.desc())).first()
    member = db.session.get(User, 10)
    for sort in ("active", "newest", "votes", "unanswered"):
        for page in (1, last):
            yield (f"board `{board.slug}` sorted by {sort}, page {page}",
                   lambda s=sort, p=page: boards.list_threads(board, sort=s, page=p))
    yield (f"thread {thread.id} ({thread.answer_count} answers), anonymous",
           lambda: threads.thread_page(thread.id, None))
    yield (f"thread {thread.id}, signed in", lambda: threads.thread_page(thread.id, member))
    yield (f"member {member.id}'s stats (profile, `/api/v1/users/me`, API tokens)",
           lambda: accounts.user_stats(member))
    staff = db.session.get(User, 2)  # bench/generate.py's first staff member
    yield ("the review queue's size (every moderator's header)", lambda: queue.queue_size(staff))
    yield ("the support desk's unresolved threads", lambda: escalation.unresolved_threads(staff))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()

    from forum import create_app
    from forum.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        dialect = db.engine.dialect.name
        print(f"## {dialect}\n")
        for title, load in pages(app):
            with recorded(db.engine) as statements:
                load()
            db.session.rollback()
            print(f"### {title}\n")
            with db.engine.connect() as connection:
                for statement, parameters in statements:
                    print("```sql\n" + _short(statement) + "\n```\n```")
                    print(plan(connection, dialect, statement, parameters) + "\n```\n")


if __name__ == "__main__":
    main()
