"""The json-server query language, translated to SQL in this one module.

Every value reaches PostgreSQL as a bound parameter; field names come from an allow-list, so a
query string can never name a column or operator of its own.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, Numeric, String, and_, func, literal, or_, true
from sqlalchemy.sql.elements import UnaryExpression

from app.errors import InvalidQuery
from app.models.patient import Patient

# Wire name -> column. The order is the order of the JSON objects on the wire.
FIELDS: dict[str, Any] = {
    "id": Patient.id,
    "patientID": Patient.patient_id,
    "name": Patient.name,
    "age": Patient.age,
    "gender": Patient.gender,
    "medicalCondition": Patient.medical_condition,
    "lastVisit": Patient.last_visit,
}
SEARCHED = (Patient.patient_id, Patient.name, Patient.medical_condition)
OPERATORS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "ne": lambda column, value: column != value,
}
CONTROL = ("_sort", "_start", "_end", "_limit", "_page", "_per_page", "q")
DEFAULT_PER_PAGE = 10
MAX_WINDOW = 10_000  # largest _limit / _per_page / slice one request may ask for
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1
_OPERATOR_SUFFIX = re.compile(r"^(?P<field>.+)_(?P<op>lt|lte|gt|gte|ne|like)$")


@dataclass
class ListQuery:
    """What a GET /patients query string asks for, ready to be applied to a SELECT."""

    where: list[ColumnElement[bool]] = field(default_factory=list)
    order_by: list[UnaryExpression[Any]] = field(default_factory=list)
    offset: int = 0
    limit: int | None = None
    page: int | None = None
    per_page: int = DEFAULT_PER_PAGE


def parse(params: Iterable[tuple[str, str]]) -> ListQuery:
    """Translate json-server query parameters into a `ListQuery`; raise `InvalidQuery` if bad."""
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        if "\x00" in key or "\x00" in value:
            # PostgreSQL text cannot hold NUL: refuse it here rather than fail in the driver.
            raise InvalidQuery(key.replace("\x00", ""), "must not contain NUL characters")
        grouped.setdefault(key, []).append(value)
    query = ListQuery()
    for key, values in grouped.items():
        if key in CONTROL:
            continue
        query.where.append(_condition(key, values))
    if "q" in grouped:
        query.where.append(_search(grouped["q"][-1]))
    query.order_by = _order(grouped.get("_sort", [""])[-1])
    _window(query, {key: grouped[key][-1] for key in CONTROL if key in grouped})
    return query


def _condition(key: str, values: list[str]) -> ColumnElement[bool]:
    """`field=value` (repeated: any of) or `field_op=value`."""
    # An empty value filters nothing, as in json-server (`?age=`, `?age_gt=`).
    wanted = [value for value in values if value != ""]
    if key in FIELDS:
        # Repeated values mean "any of".
        return or_(*(_equals(key, value) for value in wanted)) if wanted else true()
    match = _OPERATOR_SUFFIX.match(key)
    if match is None or match["field"] not in FIELDS:
        raise InvalidQuery(key, _unknown_parameter_message(key))
    name, op = match["field"], match["op"]
    if not wanted:
        return true()
    if op == "like":
        return and_(*(_like(FIELDS[name], value) for value in wanted))
    return and_(*(OPERATORS[op](FIELDS[name], _typed(key, name, v)) for v in wanted))


def _equals(name: str, raw: str) -> ColumnElement[bool]:
    column = FIELDS[name]
    if name == "patientID":
        # Unique ignoring case (P003 is p003), answered by the lower() index.
        return func.lower(column) == raw.lower()
    return column == _typed(name, name, raw)  # type: ignore[no-any-return]


def _typed(param: str, name: str, raw: str) -> Any:
    """Numbers compare as numbers and dates as dates, as in json-server."""
    kind = FIELDS[name].type
    try:
        if isinstance(kind, Integer):
            number = int(raw)
            if not INT4_MIN <= number <= INT4_MAX:
                # Bound as the column's int4 it would overflow (a 500); as numeric it compares.
                return literal(number, Numeric())
            return number
        if isinstance(kind, Date):
            # Only YYYY-MM-DD, the wire format: fromisoformat alone also takes "20240115".
            if not _ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
    except ValueError:
        expected = "a whole number" if isinstance(kind, Integer) else "a date YYYY-MM-DD"
        raise InvalidQuery(param, f"must be {expected}, got {raw!r}") from None
    return raw


def _like(column: Any, raw: str) -> ColumnElement[bool]:
    """Case-insensitive substring match: the pattern is escaped, never a regex."""
    target = column if isinstance(column.type, String) else func.cast(column, String)
    return target.ilike(f"%{_escape_like(raw)}%", escape="\\")


def _search(raw: str) -> ColumnElement[bool]:
    """`q`: case-insensitive substring over the text fields, served by trigram indexes."""
    return or_(*(_like(column, raw) for column in SEARCHED))


def _escape_like(raw: str) -> str:
    return raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _order(raw: str) -> list[UnaryExpression[Any]]:
    """`_sort=f1,-f2`; ties end in id order, json-server's insertion order."""
    order: list[UnaryExpression[Any]] = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name = part.removeprefix("-")
        if name not in FIELDS:
            raise InvalidQuery("_sort", f"cannot sort by {name!r}; valid fields: {_field_list()}")
        key = sort_key(FIELDS[name])
        order.append(key.desc() if part.startswith("-") else key.asc())
    order.append(Patient.id.asc())
    return order


def sort_key(column: Any) -> Any:
    """Text sorts like json-server's localeCompare: ignoring case and accents (an indexed SQL
    function, see the first migration); numbers and dates sort as themselves."""
    if isinstance(column.type, String):
        return func.registry_sort_key(column)
    return column


def _window(query: ListQuery, control: dict[str, str]) -> None:
    """`_start`/`_end`/`_limit` (an array) win over `_page`/`_per_page` (the envelope)."""
    number = {
        key: _count(key, value) for key, value in control.items() if key not in ("_sort", "q")
    }
    start, end, limit = number.get("_start"), number.get("_end"), number.get("_limit")
    if start is None and limit is None and number.get("_page", 0) > 0:
        per_page = number.get("_per_page") or DEFAULT_PER_PAGE
        query.page, query.per_page = number["_page"], min(per_page, MAX_WINDOW)
        return
    query.offset = start or 0
    if start is not None:
        # json-server: with _start, _end beats _limit; _start alone means "to the end" here.
        query.limit = end - start if end is not None else limit
    else:
        query.limit = limit if limit is not None else end
    if query.limit is not None:
        query.limit = min(max(query.limit, 0), MAX_WINDOW)


def _count(key: str, raw: str) -> int:
    if key == "_page" and re.fullmatch(r"-\d{1,9}", raw.strip()):
        return 1  # json-server clamps a negative page to the first
    if not re.fullmatch(r"\d{1,9}", raw.strip()):
        raise InvalidQuery(key, f"must be a whole number of 0 or more, got {raw!r}")
    return int(raw)


def _field_list() -> str:
    return ", ".join(FIELDS)


def _unknown_parameter_message(key: str) -> str:
    return (
        f"unknown query parameter {key!r}; valid: a field ({_field_list()}), a field with "
        f"_lt, _lte, _gt, _gte, _ne or _like, or one of {', '.join(CONTROL)}"
    )
