"""The database session: on PostgreSQL, web requests read outside a transaction.

A read in a transaction costs two round trips more than its queries: psycopg's
BEGIN before the first and the ROLLBACK that ends it at teardown. A request that
only reads gains nothing from them (each page's queries see committed rows
either way), so on PostgreSQL a web request's session connects in autocommit
mode, as Django's does, and `write_transaction()` (forum/transactions.py) opens
a real transaction for every write. Outside requests (commands, task runners,
the tests' own set-up) the session keeps its transactions. SQLite is left as it
is: its transactions are in-process calls, and its writers need BEGIN IMMEDIATE.

This module imports nothing of Askdesk's, so that forum.extensions can use it.
"""
import contextvars

from flask import current_app, has_request_context
from flask_sqlalchemy.session import Session as FlaskSession

# True inside write_transaction(): the session must then run in a real transaction.
writing = contextvars.ContextVar("askdesk_writing", default=False)

# app.extensions[READING_BINDS]: engine -> the same engine (and pool) in autocommit mode
READING_BINDS = "askdesk_reading_binds"


class Session(FlaskSession):
    def get_bind(self, *args, **kwargs):
        bind = super().get_bind(*args, **kwargs)
        if writing.get() or not has_request_context():
            return bind
        return current_app.extensions.get(READING_BINDS, {}).get(bind, bind)
