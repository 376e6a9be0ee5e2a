"""Full-text search: one interface, two backends.

`backend()` gives the configured one: Whoosh (default; an index in the
instance folder) or PostgreSQL full-text search (ASKDESK_SEARCH_BACKEND=
postgres; tsvector columns in the database, shared by every web server).
Both take `Document`s and answer `ParsedQuery`s with `Hit`s; what is
indexed and who may see it is decided by `forum.services.search`.
"""
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from .documents import SORTS, Document, Hit, HitPage
from .errors import IndexBusy
from .query import DOC_TYPES, ParsedQuery, parse, words

EXTENSION_KEY = "askdesk_search"


class SearchBackend(Protocol):
    """What every backend offers (see whoosh_backend and postgres_backend)."""

    name: str

    def upsert(self, documents) -> None: ...
    def delete(self, doc_type: str, doc_ids) -> None: ...
    def rebuild(self, documents, progress) -> int: ...
    def search(self, parsed: ParsedQuery, *, sort: str, page: int, per_page: int) -> HitPage: ...
    def similar(self, text: str, *, doc_type: str, limit: int, exclude=()) -> list[Hit]: ...
    def corrections(self, candidates) -> dict[str, str]: ...
    def count(self) -> int: ...
    def size_bytes(self) -> int: ...
    def close(self) -> None: ...


def backend(app: Flask | None = None) -> SearchBackend:
    """The app's search backend, made once per process."""
    app = app or current_app._get_current_object()
    found = app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = app.extensions[EXTENSION_KEY] = _make(app)
    return found


def import_backend(app: Flask) -> type:
    """The class of the app's search backend, its code imported but nothing opened.

    The import waits for the first search, which keeps the app's start short; a server
    that forks its workers from a loaded app imports it first, so that they share it.
    """
    if app.config["SEARCH_BACKEND"] == "postgres":
        from .postgres_backend import PostgresBackend

        return PostgresBackend
    from .whoosh_backend import WhooshBackend

    return WhooshBackend


def _make(app: Flask) -> SearchBackend:
    language = app.config["SITE_LANGUAGE"]
    backend_class = import_backend(app)
    if app.config["SEARCH_BACKEND"] == "postgres":
        return backend_class(language)
    return backend_class(
        Path(app.config["INSTANCE_DIR"]) / "search", language,
        build_procs=app.config["SEARCH_BUILD_PROCS"],
        refresh_seconds=app.config.get("SEARCH_REFRESH_SECONDS", 1.0),
    )


__all__ = [
    "DOC_TYPES", "SORTS", "Document", "Hit", "HitPage", "IndexBusy", "ParsedQuery",
    "SearchBackend", "backend", "parse", "words",
]
