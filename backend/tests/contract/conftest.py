"""Contract fixtures: json-server 1.0.0-beta.3 and this API, loaded with the same records.

Read-only tests share one json-server (its data never changes); tests that write get a fresh
json-server on a fresh copy of db.json. This API's table is emptied by `client` before each test.
"""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from _pytest.terminal import TerminalReporter

from tests.contract.twin import COUNTS, Side, Twin, check_installed, json_server


def _json_server_url() -> Iterator[str]:
    problem = check_installed()
    if problem is not None:
        pytest.fail(problem, pytrace=False)  # never a skip: CI must not pass without the contract
    with json_server() as url:
        yield url


@pytest.fixture(scope="session")
def shared_json_server() -> Iterator[str]:
    """One json-server for the tests that only read."""
    yield from _json_server_url()


@pytest.fixture
def fresh_json_server() -> Iterator[str]:
    """A json-server of this test's own, on a fresh copy of db.json."""
    yield from _json_server_url()


async def _twin(url: str, client: httpx.AsyncClient) -> AsyncIterator[Twin]:
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as js:
        twin = Twin(Side(js), Side(client))
        await twin.load()
        yield twin


@pytest.fixture
async def twin(shared_json_server: str, client: httpx.AsyncClient) -> AsyncIterator[Twin]:
    """Both sides with the test records, for requests that do not write."""
    async for loaded in _twin(shared_json_server, client):
        yield loaded


@pytest.fixture
async def writable_twin(fresh_json_server: str, client: httpx.AsyncClient) -> AsyncIterator[Twin]:
    """Both sides with the test records, each of this test alone, so it may write."""
    async for loaded in _twin(fresh_json_server, client):
        yield loaded


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Say how much of the contract was exercised in this run."""
    if COUNTS["compared"] or COUNTS["deviations"]:
        terminalreporter.write_line(f"contract: {COUNTS['compared']} requests compared")
        terminalreporter.write_line(
            f"contract: {COUNTS['deviations']} requests with a documented deviation checked"
        )
