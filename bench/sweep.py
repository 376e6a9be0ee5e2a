"""Every page of a generated site, timed: the slow ones a load run does not visit.

    python bench/sweep.py --work-dir /tmp/askdesk-bench --size large
    python bench/sweep.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench \
        --work-dir /tmp/askdesk-bench-pg --size medium

On a site made by bench/run.py (bench/generate.py), requests each page twice
through the test client, signed in as the site's admin (who sees the moderation
and support pages too), and prints the second request's time and SQL statement
count, slowest first, with the slowest statement of each page that took over
`--slow` ms. bench/RESULTS.md (2026-12-06, session 6) tells what it found.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate  # noqa: E402
from bench.run import app_env  # noqa: E402


def pages(db) -> list[str]:
    """Paths of the site's pages, each kind once, for the generated data."""
    from sqlalchemy import func, select

    from forum.models import Article, Board, Post, Thread, User

    board = db.session.scalars(select(Board).order_by(Board.thread_count.desc())).first()
    author_id = db.session.execute(
        select(Post.author_id).group_by(Post.author_id).order_by(func.count().desc()).limit(1)
    ).scalar()
    prolific = db.session.get(User, author_id).username
    article = db.session.scalar(select(Article.slug).order_by(Article.id))
    thread = db.session.scalars(select(Thread).where(Thread.answer_count >= 30)).first()
    post = db.session.scalar(select(func.max(Post.id)))
    return [
        "/", f"/b/{board.slug}", f"/b/{board.slug}?sort=votes&page=150",
        f"/t/{thread.id}/{thread.slug}",
        "/users", "/users?sort=reputation&page=50", f"/u/{prolific}", "/badges", "/privileges",
        "/kb", "/kb/faq", f"/kb/{article}", "/search?q=router+wifi",
        "/search?q=router&sort=votes", "/moderation", "/moderation/log",
        "/moderation/screening", f"/moderation/users/{prolific}", "/support/tickets",
        "/support/unresolved", "/support/my-tickets", "/reputation/serial-votes",
        "/search/deflection", "/kb/feedback", f"/p/{post}/revisions", "/ask",
        f"/api/v1/users/{prolific}", f"/api/v1/users/{prolific}/reputation",
        f"/api/v1/boards/{board.slug}/threads?page=100", "/api/v1/kb/articles",
        f"/api/v1/threads/{thread.id}", "/api/v1/boards",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=generate.SIZES, default="large")
    parser.add_argument("--database-url")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--slow", type=float, default=20.0,
                        help="show the slowest statement of pages slower than this (ms)")
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{args.work_dir / f'site-{args.size}.sqlite3'}"
    os.environ.update(app_env(database_url, args.work_dir / f"instance-{args.size}"))
    from sqlalchemy import event, select

    from forum import create_app
    from forum.extensions import db
    from forum.models import User

    app = create_app({"WTF_CSRF_ENABLED": False})
    statements: list[tuple[float, str]] = []

    def started(conn, *_args):
        conn.info["started"] = time.perf_counter()

    def finished(conn, _cursor, statement, *_args):
        statements.append(((time.perf_counter() - conn.info["started"]) * 1000, statement))

    with app.app_context():
        paths = pages(db)
        admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
        event.listen(db.engine, "before_cursor_execute", started)
        event.listen(db.engine, "after_cursor_execute", finished)
    client = app.test_client()
    client.post("/login", data={"login": admin.username, "password": generate.BENCH_PASSWORD})
    timed = []
    for path in paths:
        client.get(path)
        statements.clear()
        begun = time.perf_counter()
        status = client.get(path).status_code
        timed.append(((time.perf_counter() - begun) * 1000, path, status, list(statements)))
    for ms, path, status, run in sorted(timed, reverse=True):
        print(f"{ms:8.1f} ms  {len(run):3d} statements  {status}  {path}")
        if ms > args.slow and run:
            slowest, statement = max(run)
            print(f"{'':14}slowest statement {slowest:.1f} ms: {' '.join(statement.split())[:150]}")


if __name__ == "__main__":
    main()
