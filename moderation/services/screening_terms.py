"""The blocked words and domains spam screening holds posts for, edited by admins."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum import permissions
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db
from forum.models import User
from forum.permissions import require
from forum.services import inputs
from forum.transactions import transactional

from .. import audit
from ..models import ScreeningTerm

TERM_KINDS = ("word", "domain")
_WORD = re.compile(r"\w{1,120}")
_DOMAIN = re.compile(r"(?=.{4,120}$)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}")

permissions.add_rules(
    {"manage_screening": lambda user, _obj=None: user is not None and user.is_admin},
    {"manage_screening": _l("Only administrators can edit the blocked words and domains.")},
)


def _value(kind: str, raw) -> str:
    value = inputs.text(raw, "value", min_len=1, max_len=200, label=_l("Word or domain")).lower()
    if kind == "domain":
        value = re.sub(r"^[a-z]+://", "", value).split("/")[0].removeprefix("www.")
        if not _DOMAIN.fullmatch(value):
            raise ValidationError(_l("Give a domain name such as spam.example."),
                                  fields={"value": "not a domain name"})
    elif not _WORD.fullmatch(value):
        raise ValidationError(_l("Give one word, without spaces or punctuation."),
                              fields={"value": "not a single word"})
    return value


def list_terms(viewer: User | None) -> list[ScreeningTerm]:
    """Every blocked word and domain, words first, alphabetically."""
    require(viewer, "manage_screening")
    return list(db.session.scalars(
        select(ScreeningTerm).order_by(ScreeningTerm.kind.desc(), ScreeningTerm.value)))


@transactional
def add_term(admin: User, kind, value) -> ScreeningTerm:
    """Block a word or a domain (posts using it are held for review)."""
    require(admin, "manage_screening")
    kind = inputs.choice(kind, "kind", TERM_KINDS)
    value = _value(kind, value)
    try:
        with db.session.begin_nested():
            term = ScreeningTerm(kind=kind, value=value, created_by_id=admin.id)
            db.session.add(term)
    except IntegrityError:
        raise Conflict(_l("“%(value)s” is blocked already.", value=value),
                       fields={"value": "already blocked"})
    audit.record(admin, "screening_add", "screening", term.id, after={"kind": kind, "value": value})
    return term


@transactional
def remove_term(admin: User, term_id) -> None:
    """Stop blocking a word or domain."""
    require(admin, "manage_screening")
    term = db.session.get(ScreeningTerm, inputs.integer(term_id, "id"))
    if term is None:
        raise NotFound(_l("No such blocked word or domain."))
    audit.record(admin, "screening_remove", "screening", term.id,
                 before={"kind": term.kind, "value": term.value})
    db.session.delete(term)
