"""Search benchmark: index build rate, query latency over HTTP, index size.

    python bench/search.py --size small|medium|large [--backend whoosh|postgres|both]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/DB] [--requests 300]
        [--work-dir DIR]

Generates a site (threads of one question plus answers, bulk-inserted into a
throw-away database: SQLite in a temporary folder, or the PostgreSQL database
given, whose schema is dropped and rebuilt), runs a full reindex, then serves
the app under gunicorn as production does (one sync worker, the shipped
gunicorn.conf.py) and times GET /api/v1/search and GET /api/v1/search/similar
with 1-3 word queries over real HTTP, one request at a time.

Sizes: small 2,000 threads / 20,000 posts; medium 20,000 / 200,000;
large 100,000 / 1,000,000 (the issue's target; generation and a Whoosh
reindex take several minutes each). With --work-dir the site and its index
are kept there and reused by the next run of the same size and backend
(generated and indexed again only when missing), so query timings can be
repeated in seconds; without it every run starts from nothing.
"""
import argparse
import os
import random
import statistics
import sys
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PORT = 8102  # gunicorn serves the app here during the run
SIZES = {"small": (2_000, 20_000), "medium": (20_000, 200_000), "large": (100_000, 1_000_000)}
PRODUCTS = ["router", "modem", "printer", "scanner", "camera", "doorbell", "thermostat", "plug",
            "speaker", "hub", "sensor", "switch", "bulb", "lock", "charger", "headset"]
WORDS = ("wifi firmware update reset password pairing bluetooth battery signal channel "
         "schedule timezone app account login error code light blinking red green orange "
         "connection drops slow restart factory settings network cable port power adapter "
         "warranty replacement noise screen display volume microphone voice assistant "
         "install mount bracket screw wall ceiling outdoor indoor temperature humidity "
         "motion detection alert notification email cloud storage subscription plan "
         "ethernet mesh extender range interference dfs bandwidth latency upload download "
         "offline online sync backup restore log debug crash freeze overheat fan").split()
FILLER = "the a my it is after when with and but not on in to of for this that".split()


def _vocabulary(size: int = 6_000) -> tuple[list[str], list[float]]:
    """Support words first, then made-up ones, drawn with Zipf-like frequencies as in real text."""
    rng = random.Random(3)
    syllables = ["ka", "lo", "mi", "ter", "an", "vo", "ri", "sel", "un", "pa", "do", "gen",
                 "ix", "mo", "ra", "tel", "es", "ul", "bo", "fin"]
    made_up = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size * 2)}
    words = WORDS + PRODUCTS + sorted(made_up - set(WORDS))[: size - len(WORDS) - len(PRODUCTS)]
    weights, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank ** 1.05
        weights.append(total)
    return words, weights


VOCABULARY, CUMULATIVE = _vocabulary()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choices(VOCABULARY, cum_weights=CUMULATIVE)[0] if rng.random() < 0.6
             else rng.choice(FILLER) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def generate(threads: int, posts: int, seed: int = 7) -> None:
    """Bulk-insert users, boards, threads and posts (services would take hours at this size)."""
    from sqlalchemy import insert

    from forum.extensions import db
    from forum.models import Board, Post, Thread, User

    rng = random.Random(seed)
    db.session.execute(insert(User), [
        {"id": i, "username": f"member{i}", "username_key": f"member{i}",
         "email": f"member{i}@example.com", "password_hash": "!bench"} for i in range(1, 501)
    ])
    db.session.execute(insert(Board), [
        {"id": i + 1, "slug": p, "name": p.title(), "description": "", "position": i}
        for i, p in enumerate(PRODUCTS)
    ])
    answers_per_thread = max(0, posts // threads - 1)
    start = datetime(2024, 1, 1)
    post_id = 0
    batch_threads, batch_posts = [], []
    for t in range(1, threads + 1):
        product = rng.randrange(len(PRODUCTS))
        title = f"{PRODUCTS[product].title()} {sentence(rng, rng.randint(4, 9))}"[:150]
        created = start + timedelta(minutes=t)
        batch_threads.append({
            "id": t, "board_id": product + 1, "author_id": rng.randint(1, 500), "title": title,
            "slug": "q", "score": rng.randint(-2, 30), "answer_count": answers_per_thread,
            "created_at": created, "last_activity_at": created,
            "accepted_answer_id": None,
        })
        for kind in ["question"] + ["answer"] * answers_per_thread:
            post_id += 1
            text = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 5)))
            batch_posts.append({
                "id": post_id, "thread_id": t, "author_id": rng.randint(1, 500), "kind": kind,
                "body": text, "body_html": f"<p>{text}</p>", "score": rng.randint(-1, 10),
                "created_at": created,
            })
        if len(batch_posts) >= 20_000 or t == threads:
            db.session.execute(insert(Thread), batch_threads)
            db.session.execute(insert(Post), batch_posts)
            db.session.commit()
            batch_threads, batch_posts = [], []
            print(f"\r  generated {t:,} threads, {post_id:,} posts", end="", flush=True)
    print()


def timed_requests(base: str, path: str, queries: list[str], param: str, worker: int) -> dict:
    """Wall time of each request, and the CPU the server's `worker` process spent on them
    all (per request, on average: the kernel counts it in 10 ms ticks)."""
    timed = []
    cpu_started = _cpu_seconds(worker)
    for q in queries:
        url = f"{base}{path}?{urllib.parse.urlencode({param: q})}"
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            assert response.status == 200
        timed.append(((time.perf_counter() - started) * 1000, q))
    cpu_ms = (_cpu_seconds(worker) - cpu_started) * 1000 / len(queries)
    timed.sort()
    samples = [ms for ms, _q in timed]
    return {"p50": statistics.median(samples), "p99": _p99(samples), "cpu_mean": cpu_ms,
            "slowest": timed[-3:]}


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker_pid(master) -> int:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)],
                         capture_output=True, text=True).stdout
    return int(out.split()[0])


def _p99(sorted_samples: list[float]) -> float:
    return sorted_samples[min(len(sorted_samples) - 1, int(len(sorted_samples) * 0.99))]


def _instance(work_dir: Path | None, size: str, backend: str) -> str:
    if work_dir is None:
        return tempfile.mkdtemp(prefix="askdesk-search-bench-")
    instance = work_dir / f"{size}-{backend}"
    instance.mkdir(parents=True, exist_ok=True)
    return str(instance)


def _built(reuse: bool, threads: int) -> bool:
    """Whether the database already holds the generated site and the index all of it."""
    from sqlalchemy import func, select

    from forum import search as search_index
    from forum.extensions import db
    from forum.models import Thread

    if not reuse:
        return False
    built = db.session.scalar(select(func.count()).select_from(Thread)) == threads \
        and search_index.backend().count() >= threads
    db.session.rollback()  # else its read lock blocks the rebuild's DROP SCHEMA
    return built


def build(threads: int, posts: int) -> None:
    """Generate the site into an empty schema and index it, timing both."""
    from forum.schema import upgrade
    from sqlalchemy import text

    from forum import search as search_index
    from forum.extensions import db
    from forum.services import indexing

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade()
    started = time.perf_counter()
    generate(threads, posts)
    print(f"  generation: {time.perf_counter() - started:.0f} s")
    started, cpu_started = time.perf_counter(), time.process_time()
    count = indexing.reindex()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU seconds too: on a shared machine the wall time depends on what else runs.
    print(f"  reindex: {count:,} documents in {elapsed:.1f} s = {count / elapsed:,.0f} docs/s"
          f" ({cpu:.1f} s CPU)")
    print(f"  index size: {search_index.backend().size_bytes() / 1e6:,.1f} MB")


def run(size: str, backend: str, database_url: str | None, requests: int,
        work_dir: Path | None = None) -> None:
    instance = _instance(work_dir, size, backend)
    os.environ["ASKDESK_INSTANCE_DIR"] = instance
    from forum.schema import upgrade

    from forum import create_app

    url = database_url or f"sqlite:///{instance}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_BACKEND": backend,
                      "RATELIMIT_ENABLED": False})
    threads, posts = SIZES[size]
    print(f"== {backend} backend, {size}: {threads:,} threads, {posts:,} posts, "
          f"{'PostgreSQL' if database_url else 'SQLite'} database")
    with app.app_context():
        upgrade()
        if _built(work_dir is not None, threads):
            print(f"  reusing the site and index in {instance}")
        else:
            build(threads, posts)
    rng = random.Random(11)
    words = VOCABULARY[:2_000]
    searches = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(requests)]
    titles = [f"{rng.choice(PRODUCTS)} {sentence(rng, rng.randint(4, 8))}" for _ in range(requests)]
    from bench.run import gunicorn  # bench.run imports this module (through generate)

    env = {"ASKDESK_DATABASE_URL": url, "ASKDESK_INSTANCE_DIR": instance,
           "ASKDESK_SEARCH_BACKEND": backend, "ASKDESK_RATELIMIT_ENABLED": "0",
           "ASKDESK_SECRET_KEY": "benchmark-secret-key"}
    with gunicorn("wsgi:app", PORT, 1, env, Path(instance) / "gunicorn.log") as (base, master):
        worker = _worker_pid(master)
        timed_requests(base, "/api/v1/search", searches[:20], "q", worker)  # warm up
        for label, path, queries, param in (
            ("GET /api/v1/search", "/api/v1/search", searches, "q"),
            ("GET /api/v1/search/similar", "/api/v1/search/similar", titles, "title"),
        ):
            result = timed_requests(base, path, queries, param, worker)
            print(f"  {label:30s} p50 {result['p50']:6.1f} ms   p99 {result['p99']:6.1f} ms"
                  f"   ({len(queries)} requests)")
            # On a shared machine the wall times include waiting for a core.
            print(f"    server CPU per request: {result['cpu_mean']:.1f} ms on average")
            print("    slowest: " + "; ".join(f"{q!r} {ms:.0f} ms" for ms, q in result["slowest"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--backend", choices=("whoosh", "postgres", "both"), default="whoosh")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL (required for the postgres backend; DROPS its schema)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="keep the site and index here and reuse them in later runs")
    args = parser.parse_args()
    backends = ("whoosh", "postgres") if args.backend == "both" else (args.backend,)
    if "postgres" in backends and not args.database_url:
        parser.error("the postgres backend needs --database-url")
    for backend in backends:
        url = args.database_url if backend == "postgres" else None
        run(args.size, backend, url, args.requests, args.work_dir)


if __name__ == "__main__":
    main()
