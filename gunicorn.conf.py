"""gunicorn settings for Askdesk: `gunicorn -c gunicorn.conf.py wsgi:app`.

Sync workers, two per core plus one by default (ASKDESK_WEB_WORKERS overrides):
a page costs a few milliseconds of CPU and waits little on the database, so
more workers than that only add memory. Each environment variable below has
the same meaning on every node.
"""
import multiprocessing
import os

bind = os.environ.get("ASKDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ASKDESK_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A worker is replaced after this many requests (with jitter), bounding slow leaks.
max_requests = 10_000
max_requests_jitter = 1_000
timeout = 30
graceful_timeout = 20
keepalive = 5
# Forwarded headers are trusted from the local proxy only.
forwarded_allow_ips = os.environ.get("ASKDESK_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ASKDESK_ACCESS_LOG") or None


def worker_exit(_server, worker):
    """Write the worker's buffered view counts before it goes."""
    from forum.services import views

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "app_context"):
        with app.app_context():
            views.flush()
