"""Work that need not happen inside the request: sending mail, updating the search index,
counting top helpers.

`enqueue(name, payload)` stores a task row in the current write transaction,
so a task exists exactly when the write that asked for it has committed, and
a crash or an unreachable Redis never loses one. Once the transaction has
committed, the due tasks run, as TASKS_MODE says:

- "thread" (the default without Redis): a background thread of the web
  process waits TASKS_BATCH_SECONDS for more to arrive and runs them in
  batches, so that many answers share one search index commit;
- "process" (gunicorn without Redis, set by gunicorn.conf.py): a task process
  that gunicorn's master starts beside the web workers looks for due tasks
  every TASKS_BATCH_SECONDS and runs them; web workers never do this work;
- "rq" (the default with ASKDESK_REDIS_URL): an RQ job wakes the
  `askdesk worker` processes, which run them; web nodes never do this work;
- "inline": at once, in the request, in a session of its own (the tests use it).

`defer(name, payload)` is for work that may be lost with its process because the
next look asks for it again (recounting top helpers): it runs the same way, but
keeps no row, so a read stays a read.

A task that fails stays in its row and is tried again after a growing delay;
after MAX_ATTEMPTS it is kept as dead for an operator (`askdesk tasks status`,
`askdesk tasks retry`). Delivery is at least once: a runner that dies after
the work but before deleting the row does that work again.
"""
import atexit
import importlib
import logging
import os
import queue
import signal
import threading
import time
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, func, insert, select, update

from .extensions import db
from .models import QueuedTask
from .timeutil import utcnow
from .transactions import after_commit, write_transaction

log = logging.getLogger(__name__)

# name -> (handler "module:function", whether it takes the payloads of a whole batch at once)
HANDLERS = {
    "mail": ("forum.mail:deliver", False),
    "search.index": ("forum.services.indexing:write_batch", True),
    "leaders.count": ("forum.services.ledger:count_leaders", False),
}
BATCH = 500
LEASE = timedelta(minutes=10)  # tasks taken by a runner that died come back after this
MAX_ATTEMPTS = 12  # retried for about three hours, then kept as dead
POLL_SECONDS = 30  # how often runners look for retries that have become due
BATCH_SPACING = 4  # "thread" mode: a batch waits this many times as long as the last took
MAX_BATCH_SECONDS = 30  # ... but no longer than this
RUNNER_KEY = "askdesk_task_runner"
RQ_QUEUE = "askdesk"
RQ_WAKE_KEY = "askdesk:tasks:wake"
_INSERT = insert(QueuedTask)


def enqueue(name: str, payload: dict, due: datetime | None = None) -> None:
    """Store a task with the current write (or on its own) and run it once that commits,
    or, given a future `due`, when a runner's poll finds it due (within POLL_SECONDS)."""
    if name not in HANDLERS:
        raise KeyError(f"no task handler named {name!r}")
    with write_transaction():
        # A plain insert: most writes store one, and the ORM's unit of work cost more.
        db.session.connection().execute(_INSERT, {"name": name, "payload": payload,
                                                  "run_after": due or utcnow()})
        if due is None or due <= utcnow():
            after_commit(_dispatch)


def defer(name: str, payload: dict) -> None:
    """Run a task, with no row, soon after the request (or at once where tasks run inline).
    A failure is logged and forgotten."""
    if name not in HANDLERS:
        raise KeyError(f"no task handler named {name!r}")
    app = current_app._get_current_object()
    mode = app.config["TASKS_MODE"]
    if mode == "inline":
        with app.app_context():
            run_deferred(name, payload)
    elif mode == "rq":
        _defer_to_rq(app, name, payload)
    else:
        runner(app).deferred.put((name, payload))
        runner(app).wake()


def run_deferred(name: str, payload: dict) -> None:
    """Run a deferred task in the current app context, keeping a failure out of the caller."""
    try:
        _handler(name)[0](payload)
    except Exception:
        log.exception("deferred task %s failed", name)
    finally:
        db.session.remove()


def _dispatch() -> None:
    app = current_app._get_current_object()
    mode = app.config["TASKS_MODE"]
    if mode == "inline":
        with app.app_context():  # a session of its own, as a runner's: the caller's is left as is
            try:
                run_pending()
            finally:
                db.session.remove()
    elif mode == "rq":
        wake_rq_workers(app)
    elif mode == "thread":
        runner(app).wake()
    # "process": the task process finds the task with its next look


# --- running ---------------------------------------------------------------------

def run_pending(limit: int = BATCH) -> int:
    """Run the due tasks, a batch at a time, until none is left; returns how many succeeded."""
    done = 0
    while batch := _claim(limit):
        done += _run(batch)
        if len(batch) < limit:
            break
    return done


def _claim(limit: int) -> list[tuple[int, str, dict, int]]:
    """Take up to `limit` due tasks, leasing them so no other runner takes them too."""
    now = utcnow()
    due = (QueuedTask.dead.is_(False), QueuedTask.run_after <= now)
    if db.session.scalar(select(QueuedTask.id).where(*due).limit(1)) is None:
        return []  # a runner's poll finds nothing without taking the write lock
    with write_transaction():
        rows = db.session.execute(
            select(QueuedTask.id, QueuedTask.name, QueuedTask.payload, QueuedTask.attempts)
            .where(*due)
            .order_by(QueuedTask.id).limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's write lock serialises
        ).all()
        if rows:
            db.session.execute(update(QueuedTask).where(QueuedTask.id.in_([r.id for r in rows]))
                               .values(run_after=now + LEASE))
    return [tuple(row) for row in rows]


def _run(batch: list[tuple[int, str, dict, int]]) -> int:
    succeeded: list[int] = []
    failed: list[tuple[int, int, str]] = []
    for name in dict.fromkeys(task[1] for task in batch):
        handler, batched = _handler(name)
        tasks = [task for task in batch if task[1] == name]
        for group in [tasks] if batched else [[task] for task in tasks]:
            try:
                handler([task[2] for task in group] if batched else group[0][2])
            except Exception as error:  # any failure is kept for a retry, never raised
                log.warning("task %s failed (%d tasks): %s", name, len(group), error)
                db.session.rollback()
                message = f"{type(error).__name__}: {error}"[:300]
                failed += [(task[0], task[3] + 1, message) for task in group]
            else:
                succeeded += [task[0] for task in group]
    _settle(succeeded, failed)
    return len(succeeded)


def _handler(name: str) -> tuple[Callable, bool]:
    target, batched = HANDLERS[name]
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function), batched


def retry_delay(attempts: int) -> timedelta:
    """10 s after the first failure, doubling up to an hour."""
    return timedelta(seconds=min(5 * 2 ** attempts, 3600))


def _settle(succeeded: list[int], failed: list[tuple[int, int, str]]) -> None:
    now = utcnow()
    with write_transaction():
        if succeeded:
            db.session.execute(delete(QueuedTask).where(QueuedTask.id.in_(succeeded)))
        for task_id, attempts, message in failed:
            db.session.execute(update(QueuedTask).where(QueuedTask.id == task_id).values(
                attempts=attempts, last_error=message, run_after=now + retry_delay(attempts),
                dead=attempts >= MAX_ATTEMPTS,
            ))


# --- looking after the queue -------------------------------------------------------

def counts(name: str | None = None) -> dict[str, int]:
    """How many tasks wait (due or retrying) and how many are dead, optionally of one name."""
    query = select(QueuedTask.dead, func.count(QueuedTask.id)).group_by(QueuedTask.dead)
    if name:
        query = query.where(QueuedTask.name == name)
    found = dict(db.session.execute(query).all())
    return {"waiting": found.get(False, 0), "dead": found.get(True, 0)}


def make_due(name: str | None = None, *, revive: bool = False) -> int:
    """Make waiting tasks (and with `revive`, dead ones too) due now; returns how many."""
    query = update(QueuedTask).values(run_after=utcnow(), dead=False)
    if not revive:
        query = query.where(QueuedTask.dead.is_(False))
    if name:
        query = query.where(QueuedTask.name == name)
    with write_transaction():
        return db.session.execute(query).rowcount


def discard(name: str, up_to_id: int) -> None:
    """Forget tasks of `name` up to a row id (a full reindex has made them pointless)."""
    with write_transaction():
        db.session.execute(delete(QueuedTask).where(QueuedTask.name == name,
                                                    QueuedTask.id <= up_to_id))


def last_id() -> int:
    return db.session.scalar(select(func.max(QueuedTask.id))) or 0


# --- TASKS_MODE "thread" -------------------------------------------------------------

class Runner:
    """A background thread of this process that runs deferred tasks and, in "thread"
    mode, the due ones, after each wake-up."""

    def __init__(self, app: Flask):
        self.app = app
        self.pid: int | None = None
        self.thread: threading.Thread | None = None
        self.woken = threading.Event()
        self.lock = threading.Lock()
        self.halted = threading.Event()
        self.deferred: queue.SimpleQueue[tuple[str, dict]] = queue.SimpleQueue()

    @property
    def started(self) -> bool:
        return self.pid == os.getpid()  # gunicorn forks workers: each starts its own

    def wake(self) -> None:
        if not self.started:
            with self.lock:
                if not self.started:
                    self.thread = threading.Thread(target=self._loop, name="askdesk-tasks",
                                                   daemon=True)
                    self.thread.start()
                    self.pid = os.getpid()
        self.woken.set()

    def stop(self, timeout: float = 60) -> None:
        """Let the batch under way finish, and end the thread."""
        if self.started:
            self.halted.set()
            self.woken.set()
            self.thread.join(timeout)

    def _loop(self) -> None:
        took = 0.0
        while True:
            if self.woken.wait(POLL_SECONDS):
                # let more writes arrive for the same batch
                self.halted.wait(batch_delay(self.app.config["TASKS_BATCH_SECONDS"], took))
            if self.halted.is_set():
                return  # what is left is for _run_at_exit or other processes
            self.woken.clear()
            started = time.monotonic()
            with self.app.app_context():
                while not self.deferred.empty():
                    run_deferred(*self.deferred.get())
                if self.app.config["TASKS_MODE"] == "thread":  # else the task process's
                    _run_due()
            took = time.monotonic() - started


def _run_due() -> None:
    """run_pending in a runner's loop: a failure is logged (the database may be away) and
    the next look tries again."""
    try:
        run_pending()
    except Exception:
        log.exception("running tasks failed")
    finally:
        db.session.remove()


def batch_delay(least: float, last_batch_took: float) -> float:
    """How long a runner thread gathers the next batch: `least` (TASKS_BATCH_SECONDS), or
    BATCH_SPACING times as long as the last batch took, up to MAX_BATCH_SECONDS.

    The thread shares its web worker's interpreter: while it writes the index, that
    worker serves nobody. A search index commit costs much the same for one document
    as for hundreds (at 100,000 threads, Whoosh's segment merges made 1 s batches of
    votes on questions take a quarter of the CPU and halve the votes served), so under
    a stream of writes the batches grow instead, and the index work stays under a
    fifth of the worker's time; a quiet site still sees a write in search within
    `least` seconds."""
    return min(max(least, BATCH_SPACING * last_batch_took), max(least, MAX_BATCH_SECONDS))


def runner(app: Flask) -> Runner:
    found = app.extensions.get(RUNNER_KEY)
    if found is None:
        found = app.extensions[RUNNER_KEY] = Runner(app)
    return found


def init_app(app: Flask) -> None:
    """In "thread" mode, start the runner with a process's first request (it runs what an
    earlier process left), and run what is left when the process ends (a command such as
    `askdesk demo`, a web worker that is replaced)."""
    if app.config["TASKS_MODE"] != "thread":
        return

    @app.before_request
    def _start_runner():
        if not runner(app).started:
            runner(app).wake()

    atexit.register(_run_at_exit, weakref.ref(app))


def _run_at_exit(app_ref) -> None:
    """Run the tasks this process's runner was still gathering into a batch. A process
    that had none leaves the queue to the others: a web worker that gunicorn replaces
    under load would otherwise take on whatever had just fallen due (a window of
    search rescores) while nobody waited for it, with no worker serving meanwhile
    when two went together."""
    app = app_ref()
    if app is None or not runner(app).started:
        return
    gathering = runner(app).woken.is_set()
    runner(app).stop()
    if not gathering:
        return
    with app.app_context():
        try:
            run_pending()
        except Exception:
            log.exception("running the last tasks failed; they wait for the next process")


# --- TASKS_MODE "process" ----------------------------------------------------------

# The task process runs at a lower priority than the web workers: on a busy site, index
# writes take the CPU that serving leaves, and catch up when the load falls (nice 0, 10
# and 19 compared in bench/RESULTS.md, session 13).
TASK_PROCESS_NICE = 10
PARENT_SIGNALS = (signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                  signal.SIGTTIN, signal.SIGTTOU, signal.SIGWINCH, signal.SIGCHLD)


def start_process(app: Flask) -> int:
    """Fork the task process from this one, which has loaded `app` (gunicorn's master, in
    gunicorn.conf.py: the process shares its imported code as the web workers do), and
    return its pid. It runs until stop_process, or until this process is gone."""
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        stopping = threading.Event()
        for number in PARENT_SIGNALS:  # gunicorn's master's handlers are not for this one
            signal.signal(number, signal.SIG_DFL)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stopping.set())
        os.nice(TASK_PROCESS_NICE)
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)  # the parent's connections stay the parent's
        serve(app, stopping, parent)
        status = 0
    except BaseException:
        log.exception("the task process failed")
    finally:
        os._exit(status)


def stop_process(pid: int, timeout: float) -> None:
    """Let the task process finish its batch and end; after `timeout` seconds, kill it."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            return  # ended, and reaped already (gunicorn's master reaps its children)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def serve(app: Flask, stopping: threading.Event, parent: int | None = None) -> None:
    """Run due tasks every TASKS_BATCH_SECONDS until `stopping` is set (the batch under
    way is finished), or until the process `parent` has gone."""
    while not stopping.wait(app.config["TASKS_BATCH_SECONDS"]):
        if parent is not None and os.getppid() != parent:
            return
        with app.app_context():
            _run_due()


# --- TASKS_MODE "rq" -----------------------------------------------------------------

def redis_connection(app: Flask):
    from redis import Redis

    key = "askdesk_tasks_redis"
    if key not in app.extensions:
        app.extensions[key] = Redis.from_url(app.config["REDIS_URL"])
    return app.extensions[key]


def rq_queue(app: Flask):
    from rq import Queue

    return Queue(RQ_QUEUE, connection=redis_connection(app))


def wake_rq_workers(app: Flask) -> None:
    """Queue one RQ job that runs what is due, unless one is queued already."""
    from redis.exceptions import RedisError

    try:
        # The key expires so that a job lost with a Redis restart cannot block the next one.
        if redis_connection(app).set(RQ_WAKE_KEY, "1", nx=True, ex=2 * POLL_SECONDS):
            rq_queue(app).enqueue(rq_job, job_timeout=int(LEASE.total_seconds()))
    except RedisError as error:  # the rows wait; a worker's next poll finds them
        log.warning("could not wake the task workers: %s", error)


def _defer_to_rq(app: Flask, name: str, payload: dict) -> None:
    from redis.exceptions import RedisError

    try:
        rq_queue(app).enqueue(run_deferred, name, payload, job_timeout=int(LEASE.total_seconds()))
    except RedisError as error:  # lost: the next look asks again
        log.warning("could not queue %s: %s", name, error)


def rq_job() -> int:
    """The RQ job: run what is due, in `askdesk worker` (inside the app context).

    It first lets writes gather for TASKS_BATCH_SECONDS, as the runner thread does: until
    it deletes the wake key, they queue no new job. Without the wait each write of a busy
    site had a job of its own: RQ's handling of the jobs and claiming and settling their
    few tasks were about 45% of the worker's samples (py-spy, PostgreSQL answers)."""
    app = current_app._get_current_object()
    time.sleep(app.config["TASKS_BATCH_SECONDS"])
    redis_connection(app).delete(RQ_WAKE_KEY)  # writes from now on queue a new job
    try:
        return run_pending()
    finally:
        db.session.remove()


def work(app: Flask, *, burst: bool = False) -> None:
    """Serve the RQ queue in this process (`askdesk worker`), polling for retries."""
    from rq import SimpleWorker

    wake_rq_workers(app)  # whatever waited while no worker ran
    if not burst:
        threading.Thread(target=_poll, args=(app,), name="askdesk-task-poll", daemon=True).start()
    worker = SimpleWorker([rq_queue(app)], connection=redis_connection(app))
    if burst:
        # RQ's command channel serves long-running workers. Its listening thread, when a
        # burst ends before it has subscribed, holds the exit for 60 s (redis-py 8).
        worker.subscribe = lambda: None
    worker.work(burst=burst)


def _poll(app: Flask) -> None:
    while True:
        time.sleep(POLL_SECONDS)
        wake_rq_workers(app)
