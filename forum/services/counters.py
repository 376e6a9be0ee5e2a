"""Stored counters (scores, answer and thread counts, reputation) change only here."""
import functools

from sqlalchemy import bindparam, exists, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..extensions import db


def increment(model, row_id: int, *, along: tuple | None = None,
              **deltas: int) -> tuple | None:
    """Add to counter columns in SQL, so concurrent writers never lose an update; returns
    the row's new values of the counters changed, in the order given (RETURNING).

    `along`, an INSERT ... RETURNING (its values bind parameters) and its parameters, is
    a row written with the change, which happens only if the row was written (an
    INSERT ... ON CONFLICT DO NOTHING may write none: then nothing changes and the
    result is None). On PostgreSQL both go in one statement, the INSERT as a
    data-modifying CTE, which saves a round trip (a vote and the score it moves, a
    ledger event and the total); elsewhere the INSERT runs just before.

    The statement runs on the session's connection, as plain SQL: run through the
    session, the ORM first looked for the row among the objects it holds, which cost
    five times the statement (votes and answers run three or four of these). The row's
    object, if the session holds it, is given the new values here instead.
    """
    names = tuple(name for name, delta in deltas.items() if delta)
    if not names and along is None:
        return ()
    session = db.session()
    session.flush()  # what the statement may refer to (a row added just now)
    connection = session.connection()
    insert, insert_values = along or (None, {})
    if insert is not None and (not names or connection.dialect.name != "postgresql"):
        if connection.execute(insert, insert_values).first() is None:
            return None
        insert = None
    if not names:
        return ()
    values = {**insert_values, "row_id": row_id,
              **{f"delta_{name}": deltas[name] for name in names}}
    result = connection.execute(_statement(model, names, insert), values)
    row = result.first() if insert is not None else result.one()
    if row is None:  # the INSERT wrote no row, so nothing changed
        return None
    row = tuple(row)
    instance = session.identity_map.get(identity_key(model, row_id))
    if instance is not None:
        for name, value in zip(names, row):
            set_committed_value(instance, name, value)
    return row


@functools.cache
def _statement(model, names: tuple[str, ...], insert=None):
    # Built once per model, set of counters and INSERT: building the expression cost as
    # much as executing it.
    statement = (update(model).where(model.id == bindparam("row_id"))
                 .values({name: getattr(model, name) + bindparam(f"delta_{name}")
                          for name in names})
                 .returning(*(getattr(model, name) for name in names)))
    if insert is None:
        return statement
    return statement.where(exists(insert.cte("written").select()))
