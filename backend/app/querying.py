"""The json-server query language, translated to SQL in this one module.

Every value reaches PostgreSQL as a bound parameter and every column name comes from the field
map (`schemas.patient.FIELDS`), so a query string can never name a column or operator of its
own. Statement text depends on which parameters were given, not on their values (except that a
number beyond bigint is bound as numeric) nor on how often a field=value repeats (the values
become one array parameter); and a query is bounded in size, so the SQL and the memory one
request can cost are bounded too.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from psycopg import sql

from app import matching
from app.errors import Forbidden, InvalidQuery
from app.schemas.patient import FIELDS, PatientRead

Kind = Literal["integer", "date", "text"]


def _kind(annotation: Any) -> Kind:
    if annotation is int:
        return "integer"
    return "date" if annotation is date else "text"


# Wire name -> how its values compare (numbers as numbers, dates as dates, as in json-server).
KINDS: dict[str, Kind] = {
    wire: _kind(PatientRead.model_fields[column].annotation) for wire, column in FIELDS.items()
}
CASTS: dict[Kind, sql.SQL] = {
    "integer": sql.SQL("bigint"),
    "date": sql.SQL("date"),
    "text": sql.SQL("text"),
}
SEARCHED = ("patientID", "name", "medicalCondition")
OPERATORS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "ne": "<>"}
CONTROL = ("_sort", "_start", "_end", "_limit", "_page", "_per_page", "q")
DEFAULT_PER_PAGE = 10
MAX_WINDOW = 10_000  # largest _limit / _per_page / slice one request may ask for
MAX_PARAMETERS = 50  # distinct parameters in one query string
MAX_VALUES = 100  # values of one repeated parameter
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"-?[0-9]{1,100}")  # ASCII digits only
_WORDS = re.compile(r"[^\W_]+")  # a name_similar value's words (letters and digits)
BIGINT = range(-(2**63), 2**63)
_OPERATOR_SUFFIX = re.compile(r"^(?P<field>.+)_(?P<op>lt|lte|gt|gte|ne|like|similar)$")
SIMILAR = ("name",)  # `_similar` (our extension: typo-tolerant, ranked) is for names only
RANKED = "similarity_rank"  # the rank's column where a statement must carry it
_ID = sql.Identifier("id")


@dataclass
class ListQuery:
    """What a GET /patients query string asks for: conditions with their bound values, the
    asked-for order, and the window (a slice, or a page of json-server's envelope)."""

    where: list[sql.Composable] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    rank: sql.Composable | None = None  # `name_similar`: how alike, most alike first
    sort: list[sql.Composable] = field(default_factory=list)
    offset: int = 0
    limit: int | None = None
    page: int | None = None
    per_page: int = DEFAULT_PER_PAGE
    audited: str = ""  # the query string as its audit event keeps it (`masked`)

    @property
    def whole_table(self) -> bool:
        """`GET /patients` with no filter, sort or window: the answer a front end asks for most."""
        return not (self.where or self.sort or self.offset or self.page) and self.limit is None

    @property
    def condition(self) -> sql.Composable:
        """Every condition, ANDed (TRUE when there is none)."""
        return sql.SQL(" AND ").join(self.where) if self.where else sql.SQL("TRUE")

    @property
    def order_by(self) -> sql.Composable:
        """The asked-for order (after the similarity rank of `name_similar`); ties end in id
        order, json-server's insertion order."""
        return self._order(self.rank)

    @property
    def order_by_ranked(self) -> sql.Composable:
        """`order_by` over rows that carry their rank as a RANKED column."""
        return self._order(None if self.rank is None else sql.Identifier(RANKED))

    def _order(self, rank: sql.Composable | None) -> sql.Composable:
        first = [] if rank is None else [sql.SQL("{} DESC").format(rank)]
        return sql.SQL(", ").join([*first, *self.sort, sql.SQL("{} ASC").format(_ID)])

    def bind(self, value: Any) -> sql.Placeholder:
        """A named placeholder carrying `value` into `params`."""
        name = f"v{len(self.params)}"
        self.params[name] = value
        return sql.Placeholder(name)


def parse(params: Iterable[tuple[str, str]], hidden: frozenset[str] = frozenset()) -> ListQuery:
    """Translate json-server query parameters into a `ListQuery`; raise `InvalidQuery` if bad.

    `hidden`: fields the asking role may not see, so may not filter or sort by either (403);
    `q` then searches the other text fields only.
    """
    grouped = _grouped(params)
    query = ListQuery(audited=masked(grouped))
    for key, values in grouped.items():
        if key not in CONTROL:
            _condition(query, key, values, hidden)
    if grouped.get("q", [""])[-1]:
        pattern = query.bind(_contains(grouped["q"][-1]))
        searched = [name for name in SEARCHED if name not in hidden]
        query.where.append(
            sql.SQL("({})").format(sql.SQL(" OR ").join(_ilike(name, pattern) for name in searched))
        )
    query.sort = _order(grouped.get("_sort", [""])[-1], hidden)
    _window(query, {key: grouped[key][-1] for key in CONTROL if key in grouped})
    return query


def masked(grouped: dict[str, list[str]]) -> str:
    """The query string without patient data, for its audit event: which fields were searched
    and how the answer was windowed and sorted, but `*` for every value a field or `q` was
    compared with (a name searched for is patient data; numeric ids are not)."""
    kept = ("id", *(key for key in CONTROL if key != "q"))
    return urlencode(
        [
            (key, value if key in kept else "*")
            for key, values in grouped.items()
            for value in values
        ],
        safe="*,",
    )


def _grouped(params: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Values by parameter, bounded in number; NUL refused (PostgreSQL text cannot hold it)."""
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        if "\x00" in key or "\x00" in value:
            raise InvalidQuery(key.replace("\x00", ""), "must not contain NUL characters")
        values = grouped.setdefault(key, [])
        if len(grouped) > MAX_PARAMETERS:
            raise InvalidQuery(key, f"a query may have at most {MAX_PARAMETERS} parameters")
        if len(values) == MAX_VALUES:
            raise InvalidQuery(key, f"may be given at most {MAX_VALUES} times")
        values.append(value)
    return grouped


def _condition(query: ListQuery, key: str, values: list[str], hidden: frozenset[str]) -> None:
    """`field=value` (repeated: any of) or `field_op=value` (repeated: all of)."""
    # An empty value filters nothing, as in json-server (`?age=`, `?age_gt=`).
    wanted = [value for value in values if value != ""]
    if key in FIELDS:
        _refuse_hidden(key, hidden)
        if wanted:
            query.where.append(_equals(query, key, wanted))
        return
    match = _OPERATOR_SUFFIX.match(key)
    if match is None or match["field"] not in FIELDS:
        raise InvalidQuery(key, _unknown_parameter_message(key))
    name, op = match["field"], match["op"]
    _refuse_hidden(name, hidden)
    if op == "similar":
        if name not in SIMILAR:
            raise InvalidQuery(key, "only name_similar is supported")
        if wanted:
            _similar(query, wanted[-1])  # one ranking: the last, as for `q`
        return
    for value in wanted:
        if op == "like":
            query.where.append(_ilike(name, query.bind(_contains(value))))
        else:
            typed = _typed(key, name, value)
            query.where.append(
                sql.SQL("{} {} {}::{}").format(
                    _column(name), sql.SQL(OPERATORS[op]), query.bind(typed), _cast(name, [typed])
                )
            )


def _similar(query: ListQuery, raw: str) -> None:
    """Names spelled or sounding like `raw` (ignoring case, accents, punctuation and word
    order), ranked most alike first: app/matching.py says how."""
    value = query.bind(raw)
    keys = matching.computed_keys(value)
    one_word = len(_WORDS.findall(raw)) == 1
    query.where.append(matching.similar_names(keys, one_word))
    query.rank = matching.similarity_rank(keys)


def _equals(query: ListQuery, name: str, raw: list[str]) -> sql.Composable:
    """Any of the values: one array parameter, whatever their number."""
    if name == "patientID":
        # Unique ignoring case (P003 is p003), answered by the lower() index.
        values = query.bind([value.lower() for value in raw])
        return sql.SQL("lower({}) = ANY({}::text[])").format(_column(name), values)
    typed = [_typed(name, name, value) for value in raw]
    return sql.SQL("{} = ANY({}::{}[])").format(
        _column(name), query.bind(typed), _cast(name, typed)
    )


def _cast(name: str, values: list[Any]) -> sql.SQL:
    """The SQL type values of `name` are bound as: numbers beyond bigint as numeric, so they
    compare (and match nothing or everything) instead of overflowing into a 500."""
    if KINDS[name] == "integer" and any(value not in BIGINT for value in values):
        return sql.SQL("numeric")
    return CASTS[KINDS[name]]


def _typed(param: str, name: str, raw: str) -> Any:
    """Numbers compare as numbers and dates as dates, as in json-server."""
    kind = KINDS[name]
    if kind == "integer" and _INTEGER.fullmatch(raw):
        return int(raw)
    if kind == "date" and _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    if kind == "text":
        return raw
    expected = "a whole number" if kind == "integer" else "a date YYYY-MM-DD"
    raise InvalidQuery(param, f"must be {expected}, got {raw!r}")


def _column(name: str) -> sql.Identifier:
    return sql.Identifier(FIELDS[name])


def _ilike(name: str, pattern: sql.Placeholder) -> sql.Composable:
    """Case-insensitive substring match of an escaped pattern (never a regex)."""
    target: sql.Composable = _column(name)
    if KINDS[name] != "text":
        target = sql.SQL("{}::text").format(target)
    return sql.SQL("{} ILIKE {} ESCAPE '\\'").format(target, pattern)


def _contains(raw: str) -> str:
    escaped = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _refuse_hidden(name: str, hidden: frozenset[str]) -> None:
    """Filtering or sorting by a field would disclose it as surely as showing it."""
    if name in hidden:
        raise Forbidden(f"Your role may not see {name}, so it may not filter or sort by it either.")


def _order(raw: str, hidden: frozenset[str]) -> list[sql.Composable]:
    """`_sort=f1,-f2` (minus: descending)."""
    order: list[sql.Composable] = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name = part.removeprefix("-")
        if name not in FIELDS:
            raise InvalidQuery("_sort", f"cannot sort by {name!r}; valid fields: {_field_list()}")
        _refuse_hidden(name, hidden)
        direction = sql.SQL("DESC" if part.startswith("-") else "ASC")
        order.append(sql.SQL("{} {}").format(sort_key(name), direction))
    return order


def sort_key(name: str) -> sql.Composable:
    """Text sorts like json-server's localeCompare: ignoring case and accents (an indexed SQL
    function, see the first migration); numbers and dates sort as themselves."""
    if KINDS[name] == "text":
        return sql.SQL("registry_sort_key({})").format(_column(name))
    return _column(name)


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


def page_of(page: str | None, per_page: str | None) -> tuple[int, int]:
    """`_page` and `_per_page` of a list answered only in pages (the admin's views): page 1 of
    DEFAULT_PER_PAGE unless asked, at most MAX_WINDOW rows."""
    number = max(_count("_page", page), 1) if page else 1
    size = _count("_per_page", per_page) if per_page else 0
    return number, min(size or DEFAULT_PER_PAGE, MAX_WINDOW)


_WHOLE = re.compile(r"[0-9]{1,9}")
_NEGATIVE_PAGE = re.compile(r"-[0-9]{1,9}")


def _count(key: str, raw: str) -> int:
    if key == "_page" and _NEGATIVE_PAGE.fullmatch(raw):
        return 1  # json-server clamps a negative page to the first
    if not _WHOLE.fullmatch(raw):
        raise InvalidQuery(key, f"must be a whole number of 0 or more, got {raw!r}")
    return int(raw)


def _field_list() -> str:
    return ", ".join(FIELDS)


def _unknown_parameter_message(key: str) -> str:
    return (
        f"unknown query parameter {key!r}; valid: a field ({_field_list()}), a field with "
        f"_lt, _lte, _gt, _gte, _ne or _like, name_similar, or one of {', '.join(CONTROL)}"
    )
