"""Fixtures for the browser tests: the real app served over HTTP, driven by the
system Chromium through Playwright.

The served app has CSRF protection on, as in production (rate limits stay
off). It shares the test database with the `app` fixture, whose pushed
context the tests use to build data through the services and to read back
what the server committed (after `db.session.rollback()`).
"""
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from forum.services import boards
from tests.browser.helpers import AXE

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = HERE / "artifacts"
TIMEOUT_MS = 10_000  # a step that takes longer is a failure, not a slow pass

BOARD_SLUG = "printers"
BOARD_NAME = "Printers"
BOARD_DESCRIPTION = "Setup, drivers, paper jams and print quality."


@dataclass
class LiveServer:
    """The address of the served app and the board created for the test."""

    url: str
    board_slug: str
    board_name: str


@pytest.fixture(scope="package")
def playwright():
    """Playwright's sync API, or a skip when it or the system Chromium is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"no system Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright):
    """One headless Chromium for all the browser tests."""
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def live_server(app, make_app):
    """The app served over HTTP in a daemon thread, with one board."""
    served = make_app(WTF_CSRF_ENABLED=True)
    boards.create_board(None, BOARD_SLUG, BOARD_NAME, BOARD_DESCRIPTION)
    httpd = make_server("127.0.0.1", 0, served, threaded=True)
    worker = threading.Thread(target=httpd.serve_forever, daemon=True, name="askdesk-http")
    worker.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{httpd.server_port}", BOARD_SLUG, BOARD_NAME)
    finally:
        httpd.shutdown()
        httpd.server_close()
        worker.join(timeout=5)


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts (one per person) on the live server; all closed at the end."""
    contexts = []

    def factory(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def axe_script() -> Path:
    """The axe-core script to inject, or a skip when npm has not installed it."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed ({AXE}): run `make test` or "
                    "`npm ci` in tests/browser")
    return AXE


@pytest.fixture
def artifacts() -> Path:
    """The folder for screenshots (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

