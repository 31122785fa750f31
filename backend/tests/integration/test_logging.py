"""Request logging: one line per request with method, path, status, duration and request id;
errors with the request id and exception type; never a patient's name, condition or body."""

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.logging_config import JsonFormatter, ReadableFormatter
from tests.conftest import app_with, asgi_client, patient
from tests.integration.test_transactions import commit_fails_for_boom  # noqa: F401

SECRETS = ("Zebulon", "Quixotry", "Boom", "Xylophonitis", "Hypertension")
UUID = "0b8e4c52-3f4a-4d1e-9a59-2f3c6d7e8a90"
RID = "a1b2c3d4e5f60718"


def server_side(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    """Records of the service, not of the test's own HTTP client."""
    return [r for r in records if not r.name.startswith(("httpx", "httpcore"))]


def rendered(records: list[logging.LogRecord]) -> list[str]:
    """Each service record as both formatters would write it (production and development)."""
    lines = []
    for record in server_side(records):
        lines += [JsonFormatter().format(record), ReadableFormatter().format(record)]
    return lines


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.access"]


async def test_one_line_per_request_with_the_callers_request_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.get("/patients?name=Zebulon", headers={"X-Request-ID": UUID})
    assert response.headers["x-request-id"] == UUID
    [line] = access_lines(caplog)
    assert (line.method, line.path, line.status) == ("GET", "/patients", 200)  # type: ignore[attr-defined]
    assert line.request_id == UUID  # type: ignore[attr-defined]
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0  # type: ignore[attr-defined]
    assert all("Zebulon" not in text for text in rendered(caplog.records))


@pytest.mark.parametrize(
    "header",
    [
        "P001-John",  # free text can carry a patientID or a name
        "a1b2c3d4e5f6071",  # 15: too short
        "a" * 65,
        "a1b2c3d4e5f60718.x",
        "has space",
        "new\nline",
        'quote"d',
        "semi;colon",
        "caf\u00e9".encode(),
    ],
)
async def test_finding_3_a_request_id_that_is_not_a_plain_id_is_replaced(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, header: str | bytes
) -> None:
    caplog.set_level(logging.INFO)
    # str and bytes values each go as httpx sends them (a str as ASCII, bytes untouched)
    headers: dict[str, str] | dict[bytes, bytes] = (
        {"X-Request-ID": header} if isinstance(header, str) else {b"X-Request-ID": header}
    )
    try:
        response = await client.get("/health", headers=headers)
    except httpx.LocalProtocolError:
        return  # the client itself refuses to send it: nothing to log
    generated = response.headers["x-request-id"]
    assert len(generated) == 32 and generated.isalnum()
    assert access_lines(caplog)[0].request_id == generated  # type: ignore[attr-defined]


async def test_a_request_id_is_made_when_none_is_given(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first = (await client.get("/patients")).headers["x-request-id"]
    second = (await client.get("/patients")).headers["x-request-id"]
    assert first != second
    assert [r.request_id for r in access_lines(caplog)] == [first, second]  # type: ignore[attr-defined]


async def test_no_patient_data_in_any_log_line(
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    commit_fails_for_boom: None,  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    body = patient(name="Zebulon Quixotry", medicalCondition="Xylophonitis")
    requests: list[tuple[str, str, Any]] = [
        ("POST", "/patients", body),
        ("POST", "/patients", body),  # 409
        ("POST", "/patients", {**body, "age": 500}),  # 400
        ("GET", "/patients?q=Zebulon&name_like=Quixotry", None),
        ("PATCH", "/patients/1", {"medicalCondition": "Hypertension"}),
        ("PUT", "/patients/1", patient(name="Boom", medicalCondition="Xylophonitis")),  # 500
    ]
    statuses = []
    for method, url, json in requests:
        response = await client.request(method, url, json=json, headers={"X-Request-ID": RID})
        statuses.append(response.status_code)
    assert statuses == [201, 409, 400, 200, 200, 500]
    lines = rendered(caplog.records)
    assert lines, "nothing was logged"
    for secret in SECRETS:
        assert not [line for line in lines if secret in line], secret
    assert all(r.request_id == RID for r in server_side(caplog.records))  # type: ignore[attr-defined]
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "RaiseException" in error.getMessage()  # the exception's type, not its text
    assert len(access_lines(caplog)) == len(requests)


async def test_finding_4_the_access_log_names_the_route_not_the_path(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.get("/patients/17")
    await client.get("/patients/Zebulon%20Quixotry")
    await client.get("/Zebulon/Quixotry")
    await client.get("/patients/17/history")
    logged = [(r.path, getattr(r, "id", None)) for r in access_lines(caplog)]  # type: ignore[attr-defined]
    assert logged == [
        ("/patients/{id}", "17"),
        ("/patients/{id}", None),
        ("(no route)", None),
        ("/patients/{id}/history", "17"),
    ]
    assert all("Zebulon" not in text for text in rendered(caplog.records))


async def test_finding_4_the_front_ends_files_are_logged_as_one_name(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>registry</title>")
    caplog.set_level(logging.INFO)
    async with app_with(settings, frontend_dist=tmp_path) as served, asgi_client(served) as http:
        assert (await http.get("/")).status_code == 200
        assert (await http.get("/Zebulon%20Quixotry.js")).status_code == 404
    assert [r.path for r in access_lines(caplog)] == ["(front end)"] * 2  # type: ignore[attr-defined]
    assert all("Zebulon" not in text for text in rendered(caplog.records))


@pytest.mark.parametrize("formatter", [JsonFormatter(), ReadableFormatter()], ids=["json", "text"])
def test_finding_3_control_characters_cannot_forge_a_log_line(formatter: logging.Formatter) -> None:
    forged = "/x\n2026-12-02 10:00:00,000 INFO app.access [-] request\x1b[2J\x9b1m\u2028"
    record = logging.getLogger("app.access").makeRecord(
        "app.access", logging.INFO, __file__, 1, "seen %s", (forged,), None, extra={"path": forged}
    )
    line = formatter.format(record)
    assert len(line.splitlines()) == 1
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in line)
    assert "\u2028" not in line
    assert "\\x1b[2J" in line.replace("\\u001b", "\\x1b")  # shown, not obeyed


async def test_finding_3_a_forged_path_is_never_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.get("/%0A2026-12-02%2010:00:00,000%20INFO%20app.access%20forged%1B[2J")
    lines = rendered(caplog.records)
    assert lines and all("forged" not in line and "\n" not in line for line in lines)


def test_production_lines_are_json_and_never_carry_a_traceback() -> None:
    import json

    try:
        raise ValueError("Zebulon Quixotry")
    except ValueError:
        record = logging.getLogger("app.errors").makeRecord(
            "app.errors",
            logging.ERROR,
            __file__,
            1,
            "unhandled %s",
            ("ValueError",),
            exc_info=__import__("sys").exc_info(),
        )
    record.request_id = "rid-1"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "rid-1"
    assert entry["message"] == "unhandled ValueError"
    assert entry["exception"] == "ValueError"
    readable = ReadableFormatter().format(record)
    assert "[rid-1]" in readable and "exception=ValueError" in readable
    for text in (json.dumps(entry), readable):
        assert "Zebulon" not in text and "Traceback" not in text
