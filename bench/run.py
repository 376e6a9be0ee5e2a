"""The load benchmark: Askdesk under gunicorn as in production, measured with wrk, each
page reported as a share of a bare Flask "hello" served the same way in the same run.

    python bench/run.py --size small
    python bench/run.py --size large --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The site comes from bench/generate.py (made on first use: a SQLite file in the
work folder, or the empty PostgreSQL database given) and its Whoosh index from
`askdesk search reindex`. Both servers run 2 sync workers (`--workers`);
wrk runs on the same machine for `--duration` seconds per path with
`--connections` connections. Rate limits are off: they would measure
themselves. Needs Debian's wrk and gunicorn (`pip install '.[prod]'`).
"""
import argparse
import http.cookiejar
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402

BIN = Path(sys.executable).parent
ANSWER = ("Try a factory reset: hold the button for ten seconds until the light blinks, "
          "then set it up again from the app. That fixed the same problem for me (#N#).")

# wrk scripts for the write paths: each request comes from one of the WRITERS, picks
# another open thread, or a post none of them wrote, and numbers its text (#N#) so that
# spam screening does not hold it as a repeated post.
WRITE_SCRIPT = """
local counter = 0
local ids = {%(ids)s}
local tokens = {%(tokens)s}
init = function(args) math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6)) end
request = function()
  counter = counter + 1
  local id = ids[math.random(#ids)]
  local path = string.format("%(path)s", id)
  local body = (string.gsub(%(body)s, "#N#", id .. "-" .. counter .. "-" .. math.random(1e9)))
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]}, body)
end
"""


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    drained_s: float | None = None  # a write: how long its task backlog took to run after it


# --- the site and the servers --------------------------------------------------------

def prepare_site(size: str, database_url: str, instance: Path) -> None:
    """Generate the site and its search index unless they exist."""
    env = app_env(database_url, instance)
    from forum import create_app

    os.environ.update(env)
    app = create_app()
    if not _has_users(app):
        print(f"generating the {size} site ...", flush=True)
        generate.build(app, size)
    if not _has_index(app):
        print("building the search index ...", flush=True)
        started = time.perf_counter()
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "askdesk", "search", "reindex"],
                       cwd=ROOT, env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"  index built in {time.perf_counter() - started:.0f} s")


def _has_users(app) -> bool:
    from forum.schema import upgrade
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.models import User

    with app.app_context():
        upgrade()
        return bool(db.session.scalar(select(func.count()).select_from(User)))


def _has_index(app) -> bool:
    """Whether the search index holds documents: a Whoosh folder, or PostgreSQL's table,
    which is there (empty) from the migrations on."""
    from forum import search

    with app.app_context():
        return search.backend().count() > 0


def app_env(database_url: str, instance: Path, redis_url: str | None = None) -> dict:
    env = {"ASKDESK_DATABASE_URL": database_url, "ASKDESK_INSTANCE_DIR": str(instance),
           "ASKDESK_RATELIMIT_ENABLED": "0", "ASKDESK_SECRET_KEY": "benchmark-secret-key"}
    return {**env, "ASKDESK_REDIS_URL": redis_url} if redis_url else env


@contextmanager
def gunicorn(target: str, port: int, workers: int, env: dict, log: Path):
    """Serve `target` under gunicorn with the shipped settings, its log to `log`;
    yield its base URL."""
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--workers",
             str(workers), "--bind", f"127.0.0.1:{port}", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=errors)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, log)
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def task_workers(count: int, env: dict, log: Path):
    """Run `askdesk worker` processes (the RQ queue) while the block runs."""
    with open(log, "w") as errors:
        processes = [subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "askdesk", "worker"], cwd=ROOT,
            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=errors)
            for _ in range(count)]
        try:
            yield processes
        finally:
            for process in processes:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:  # RQ's pubsub thread can hang its
                    process.kill()                 # shutdown (rq/rq#1613); tasks are rows
                    process.wait()


def _wait_until_up(base: str, process, log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{base} did not answer")


@dataclass
class Memory:
    """A worker's memory in MB: resident (RSS), its proportional share of pages it shares
    with the master and the other workers (PSS), and its private heap (anonymous pages;
    RSS also counts the memory-mapped search index, which is the kernel's page cache)."""

    rss: float
    pss: float
    anonymous: float

    def __str__(self) -> str:
        return f"RSS {self.rss:.0f} MB (PSS {self.pss:.0f}, heap {self.anonymous:.0f})"


def server_memory(process, log: Path) -> tuple[list[Memory], Memory | None]:
    """The memory of each gunicorn worker, and of the task process if the master started
    one (the children of the master; the log names the task process)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(process.pid)],
                         capture_output=True, text=True).stdout
    started = re.search(r"Started the task process \(pid: (\d+)\)", log.read_text())
    task_pid = int(started[1]) if started else None
    workers = [_memory(int(pid)) for pid in out.split() if int(pid) != task_pid]
    return workers, _memory(task_pid) if task_pid else None


def _memory(pid: int) -> Memory:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return Memory(fields["Rss"], fields["Pss"], fields["Anonymous"])


# --- what is measured -----------------------------------------------------------------

READER = "member10"  # signs in for the signed-in thread page
# The writes come from 20 members, as a site's do: one member posting hundreds of
# answers a second (rate limits are off here) would measure the spam checks that look
# at a member's recent posts, which the limits keep short on a real site.
WRITERS = [f"member{number}" for number in range(10, 30)]


@dataclass
class Targets:
    board: str
    last_page: int
    thread: str
    article: str
    threads: int
    posts: int
    open_threads: list[int]  # where the writers may answer
    others_posts: list[int]  # what the writers may vote on (none of their own)


def pick_targets(app) -> Targets:
    """A board with many threads, a thread with about 30 answers, an article, and
    threads and posts for the writes."""
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.models import Article, Board, Post, Thread, User, listed

    with app.app_context():
        board = db.session.scalars(select(Board).order_by(Board.thread_count.desc())).first()
        thread = db.session.scalars(
            select(Thread).where(Thread.answer_count >= 30, Thread.deleted_at.is_(None))
            .order_by(Thread.answer_count, Thread.id)).first()
        article = db.session.scalars(select(Article).order_by(Article.id)).first()
        return Targets(
            board=board.slug, last_page=max(1, -(-board.thread_count // 30)),
            thread=f"/t/{thread.id}/{thread.slug}", article=article.slug,
            threads=db.session.scalar(select(func.max(Thread.id))),
            posts=db.session.scalar(select(func.max(Post.id))),
            open_threads=list(db.session.scalars(
                select(Thread.id).where(listed(Thread), Thread.closed_at.is_(None),
                                        Thread.is_locked.is_(False))
                .order_by(func.random()).limit(3000))),
            others_posts=list(db.session.scalars(
                select(Post.id).join(Thread, Thread.id == Post.thread_id)
                .where(listed(Post), listed(Thread), Thread.is_locked.is_(False),
                       Post.author_id.not_in(select(User.id).where(User.username.in_(WRITERS))))
                .order_by(func.random()).limit(3000))),  # fresh ones each run
        )


def session_cookie(base: str, login: str, password: str) -> str:
    """A session cookie, through the login form (CSRF and all)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "login": login, "password": password})
    opener.open(base + "/login", data=data.encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def api_token(base: str, login: str, password: str) -> str:
    request = urllib.request.Request(
        base + "/api/v1/auth/token", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"login": login, "password": password}).encode())
    return json.load(urllib.request.urlopen(request))["token"]


WARMUP_SECONDS = 2


def wrk(name: str, url: str, duration: int, connections: int, headers=(), script=None) -> Result:
    """Measure one path; a read is first requested for WARMUP_SECONDS unmeasured, so that
    every worker has filled its caches (top helpers, pages) as on a running site."""
    command = ["wrk", "-t2", f"-c{connections}", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    else:
        subprocess.run([*command, f"-d{WARMUP_SECONDS}s", url], capture_output=True, check=True)
    out = subprocess.run([*command, f"-d{duration}s", url], capture_output=True, text=True,
                         check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: .*?timeout (\d+)", out)
    result = Result(
        name=name, rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        p99_ms=_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        errors=int(errors.group(1)) if errors else 0,
    )
    if socket_errors:
        result.errors += int(socket_errors.group(1))
    print(f"  {name:<34} {result.rps:9.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
          f"p99 {result.p99_ms:7.2f} ms  errors {result.errors}", flush=True)
    return result


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def write_script(work: Path, name: str, path: str, ids: list[int], tokens: list[str],
                 body: dict) -> str:
    script = work / f"{name}.lua"
    script.write_text(WRITE_SCRIPT % {
        "path": path, "ids": ",".join(map(str, ids)),
        "tokens": ",".join(f'"{token}"' for token in tokens),
        "body": json.dumps(json.dumps(body)),  # a Lua string literal of the JSON
    })
    return str(script)


def measure(app, base: str, targets: Targets, args, work: Path) -> list[Result]:
    cookie = session_cookie(base, READER, generate.BENCH_PASSWORD)
    tokens = [api_token(base, writer, generate.BENCH_PASSWORD) for writer in WRITERS]

    def run(name, path, **kw):
        if re.search(args.only, name):
            return wrk(name, base + path, args.duration, args.connections, **kw)
        return None

    board = f"/b/{targets.board}"
    reads = [
        run("home", "/"),
        run("board page 1", board),
        run(f"board page {min(2000, targets.last_page)}",
            f"{board}?page={min(2000, targets.last_page)}"),
        run("thread page (anonymous)", targets.thread),
        run("thread page (signed in)", targets.thread, headers=[f"Cookie: {cookie}"]),
        run("KB home", "/kb"),
        run("KB article", f"/kb/{targets.article}"),
        run("/search", "/search?q=wifi+firmware+update"),
        run("/api/v1/search/similar", "/api/v1/search/similar?title=router+wifi+drops+at+night"),
    ]
    results = [result for result in reads if result is not None]
    writes = {
        "ask (POST /api/v1/threads)": ("/api/v1/threads", [1], {
            "board": targets.board, "title": "Router drops wifi every evening after update #N#",
            "body": ANSWER}),
        "answer (POST .../answers)": ("/api/v1/threads/%d/answers", targets.open_threads,
                                      {"body": ANSWER}),
        "vote (POST .../vote)": ("/api/v1/posts/%d/vote", targets.others_posts, {"value": 1}),
    }
    for name, (path, ids, body) in writes.items():
        script = write_script(work, re.sub(r"\W+", "_", name), path, ids, tokens, body)
        result = run(name, "/", script=script)
        if result is not None:
            # The next path is measured once this one's index updates have run.
            result.drained_s = seconds_to_drain_tasks(app)
            results.append(result)
    return results


def seconds_to_drain_tasks(app, limit: float = 300) -> float:
    """How long after the writes stop until no task waits (or `limit`)."""
    from sqlalchemy import func, select

    from forum.extensions import db
    from forum.models import QueuedTask

    started = time.perf_counter()
    with app.app_context():
        while time.perf_counter() - started < limit:
            if not db.session.scalar(select(func.count(QueuedTask.id))):
                break
            db.session.rollback()
            time.sleep(0.1)
    return time.perf_counter() - started


def start_time_ms(env: dict) -> float:
    code = ("import time; t = time.perf_counter(); from forum import create_app; create_app(); "
            "print((time.perf_counter() - t) * 1000)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def report(results: list[Result], hello: Result, memory: tuple[list[Memory], Memory | None],
           start_ms: float, args, targets: Targets) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    print(f"\n`python bench/run.py {' '.join(sys.argv[1:])}` at {commit}; "
          f"{os.cpu_count()} cores; {args.workers} gunicorn sync workers; wrk -t2 "
          f"-c{args.connections} -d{args.duration}s on the same machine; "
          f"{targets.threads:,} threads, {targets.posts:,} posts\n")
    print("| path | requests/s | p50 ms | p99 ms | share of hello | errors | tasks ran within |")
    print("|---|---|---|---|---|---|---|")
    for r in [hello, *results]:
        drained = "" if r.drained_s is None else f"{r.drained_s:.1f} s"
        print(f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
              f"{r.rps / hello.rps:.0%} | {r.errors} | {drained} |")
    workers, task_process = memory
    print(f"\nworker memory after the run: {'; '.join(map(str, workers))}; "
          + (f"task process: {task_process}; " if task_process else "")
          + f"app start: {start_ms:.0f} ms; benchmark process peak "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=generate.SIZES, default="small")
    parser.add_argument("--database-url")
    parser.add_argument("--work-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "askdesk-bench")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-url", help="a Redis database for the cache, the limits and "
                        "the RQ task queue (emptied first); runs --task-workers workers")
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument("--only", default="", metavar="REGEX",
                        help="measure only the paths whose names match (e.g. 'vote|answer')")
    args = parser.parse_args()

    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    instance = work / f"instance-{args.size}"
    database_url = args.database_url or f"sqlite:///{work / f'site-{args.size}.sqlite3'}"
    prepare_site(args.size, database_url, instance)
    env = app_env(database_url, instance, args.redis_url)
    if args.redis_url:
        from redis import Redis

        Redis.from_url(args.redis_url).flushdb()

    from forum import create_app

    app = create_app()
    targets = pick_targets(app)
    with gunicorn("bench.hello:app", 8101, args.workers, {}, work / "hello.log") as (base, _):
        hello = wrk("hello (bare Flask)", base + "/", args.duration, args.connections)
    logs = [work / "askdesk.log", work / "tasks.log"]
    with gunicorn("wsgi:app", 8100, args.workers, env, logs[0]) as (base, process), \
            task_workers(args.task_workers if args.redis_url else 0, env, logs[1]):
        results = measure(app, base, targets, args, work)
        memory = server_memory(process, logs[0])
    locked = sum(log.read_text().count("database is locked") for log in logs)
    report(results, hello, memory, start_time_ms(env), args, targets)
    print(f"'database is locked' in the server logs: {locked}")


if __name__ == "__main__":
    main()
