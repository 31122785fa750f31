"""Property-based fuzzing of every operation in /openapi.json against a real server process:
valid and invalid inputs alike must never produce a 5xx. Bounded: EXAMPLES per operation."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import URL

from app.config import Settings
from app.main import create_app
from tests.servers import running_server

EXAMPLES = 100


# The schema is the app's own /openapi.json, built without a database so that pytest can collect
# one test per operation (schemathesis' lazy fixture loader does not work with pytest 9).
APP = create_app(Settings(database_url="postgresql://nobody@127.0.0.1/none", environment="test"))
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    database="none",
)


@pytest.fixture(scope="module")
def live_server(database_url: URL) -> Iterator[str]:
    with running_server(database_url.render_as_string(hide_password=False)) as server:
        yield server


def test_the_fuzzed_schema_is_what_the_server_publishes(live_server: str) -> None:
    assert httpx.get(f"{live_server}/openapi.json").json() == APP.openapi()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case: Any, live_server: str, clean_db: None) -> None:
    case.call_and_validate(base_url=live_server, checks=[not_a_server_error], timeout=10)


# The query language is free-form (not in the OpenAPI document), so fuzz it separately.
FIELDS = ["id", "patientID", "name", "age", "gender", "medicalCondition", "lastVisit", "x"]
SUFFIXES = ["", "_lt", "_lte", "_gt", "_gte", "_ne", "_like"]
CONTROLS = ["_sort", "_start", "_end", "_limit", "_page", "_per_page", "q"]
KEYS = st.one_of(
    st.sampled_from(CONTROLS),
    st.builds(lambda f, s: f + s, st.sampled_from(FIELDS), st.sampled_from(SUFFIXES)),
    st.text(max_size=12),
)
VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "-age,name", "2024-02-30", "1e9", "NaN", "%", "_", "\\", "\x00"]),
)


@given(params=st.lists(st.tuples(KEYS, VALUES), max_size=6))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_query_string_answers_a_server_error(
    params: list[tuple[str, str]], live_server: str
) -> None:
    response = httpx.get(f"{live_server}/patients", params=params, timeout=10)
    assert response.status_code in (200, 400), (params, response.status_code, response.text)
