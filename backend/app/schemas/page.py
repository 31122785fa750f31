"""json-server's `_page` envelope, for any list answered a page at a time."""

from collections.abc import Sequence
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


def shown_page(wanted: int, items: int, per_page: int) -> int:
    """The page answered for page `wanted` of `items` matches: past the end, the last one (as
    json-server clamps it); page 1 when nothing matches."""
    return min(wanted, max(-(-items // per_page), 1))


class Page(BaseModel, Generic[Item]):
    """A page of a list: where it is among the pages, how many items match, and its rows."""

    first: int
    prev: int | None
    next: int | None
    last: int
    pages: int
    items: int
    data: list[Item]

    @classmethod
    def build(cls, data: Sequence[Any], items: int, wanted: int, per_page: int) -> Self:
        """The envelope of page `wanted` of `items` matches, `data` being its rows. A page past
        the end is the last one, as json-server clamps it (the SQL reading `data` does too)."""
        pages = -(-items // per_page)
        page = shown_page(wanted, items, per_page)
        return cls.model_validate(
            {
                "first": 1,
                "prev": page - 1 if page > 1 else None,
                "next": page + 1 if page < pages else None,
                "last": pages,
                "pages": pages,
                "items": items,
                "data": data,
            }
        )
