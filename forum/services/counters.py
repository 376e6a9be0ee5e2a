"""Stored counters (scores, answer and thread counts, reputation) change only here."""
from sqlalchemy import update

from ..extensions import db


def increment(model, row_id: int, **deltas: int) -> None:
    """Add to counter columns in SQL, so concurrent writers never lose an update."""
    values = {name: getattr(model, name) + delta for name, delta in deltas.items() if delta}
    if values:
        db.session.execute(update(model).where(model.id == row_id).values(**values))
