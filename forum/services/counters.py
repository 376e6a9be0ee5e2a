"""Stored counters (scores, answer and thread counts, reputation) change only here."""
import functools

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..extensions import db


def increment(model, row_id: int, **deltas: int) -> tuple:
    """Add to counter columns in SQL, so concurrent writers never lose an update; returns
    the row's new values of the counters changed, in the order given (RETURNING).

    The statement runs on the session's connection, as plain SQL: run through the
    session, the ORM first looked for the row among the objects it holds, which cost
    five times the statement (votes and answers run three or four of these). The row's
    object, if the session holds it, is given the new values here instead.
    """
    names = tuple(name for name, delta in deltas.items() if delta)
    if not names:
        return ()
    session = db.session()
    session.flush()  # what the statement may refer to (a row added just now)
    values = {"row_id": row_id, **{f"delta_{name}": deltas[name] for name in names}}
    row = tuple(session.connection().execute(_statement(model, names), values).one())
    instance = session.identity_map.get(identity_key(model, row_id))
    if instance is not None:
        for name, value in zip(names, row):
            set_committed_value(instance, name, value)
    return row


@functools.cache
def _statement(model, names: tuple[str, ...]):
    # Built once per model and set of counters: building the expression cost as much
    # as executing it.
    return (update(model).where(model.id == bindparam("row_id"))
            .values({name: getattr(model, name) + bindparam(f"delta_{name}") for name in names})
            .returning(*(getattr(model, name) for name in names)))
