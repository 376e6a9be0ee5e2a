"""gunicorn settings for Askdesk: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers, two per core plus one by default (ASKDESK_WEB_WORKERS overrides):
a page costs a few milliseconds of CPU and waits little on the database, so
more workers than that only add memory. Each environment variable below has
the same meaning on every node.
"""
import gc
import multiprocessing
import os

bind = os.environ.get("ASKDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ASKDESK_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A worker is replaced after this many requests (with jitter), bounding slow leaks and
# the heap that index merges leave behind. A new worker starts with empty caches: under
# the load benchmark's thousands of requests a second that is every few seconds, and the
# p99 of board pages rises to seconds (bench/RESULTS.md); a quieter site rarely sees it.
max_requests = 10_000
max_requests_jitter = 1_000
timeout = 30
graceful_timeout = 20
keepalive = 5
# Forwarded headers are trusted from the local proxy only.
forwarded_allow_ips = os.environ.get("ASKDESK_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ASKDESK_ACCESS_LOG") or None
# The app is loaded once, in the master, and the workers fork from it: the imported code
# and data (about 80 MB) stay shared between the workers instead of being loaded into
# each, and a replaced worker starts at once.
preload_app = True
# Without Redis (and so without `askdesk worker` processes), mail and index updates run in
# a task process that the master starts beside the workers (forum/tasks.py, "process"):
# in a worker's own thread they shared its interpreter, and a request holding SQLite's
# write lock waited for the thread to let go of the interpreter (bench/RESULTS.md,
# session 13).
if not os.environ.get("ASKDESK_REDIS_URL"):
    os.environ.setdefault("ASKDESK_TASKS_MODE", "process")


def when_ready(server):
    """Import the search backend in the master (Whoosh is 0.3 s of imports), for the
    workers and the task process to share instead of each importing it on its first
    search or index write; then start the task process ("process" mode)."""
    app = server.app.callable
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # not Askdesk (the benchmark's hello)
    from forum import search, tasks

    search.import_backend(app)
    if app.config["TASKS_MODE"] == "process":
        server.askdesk_task_process = tasks.start_process(app)
        server.log.info("Started the task process (pid: %s)", server.askdesk_task_process)


def on_exit(server):
    """Stop the task process once the workers have stopped, letting it end its batch."""
    pid = getattr(server, "askdesk_task_process", None)
    if pid is not None:
        from forum import tasks

        tasks.stop_process(pid, timeout=graceful_timeout)


def pre_fork(_server, _worker):
    """Keep the master's objects out of the workers' garbage collections: a collection
    writes to every object it visits, which would copy the shared pages into each worker."""
    gc.freeze()


def post_fork(server, _worker):
    """A worker opens its own database connections, never the master's."""
    app = server.app.callable
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # not Askdesk (the benchmark serves a bare Flask app with these settings)
    from forum.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def worker_exit(_server, worker):
    """Write the worker's buffered view counts before it goes."""
    from forum.services import views

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "app_context"):
        with app.app_context():
            views.flush()
