"""Background tasks (forum/tasks.py): stored with the write, run after it, retried, never lost."""
import os
import threading
import time
import weakref

import pytest
from sqlalchemy import select

from forum import tasks
from forum.extensions import db
from forum.models import QueuedTask
from forum.timeutil import utcnow
from forum.transactions import write_transaction

RUNS: list = []


def record(payload):
    """A one-at-a-time test handler."""
    if payload.get("fail"):
        raise ConnectionError("the service is away")
    RUNS.append(payload)


def record_batch(payloads):
    """A batch test handler."""
    RUNS.append([p["n"] for p in payloads])


@pytest.fixture(autouse=True)
def handlers(monkeypatch):
    RUNS.clear()
    monkeypatch.setitem(tasks.HANDLERS, "test.one", ("tests.test_tasks:record", False))
    monkeypatch.setitem(tasks.HANDLERS, "test.batch", ("tests.test_tasks:record_batch", True))


def _rows():
    return db.session.scalars(select(QueuedTask).order_by(QueuedTask.id)).all()


def test_a_task_runs_once_its_write_commits_and_leaves_no_row(app):
    with write_transaction():
        tasks.enqueue("test.one", {"n": 1})
        assert RUNS == []  # not before the commit
    assert RUNS == [{"n": 1}] and _rows() == []


def test_a_write_that_rolls_back_leaves_no_task(app):
    with pytest.raises(RuntimeError), write_transaction():
        tasks.enqueue("test.one", {"n": 1})
        raise RuntimeError("the write failed")
    assert RUNS == [] and _rows() == []


def test_unknown_task_names_are_refused(app):
    with pytest.raises(KeyError):
        tasks.enqueue("no.such.task", {})


def test_batched_tasks_reach_their_handler_in_one_call(app):
    with write_transaction():
        for n in range(3):
            tasks.enqueue("test.batch", {"n": n})
    assert RUNS == [[0, 1, 2]]


def test_a_failed_task_is_kept_and_retried_with_growing_delays(app, monkeypatch):
    tasks.enqueue("test.one", {"fail": True})
    [row] = _rows()
    assert (row.attempts, row.dead) == (1, False) and "the service is away" in row.last_error
    assert row.run_after >= utcnow() + tasks.retry_delay(1) - tasks.timedelta(seconds=2)
    assert tasks.run_pending() == 0  # not due yet
    assert tasks.retry_delay(2) == 2 * tasks.retry_delay(1)
    assert tasks.retry_delay(30).total_seconds() == 3600


def test_after_max_attempts_a_task_is_dead_but_kept_and_can_be_revived(app, monkeypatch):
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 2)
    tasks.enqueue("test.one", {"fail": True})
    tasks.make_due()
    tasks.run_pending()
    [row] = _rows()
    assert (row.attempts, row.dead) == (2, True)
    assert tasks.counts() == {"waiting": 0, "dead": 1}
    assert tasks.make_due() == 0  # dead ones only come back when asked for
    row.payload = {"n": 5}  # the operator fixed the cause
    db.session.commit()
    assert tasks.make_due(revive=True) == 1 and tasks.run_pending() == 1
    assert RUNS == [{"n": 5}] and _rows() == []


def test_a_taken_task_is_not_taken_again_until_its_lease_ends(app, monkeypatch):
    monkeypatch.setitem(app.config, "TASKS_MODE", "rq")  # stored, not run
    monkeypatch.setattr(tasks, "wake_rq_workers", lambda app: None)
    tasks.enqueue("test.one", {"n": 1})
    assert len(tasks._claim(10)) == 1  # a runner took it, then died
    assert tasks._claim(10) == []
    later = utcnow() + tasks.LEASE
    monkeypatch.setattr(tasks, "utcnow", lambda: later)
    assert tasks.run_pending() == 1 and RUNS == [{"n": 1}]


def test_thread_mode_runs_tasks_in_the_background(make_app):
    app = make_app(TASKS_MODE="thread", TASKS_BATCH_SECONDS=0)
    with app.app_context():
        tasks.enqueue("test.one", {"n": 1})
        _wait_until(lambda: RUNS == [{"n": 1}])
        _wait_until(lambda: db.session.rollback() or not _rows())
        assert RUNS == [{"n": 1}] and _rows() == []


def test_thread_mode_runs_what_is_left_when_the_process_ends(make_app):
    app = make_app(TASKS_MODE="thread", TASKS_BATCH_SECONDS=30)
    with app.app_context():
        tasks.enqueue("test.one", {"n": 1})  # the runner waits 30 s for more to come
        assert RUNS == []
        tasks._run_at_exit(weakref.ref(app))
        assert RUNS == [{"n": 1}] and _rows() == []
        assert not tasks.runner(app).thread.is_alive()


def test_a_process_that_ends_leaves_other_processes_tasks_to_them(make_app):
    app = make_app(TASKS_MODE="thread", TASKS_BATCH_SECONDS=0.01)
    with app.app_context():
        runner = tasks.runner(app)
        runner.wake()
        _wait_until(lambda: not runner.woken.is_set())  # its first (empty) batch has run
        with write_transaction():  # another process's task, which woke its own runner
            db.session.add(QueuedTask(name="test.one", payload={"n": 2}))
        tasks._run_at_exit(weakref.ref(app))
        assert RUNS == [] and [row.payload for row in _rows()] == [{"n": 2}]
        assert not runner.thread.is_alive()


def test_a_deferred_task_runs_without_a_row_and_its_failure_stays_out_of_the_caller(app):
    tasks.defer("test.one", {"n": 1})
    tasks.defer("test.one", {"fail": True})  # logged and forgotten
    assert RUNS == [{"n": 1}] and _rows() == []
    with pytest.raises(KeyError):
        tasks.defer("no.such.task", {})


def test_thread_mode_runs_deferred_tasks_in_the_background(make_app):
    app = make_app(TASKS_MODE="thread", TASKS_BATCH_SECONDS=0)
    with app.app_context():
        tasks.defer("test.one", {"n": 1})
        _wait_until(lambda: RUNS == [{"n": 1}])
        assert RUNS == [{"n": 1}] and _rows() == []


def test_process_mode_leaves_due_tasks_to_the_task_process(make_app):
    app = make_app(TASKS_MODE="process", TASKS_BATCH_SECONDS=0.01)
    with app.app_context():
        tasks.enqueue("test.one", {"n": 1})
        time.sleep(0.1)
        assert RUNS == [] and len(_rows()) == 1  # stored, and no web process runs it
        stopping = threading.Event()
        serving = threading.Thread(target=tasks.serve, args=(app, stopping))
        serving.start()
        _wait_until(lambda: db.session.rollback() or not _rows())
        stopping.set()
        serving.join(10)
        assert RUNS == [{"n": 1}] and _rows() == [] and not serving.is_alive()


def test_process_mode_runs_deferred_tasks_in_the_web_process(make_app):
    app = make_app(TASKS_MODE="process", TASKS_BATCH_SECONDS=0)
    with app.app_context():
        tasks.defer("test.one", {"n": 1})
        _wait_until(lambda: RUNS == [{"n": 1}])
        assert RUNS == [{"n": 1}]


def test_the_task_process_runs_tasks_until_it_is_stopped(make_app):
    app = make_app(TASKS_MODE="process", TASKS_BATCH_SECONDS=0.01)
    with app.app_context():
        tasks.enqueue("test.one", {"n": 1})
        db.session.remove()
        pid = tasks.start_process(app)
        # It ran there (RUNS is the forked process's), and the task's row went with it.
        _wait_until(lambda: db.session.rollback() or not _rows())
        assert _rows() == []
        tasks.stop_process(pid, timeout=10)
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # ended, and waited for
    assert RUNS == []


def test_a_task_process_whose_parent_is_gone_ends(make_app):
    app = make_app(TASKS_MODE="process", TASKS_BATCH_SECONDS=0.01)
    stopping = threading.Event()
    serving = threading.Thread(target=tasks.serve, args=(app, stopping, os.getpid() + 1))
    serving.start()
    serving.join(10)
    assert not serving.is_alive() and not stopping.is_set()


def _wait_until(done, seconds: float = 10) -> None:
    """Poll `done` until it holds or `seconds` pass (the caller's assert then tells)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)


def _empty_redis_database(number: int):
    redis = pytest.importorskip("redis")
    url = f"redis://127.0.0.1:6379/{number}"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (present in CI)")
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def redis_url():
    yield from _empty_redis_database(14)


@pytest.fixture
def other_redis_url():
    """A database of its own, for a test that may run beside one using `redis_url`."""
    yield from _empty_redis_database(12)


def test_rq_mode_hands_tasks_to_the_worker(make_app, redis_url):
    pytest.importorskip("rq")
    app = make_app(TASKS_MODE="rq", REDIS_URL=redis_url, TASKS_BATCH_SECONDS=0)
    with app.app_context():
        for n in range(2):
            tasks.enqueue("test.one", {"n": n})
        assert RUNS == [] and len(_rows()) == 2
        assert tasks.rq_queue(app).count == 1  # one wake-up for both
        tasks.work(app, burst=True)
        assert RUNS == [{"n": 0}, {"n": 1}] and _rows() == []


def test_rq_mode_hands_deferred_tasks_to_the_worker(make_app, other_redis_url):
    pytest.importorskip("rq")
    app = make_app(TASKS_MODE="rq", REDIS_URL=other_redis_url)
    with app.app_context():
        tasks.defer("test.one", {"n": 1})
        assert RUNS == [] and _rows() == []
        (job,) = tasks.rq_queue(app).jobs  # what an `askdesk worker` would run
        assert job.func is tasks.run_deferred
        job.perform()
        assert RUNS == [{"n": 1}]


def test_rq_mode_keeps_tasks_when_redis_is_away(make_app):
    app = make_app(TASKS_MODE="rq", REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        tasks.enqueue("test.one", {"n": 1})  # the write succeeds
        assert RUNS == [] and len(_rows()) == 1


def test_cli_shows_runs_and_revives_tasks(app, runner):
    tasks.enqueue("test.one", {"fail": True})
    status = runner.invoke(args=["askdesk", "tasks", "status"])
    assert "test.one: 1 waiting, 0 dead" in status.output
    result = runner.invoke(args=["askdesk", "tasks", "run", "--now"])
    assert result.exit_code == 0 and "Ran 0 tasks." in result.output
    assert _rows()[0].attempts == 2


def test_worker_needs_redis(app, runner):
    result = runner.invoke(args=["askdesk", "worker", "--burst"])
    assert result.exit_code != 0 and "ASKDESK_REDIS_URL" in result.output


def test_batches_are_spaced_by_what_the_last_one_took():
    assert tasks.batch_delay(1.0, 0.0) == 1.0  # a quiet site: a write is searchable in 1 s
    assert tasks.batch_delay(1.0, 0.1) == 1.0
    assert tasks.batch_delay(1.0, 0.5) == 2.0  # index work stays a fifth of the time
    assert tasks.batch_delay(1.0, 60) == tasks.MAX_BATCH_SECONDS
    assert tasks.batch_delay(45, 0.0) == 45  # a longer setting is kept as it is
