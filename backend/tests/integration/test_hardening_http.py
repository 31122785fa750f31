"""Findings 1, 6 and 10 of the security review, on a real server process (uvicorn, httptools):
a refused body's answer a client can read, bounded request heads (431), and no disclosure of
the software or its version. Raw sockets where what the client does must be exact."""

import json
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import URL

from app.config import VERSION
from app.http_protocol import MAX_HEAD_BYTES, MAX_HEADERS
from app.principal import Role
from tests.accounts import bearer, token_for
from tests.conftest import patient
from tests.db import libpq
from tests.servers import ServerURL, running_server

TOO_LARGE = {"detail": "The request body is too large."}
FIVE_MB = 5 * 1024 * 1024
# Generous for a loaded CI machine; each exchange here takes milliseconds when it works.
SOCKET_TIMEOUT_S = 10.0
QUICKLY_S = 2.0


@dataclass
class Served:
    """The module's server, and a token of one account per role in its database."""

    url: ServerURL
    tokens: dict[Role, str]

    @property
    def port(self) -> int:
        return int(self.url.rpartition(":")[2])


@pytest.fixture(scope="module")
def served(database_url: URL) -> Iterator[Served]:
    """One server for the module, on the run's test database."""
    url = libpq(database_url)
    tokens = {role: token_for(url, role) for role in Role}
    with running_server(url) as server:
        yield Served(server, tokens)


@dataclass
class Answer:
    """One HTTP answer as read off the socket."""

    status: int
    headers: list[tuple[str, str]]  # names lower-cased, in order
    body: bytes
    reset: bool = False  # the connection ended with a reset rather than a clean close

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)


def parse(raw: bytes, reset: bool = False) -> Answer:
    """The first answer in `raw`, which must hold all of it (its body as Content-Length says)."""
    head, separator, rest = raw.partition(b"\r\n\r\n")
    assert separator, f"no complete answer head in {raw[:200]!r}"
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (x.partition(":") for x in lines)]
    length = int(dict(headers)["content-length"])
    assert len(rest) >= length, f"body cut short: {len(rest)} of {length} bytes"
    return Answer(int(status_line.split()[1]), headers, rest[:length], reset)


def connect(served: Served) -> socket.socket:
    return socket.create_connection(("127.0.0.1", served.port), timeout=SOCKET_TIMEOUT_S)


def received_to_close(client: socket.socket) -> tuple[bytes, bool]:
    """Every byte until the server closes the connection, and whether it reset it."""
    received = bytearray()
    while True:
        try:
            data = client.recv(65536)
        except ConnectionResetError:
            return bytes(received), True
        if not data:
            return bytes(received), False
        received += data


def read_to_close(client: socket.socket) -> Answer:
    """Everything until the server closes the connection: one answer."""
    return parse(*received_to_close(client))


def read_all_to_close(client: socket.socket) -> list[Answer]:
    """Every answer until the server closes the connection, in order: answers to pipelined
    requests may arrive in one read, so they are split only once all is in."""
    raw, _ = received_to_close(client)
    answers = []
    while raw:
        answers.append(parse(raw))
        raw = raw[raw.index(b"\r\n\r\n") + 4 + len(answers[-1].body) :]
    return answers


def send_then_read_to_close(served: Served, *parts: bytes) -> Answer:
    """Write every part whole (`sendall`, as urllib and fetch write a body before reading
    anything), then read the answer until the server closes the connection."""
    with connect(served) as client:
        for part in parts:
            client.sendall(part)
        return read_to_close(client)


def read_one(client: socket.socket) -> Answer:
    """One answer on a connection that may stay open (keep-alive)."""
    received = bytearray()
    while True:
        head, separator, rest = bytes(received).partition(b"\r\n\r\n")
        if separator:
            fields = head.lower().split(b"\r\n")[1:]
            length = next(int(f.split(b":")[1]) for f in fields if f.startswith(b"content-length:"))
            if len(rest) >= length:
                return parse(bytes(received))
        data = client.recv(65536)
        assert data, "the server closed the connection before answering in full"
        received += data


def request(served: Served, method: str, path: str, *lines: str, role: Role | None = None) -> bytes:
    """A request head; with the token of `role` when given."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *lines]
    if role is not None:
        head.append(f"Authorization: Bearer {served.tokens[role]}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")


def json_post(served: Served, *lines: str, role: Role | None = Role.CLINICIAN) -> bytes:
    """The head of a POST /patients with a JSON body, signed in as `role` by default."""
    return request(served, "POST", "/patients", "Content-Type: application/json", *lines, role=role)


def assert_closed_with(answer: Answer, status: int, detail: dict[str, str] | None = None) -> None:
    assert answer.status == status, answer
    assert answer.header("connection") == "close"
    assert answer.header("content-type") == "application/json"
    body = json.loads(answer.body)
    if detail is None:
        assert set(body) == {"detail"}, body  # the one error shape, whatever it says
    else:
        assert body == detail


# Finding 1: a client that sends the whole body before reading never saw the 413 (a reset).


def test_finding_1_a_client_that_writes_the_whole_body_first_reads_the_413(
    served: Served,
) -> None:
    body = json.dumps(patient(name="x" * FIVE_MB)).encode()
    head = json_post(served, f"Content-Length: {len(body)}")
    answer = send_then_read_to_close(served, head, body)
    assert_closed_with(answer, 413, TOO_LARGE)
    assert not answer.reset  # the body was read: the server closed cleanly


def test_finding_1_a_chunked_body_growing_past_the_limit_gets_a_readable_413(
    served: Served,
) -> None:
    head = json_post(served, "Transfer-Encoding: chunked")
    chunk = b"x" * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(FIVE_MB // len(chunk)))
    answer = send_then_read_to_close(served, head, chunks, b"0\r\n\r\n")
    assert_closed_with(answer, 413, TOO_LARGE)
    assert not answer.reset


@pytest.mark.parametrize(
    "lines",
    [
        ["Content-Length: 1073741824"],  # beyond the bound: not worth reading
        [f"Content-Length: {FIVE_MB}", "Expect: 100-continue"],  # curl: waits before sending
    ],
    ids=["over-the-bound", "expect-100-continue"],
)
def test_finding_1_a_body_not_sent_yet_is_not_waited_for(served: Served, lines: list[str]) -> None:
    head = json_post(served, *lines)
    started = time.monotonic()
    with connect(served) as client:
        client.sendall(head)  # and no body
        answer = read_one(client)
    assert time.monotonic() - started < QUICKLY_S
    assert_closed_with(answer, 413, TOO_LARGE)


# Finding 6: request heads were unbounded (a 64 MB header was accepted).


def test_finding_6_a_64_kib_header_is_431_at_once(served: Served) -> None:
    started = time.monotonic()
    answer = send_then_read_to_close(
        served, request(served, "GET", "/health", "X-Padding: " + "a" * 64 * 1024)
    )
    assert time.monotonic() - started < QUICKLY_S
    assert_closed_with(answer, 431)


def test_finding_6_a_head_sent_in_pieces_is_431_once_past_the_cap(served: Served) -> None:
    """A header that never ends: refused by what has arrived, not waited out."""
    with connect(served) as client:
        client.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
        for _ in range(2 * MAX_HEAD_BYTES // 1024):
            try:
                client.sendall(b"a" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                break  # refused while still sending
            time.sleep(0.002)  # one read each, rather than all in one
        assert_closed_with(read_to_close(client), 431)


def test_finding_6_more_than_100_headers_is_431(served: Served) -> None:
    lines = [f"X-Field-{n}: {n}" for n in range(MAX_HEADERS + 1)]
    assert_closed_with(
        send_then_read_to_close(served, request(served, "GET", "/health", *lines)), 431
    )


def test_finding_6_an_8_kib_header_and_100_headers_are_answered(served: Served) -> None:
    big = request(served, "GET", "/health", "Connection: close", "X-Padding: " + "a" * 8192)
    assert send_then_read_to_close(served, big).status == 200
    lines = [f"X-Field-{n}: {n}" for n in range(MAX_HEADERS - 2)]  # with Host and Connection
    many = request(served, "GET", "/health", "Connection: close", *lines)
    assert send_then_read_to_close(served, many).status == 200


@pytest.mark.parametrize(("size", "status"), [(60_000, 201), (1024 * 1024, 413)])
def test_finding_6_a_body_arriving_with_its_head_is_not_counted_as_head(
    served: Served, size: int, status: int
) -> None:
    """Head and body in one write (one read on the server): the body gets its normal answer,
    a new patient, or the body limit's 413."""
    record = json.dumps(patient(patientID=f"H6-{secrets.token_hex(4)}")).encode()
    body = record[:-1] + b" " * (size - len(record)) + b"}"
    head = json_post(served, f"Content-Length: {len(body)}", "Connection: close")
    assert send_then_read_to_close(served, head + body).status == status


def test_finding_6_a_pipelined_head_after_a_body_is_not_counted_with_it(served: Served) -> None:
    """The read holding the end of one request's 40 KB body and the start of the next head is
    not counted against the next head: both requests are answered."""
    body = json.dumps(patient()).encode().ljust(40_000)
    first = json_post(served, f"Content-Length: {len(body)}", role=None)
    second = request(served, "GET", "/health", "Connection: close", "X-Last: end")
    cut = second.index(b"X-Last") + 3
    with connect(served) as client:
        client.sendall(first + body + second[:cut])
        time.sleep(0.2)  # the rest of the second head in a read of its own
        client.sendall(second[cut:])
        answers = read_all_to_close(client)
    assert [answer.status for answer in answers] == [401, 200]  # the first is not signed in


def test_finding_6_keep_alive_serves_two_requests_on_one_connection(served: Served) -> None:
    with connect(served) as client:
        client.sendall(request(served, "GET", "/health"))
        first = read_one(client)
        client.sendall(request(served, "GET", "/patients?_limit=1", role=Role.CLINICIAN))
        second = read_one(client)
    assert (first.status, second.status) == (200, 200)
    assert first.header("connection") is None  # kept open for the second


# Finding 10: every answer said `server: uvicorn`, and /health told anyone the version.

SOFTWARE = ("uvicorn", "starlette", "fastapi", "python", "httptools", "uvloop")


@pytest.mark.parametrize("case", ["health", "not-found", "head-too-large"])
def test_finding_10_no_answer_names_the_software(served: Served, case: str) -> None:
    lines = {
        "health": ["Connection: close"],
        "not-found": ["Connection: close"],
        "head-too-large": ["X-Padding: " + "a" * 2 * MAX_HEAD_BYTES],
    }[case]
    path = "/nothing-here" if case == "not-found" else "/health"
    answer = send_then_read_to_close(served, request(served, "GET", path, *lines))
    assert answer.status == {"health": 200, "not-found": 404, "head-too-large": 431}[case]
    names = [name for name, _ in answer.headers]
    assert "server" not in names and "x-powered-by" not in names, names
    for name, value in answer.headers:
        assert not any(word in value.lower() for word in SOFTWARE), (name, value)


@pytest.mark.parametrize("role", [None, Role.RECEPTIONIST, Role.CLINICIAN, Role.ADMIN])
def test_finding_10_health_tells_the_version_to_admins_only(
    served: Served, role: Role | None
) -> None:
    headers = bearer(served.tokens[role]) if role else {}
    response = httpx.get(f"{served.url}/health", headers=headers, timeout=SOCKET_TIMEOUT_S)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    if role is Role.ADMIN:
        assert body["version"] == VERSION
    else:
        assert "version" not in body  # omitted, not null


def test_finding_10_a_bad_credential_on_health_is_not_refused(served: Served) -> None:
    response = httpx.get(
        f"{served.url}/health", headers=bearer("prt_not-a-token"), timeout=SOCKET_TIMEOUT_S
    )
    assert response.status_code == 200
    assert "version" not in response.json()
