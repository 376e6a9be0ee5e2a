"""Fixtures for the page tests.

Requests go to a second app (`web`) whose requests each push their own
application context, as in production: Flask reuses an already pushed
context of the *same* app, and with it `g`, where Flask-Login caches the
signed-in user and Flask-Babel the locale. The `app` fixture's context stays
pushed for building test data through the services.
"""
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import event

from forum.extensions import db
from tests.conftest import QueryCounter

TRANSLATIONS = Path(__file__).resolve().parents[2] / "forum" / "translations"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile the .po catalogs when their .mo is missing or older (as `make setup` does)."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog, use_fuzzy=True)


@pytest.fixture
def web(app, make_app):
    """The app the test client talks to (same database as `app`)."""
    return make_app()


@pytest.fixture
def client(web):
    return web.test_client()


@pytest.fixture
def count_queries(web):
    """Count the SQL statements the `web` app runs (not BEGIN/COMMIT)."""
    with web.app_context():
        engine = db.engine

    @contextmanager
    def counting():
        counter = QueryCounter()

        def record(_conn, _cursor, statement, *_args):
            if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)", statement, re.I):
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
