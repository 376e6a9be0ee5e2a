"""Stored counters (scores, answer and thread counts, reputation) change only here."""
import functools

from sqlalchemy import bindparam, update

from ..extensions import db


def increment(model, row_id: int, **deltas: int) -> tuple:
    """Add to counter columns in SQL, so concurrent writers never lose an update; returns
    the row's new values of the counters changed, in the order given (RETURNING)."""
    names = tuple(name for name, delta in deltas.items() if delta)
    if not names:
        return ()
    values = {"row_id": row_id, **{f"delta_{name}": deltas[name] for name in names}}
    return tuple(db.session.execute(_statement(model, names), values).one())


@functools.cache
def _statement(model, names: tuple[str, ...]):
    # Built once per model and set of counters: votes and answers run these constantly,
    # and building the expression cost as much as executing it.
    return (update(model).where(model.id == bindparam("row_id"))
            .values({name: getattr(model, name) + bindparam(f"delta_{name}") for name in names})
            .returning(*(getattr(model, name) for name in names)))
