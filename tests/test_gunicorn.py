"""The shipped gunicorn.conf.py serves the app as production runs it: loaded once in the
master (preload_app), forked into workers that open their own database connections, and
a task process beside them that runs mail and index updates."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer")


def _token(base: str) -> int:
    request = urllib.request.Request(
        base + "/api/v1/auth/token", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"login": "worker-test", "password": "a long enough password"}).encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.mark.slow
def test_preloaded_workers_read_and_write_the_database(tmp_path):
    if shutil.which("gunicorn", path=str(BIN)) is None:
        pytest.skip("gunicorn is not installed (pip install '.[prod]')")
    env = {**os.environ, "ASKDESK_INSTANCE_DIR": str(tmp_path),
           "ASKDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
           "ASKDESK_SECRET_KEY": "gunicorn-test-secret", "ASKDESK_RATELIMIT_ENABLED": "0"}
    env.pop("ASKDESK_REDIS_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "askdesk", "users", "create", "worker-test", "--email", "w@example.com",
           "--password", "a long enough password")
    _store_a_mail(env)
    base = f"http://127.0.0.1:{_free_port()}"
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as errors:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "2",
             "--bind", base.removeprefix("http://"), "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        _wait_until_up(base, server)
        # Each request is a new connection, so both workers serve some of them.
        statuses = [_token(base) for _ in range(20)]
        pages = [urllib.request.urlopen(base + "/", timeout=10).status for _ in range(20)]
        mail = _wait_for(lambda: list((tmp_path / "mail").glob("*.eml")))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses == [200] * 20 and pages == [200] * 20
    text = log.read_text()
    assert "Booting worker" in text and "Traceback" not in text, text[-3000:]
    assert len(mail) == 1  # delivered by the task process
    task_process = int(re.search(r"Started the task process \(pid: (\d+)\)", text)[1])
    assert not Path(f"/proc/{task_process}").exists()  # it ended with the server


def _store_a_mail(env: dict) -> None:
    """Queue one message, as a request would, for the server's task process to send."""
    code = ("from forum import create_app, mail\n"
            "with create_app().app_context():\n"
            "    mail.send(to='w@example.com', subject='Hello', text='Queued before the start.')")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True,
                   env={**env, "ASKDESK_TASKS_MODE": "process"})  # stored, not sent


def _wait_for(found, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while not (result := found()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return result


def test_the_master_imports_the_search_backend_for_its_workers(tmp_path):
    """The app's start leaves Whoosh unimported; gunicorn's master imports it once ready,
    before it forks the workers."""
    code = """
import runpy, sys, types
from forum import create_app
app = create_app()
print("forum.search.whoosh_backend" in sys.modules)
settings = runpy.run_path("gunicorn.conf.py")
settings["when_ready"](types.SimpleNamespace(app=types.SimpleNamespace(callable=app)))
print("forum.search.whoosh_backend" in sys.modules)
"""
    env = {**os.environ, "ASKDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
           "ASKDESK_INSTANCE_DIR": str(tmp_path / "instance"), "ASKDESK_SECRET_KEY": "test"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == ["False", "True"]
