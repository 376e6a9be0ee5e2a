"""Errors of the search backends."""


class IndexBusy(Exception):
    """The index could not be written now (another writer holds it); retry later."""
