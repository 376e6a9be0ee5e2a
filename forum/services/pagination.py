"""Page-number pagination for lists, shared by pages and the API."""
from dataclasses import dataclass
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, literal, select

from ..errors import ValidationError
from ..extensions import db
from . import inputs

MAX_PER_PAGE = 100


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    total_is_exact: bool = True  # False: `total` rows were counted and there are more


    @property
    def pages(self) -> int:
        counted = self.total if self.total_is_exact else self.total + 1  # one more, at least
        return max(1, ceil(counted / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(page=None, per_page=None, *, default_per_page: int = 30) -> tuple[int, int]:
    """Validate page and per_page as they came from a query string."""
    page = inputs.integer(page, "page", allow_none=True)
    per_page = inputs.integer(per_page, "per_page", allow_none=True)
    page = 1 if page is None else page
    per_page = default_per_page if per_page is None else per_page
    if page < 1 or page > 100_000:
        raise ValidationError(_l("The page number is out of range."), fields={"page": "out of range"})
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise ValidationError(
            _l("Show between 1 and %(n)s items per page.", n=MAX_PER_PAGE),
            fields={"per_page": f"must be 1 to {MAX_PER_PAGE}"},
        )
    return page, per_page


def paginate(query: Select, page: int, per_page: int, *, scalars: bool = True,
             key=None, count_beyond: int | None = None) -> Page:
    """Run `query` for one page plus one count query.

    With `key` (the listed model's primary key), the page's keys are found
    first, in an index that matches the sort, and only those rows are loaded:
    a deep page then skips index entries instead of whole rows and their joins.

    With `count_beyond`, the count stops that many rows past the page's end
    (the page's total is then not exact): a list whose every row matches a
    filter no index holds costs the same at any size of the site.
    """
    # Counting over only a constant lets the database count index entries, not whole rows.
    counted = query.with_only_columns(literal(1), maintain_column_froms=True).order_by(None)
    limit = None if count_beyond is None else page * per_page + count_beyond
    if limit is not None:
        counted = counted.limit(limit + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    exact = limit is None or total <= limit
    window = query.limit(per_page).offset((page - 1) * per_page)
    if key is not None:
        keys = window.with_only_columns(key, maintain_column_froms=True)
        window = query.where(key.in_(keys))
    result = db.session.execute(window)
    items = list(result.scalars().unique() if scalars else result.unique())
    return Page(items=items, page=page, per_page=per_page, total=min(total, limit or total),
                total_is_exact=exact)
