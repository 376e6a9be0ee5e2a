"""Time helpers: the database stores naive UTC; the API shows ISO 8601 with Z."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    """The current UTC time as a naive datetime, as every column stores it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def isoformat(value: datetime | None) -> str | None:
    """Render a stored UTC time as an ISO 8601 string with a Z suffix."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"
