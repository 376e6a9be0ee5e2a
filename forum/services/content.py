"""Rules for the text of posts, titles, tags and comments, shared by the Q&A services."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..models import Tag
from . import inputs

TITLE_MIN, TITLE_MAX = 10, 150
BODY_MIN, BODY_MAX = 20, 30_000
COMMENT_MIN, COMMENT_MAX = 2, 2_000
MAX_TAGS = 5
TAG_RE = re.compile(r"[a-z0-9][a-z0-9+#.\-]{0,34}")


def title(value) -> str:
    return inputs.text(value, "title", min_len=TITLE_MIN, max_len=TITLE_MAX, label=_l("Title"))


def body(value) -> str:
    return inputs.text(value, "body", min_len=BODY_MIN, max_len=BODY_MAX, label=_l("Body"))


def comment_body(value) -> str:
    return inputs.text(value, "body", min_len=COMMENT_MIN, max_len=COMMENT_MAX, label=_l("Comment"))


def summary(value) -> str:
    return inputs.text(value, "edit_summary", max_len=300, label=_l("Edit summary"))


def slugify(text: str) -> str:
    """An ASCII URL slug for a title ("Wi-Fi drops on the X200!" -> "wi-fi-drops-on-the-x200")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "thread"


def tag_names(value, limit: int | None = MAX_TAGS) -> list[str]:
    """Parse tags from a list or a comma/space separated string (at most `limit`)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_l("Tags must be a list of names."), fields={"tags": "list of strings"})
    names: list[str] = []
    for raw in value:
        name = raw.strip().lower()
        if not name or name in names:
            continue
        if not TAG_RE.fullmatch(name):
            raise ValidationError(
                _l("'%(name)s' is not a valid tag: use 1-35 letters, digits or + # . -",
                   name=name[:40]),
                fields={"tags": "invalid tag name"},
            )
        names.append(name)
    if limit is not None and len(names) > limit:
        raise ValidationError(
            _l("Use at most %(n)s tags.", n=limit), fields={"tags": f"at most {limit}"}
        )
    return names


def new_tag_names(names: list[str]) -> list[str]:
    """Which of `names` are not tags yet (creating them is a privilege)."""
    if not names:
        return []
    existing = set(db.session.scalars(select(Tag.name).where(Tag.name.in_(names))))
    return [name for name in names if name not in existing]


def tags_for(names: list[str]) -> list[Tag]:
    """The Tag rows for `names`, creating the missing ones."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    return [existing.get(name) or _create_tag(name) for name in names]


def _create_tag(name: str) -> Tag:
    # A savepoint, so that a concurrent request creating the same tag
    # (PostgreSQL: unique violation) costs a re-read instead of the post.
    try:
        with db.session.begin_nested():
            tag = Tag(name=name)
            db.session.add(tag)
        return tag
    except IntegrityError:
        return db.session.scalar(select(Tag).where(Tag.name == name))
