"""The audit trail, asked of the app and its real database: every request that discloses or
changes patient data (or touches sign-in and accounts) writes exactly its event, naming the
user and the patient ids and nothing else of the patient; the app's database role cannot alter
events; the admin's views filter, page and export them, and are audited themselves."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from psycopg import errors
from sqlalchemy import Engine, text

from app.config import Settings
from app.database import Database
from app.principal import Role
from tests.accounts import PASSWORD, bearer, make_user
from tests.conftest import app_with, asgi_client, patient

SAME_SITE = {"Origin": "http://test"}
BULK_ROWS = 1_000


class Trail:
    """The events written since the last look."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen = self._last()

    def _last(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT coalesce(max(id), 0) FROM audit_events")
                ).scalar_one()
            )

    def new(self) -> list[dict[str, Any]]:
        """The events after the last look, oldest first; they become seen."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT * FROM audit_events WHERE id > :seen ORDER BY id"),
                {"seen": self.seen},
            ).mappings()
            events = [dict(row) for row in rows]
        if events:
            self.seen = events[-1]["id"]
        return events

    def one(self) -> dict[str, Any]:
        """The single event since the last look (fails on none or several)."""
        events = self.new()
        assert len(events) == 1, [event["action"] for event in events]
        return events[0]


@pytest.fixture
def trail(owner: Engine, clean_db: None) -> Trail:
    return Trail(owner)


async def me(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/auth/me")
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


async def test_each_patient_action_writes_exactly_its_event(
    client: httpx.AsyncClient, trail: Trail
) -> None:
    username = (await me(client))["username"]
    pid = 1  # the first patient of a clean table
    steps = (
        ("POST", "/patients", patient(), "create", 201),
        ("GET", f"/patients/{pid}", None, "read", 200),
        ("PUT", f"/patients/{pid}", patient(age=46), "update", 200),
        ("PATCH", f"/patients/{pid}", {"age": 47}, "update", 200),
        ("GET", f"/patients/{pid}/history", None, "history", 200),
        ("GET", "/patients?_page=1", None, "search", 200),
        ("DELETE", f"/patients/{pid}", None, "delete", 200),
    )
    trail.new()
    for method, path, body, action, outcome in steps:
        response = await client.request(method, path, json=body)
        assert response.status_code == outcome, response.text
        event = trail.one()
        assert (event["action"], event["outcome"], event["patient_ids"]) == (action, outcome, [pid])
        assert (event["username"], event["role"]) == (username, "clinician")
        assert event["request_id"] == response.headers["x-request-id"]
        assert event["client"] == "127.0.0.1"
        assert event["user_id"] is not None


async def test_a_read_of_a_missing_patient_is_recorded_as_not_found(
    client: httpx.AsyncClient, trail: Trail
) -> None:
    assert (await client.get("/patients/999")).status_code == 404
    event = trail.one()
    assert (event["action"], event["outcome"], event["patient_ids"]) == ("read", 404, [])


async def test_a_list_of_five_records_those_five_ids(
    client: httpx.AsyncClient, trail: Trail
) -> None:
    ids = [
        (await client.post("/patients", json=patient(patientID=f"L{n}"))).json()["id"]
        for n in range(7)
    ]
    trail.new()
    response = await client.get("/patients?_start=1&_limit=5&_sort=patientID")
    shown = [row["id"] for row in response.json()]
    assert shown == ids[1:6]
    event = trail.one()
    assert (event["action"], event["patient_ids"], event["row_count"]) == ("search", shown, 5)
    assert event["bulk"] is False
    assert event["query"] == "_start=1&_limit=5&_sort=patientID"


async def test_a_searched_value_is_not_kept_in_the_event(
    client: httpx.AsyncClient, trail: Trail
) -> None:
    await client.post("/patients", json=patient(name="Ophelia Quist"))
    trail.new()
    found = await client.get("/patients?name_like=Ophelia&q=Quist&_page=1&_per_page=5")
    assert found.json()["items"] == 1
    event = trail.one()
    assert event["query"] == "name_like=*&q=*&_page=1&_per_page=5"
    assert event["patient_ids"] == [found.json()["data"][0]["id"]]


async def test_the_whole_list_names_its_rows_or_is_a_bulk_disclosure(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, trail: Trail, owner: Engine
) -> None:
    first = (await client.post("/patients", json=patient())).json()["id"]
    trail.new()
    await client.get("/patients")
    assert trail.one()["patient_ids"] == [first]
    with owner.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO patients (patient_id, name, age, gender, medical_condition,"
                " last_visit) SELECT 'B' || n, 'Bulk ' || n, 30, 'Other', 'None', '2024-01-01'"
                " FROM generate_series(1, :n) AS n"
            ),
            {"n": BULK_ROWS},
        )
    trail.new()
    assert len((await client.get("/patients")).json()) == BULK_ROWS + 1
    event = trail.one()
    assert (event["bulk"], event["patient_ids"], event["row_count"]) == (True, None, BULK_ROWS + 1)
    # "Who saw this patient" includes the bulk list that held them.
    seen = await admin.get(f"/audit?patientId={first}&action=search&_per_page=50")
    assert [e["id"] for e in seen.json()["data"]][:1] == [event["id"]]


async def test_sign_in_and_out_and_failures_are_recorded(
    app: Any, anonymous: httpx.AsyncClient, trail: Trail
) -> None:
    owner = await make_user(app.state.database, Role.RECEPTIONIST)
    trail.new()
    login = {"username": owner.username, "password": PASSWORD}
    wrong = await anonymous.post(
        "/auth/login", json={**login, "password": "Not-The-Passphrase-7"}, headers=SAME_SITE
    )
    unknown = await anonymous.post(
        "/auth/login", json={**login, "username": "nobody-here"}, headers=SAME_SITE
    )
    signed = await anonymous.post("/auth/login", json=login, headers=SAME_SITE)
    out = await anonymous.post("/auth/logout", headers=SAME_SITE)
    assert [r.status_code for r in (wrong, unknown, signed, out)] == [401, 401, 200, 204]
    events = trail.new()
    assert [(e["action"], e["outcome"], e["username"]) for e in events] == [
        ("login_failed", 401, owner.username),
        ("login_failed", 401, None),  # an unknown username is never kept
        ("login", 200, owner.username),
        ("logout", 204, owner.username),
    ]
    assert all(e["patient_ids"] is None for e in events)


async def test_staff_account_changes_are_recorded(admin: httpx.AsyncClient, trail: Trail) -> None:
    created = await admin.post(
        "/users",
        json={"username": "audit.nurse", "role": "receptionist", "password": PASSWORD},
    )
    user_id = created.json()["id"]
    await admin.patch(f"/users/{user_id}", json={"role": "clinician", "disabled": True})
    events = trail.new()
    assert [(e["action"], e["detail"]) for e in events] == [
        ("user_admin", {"userId": user_id, "change": ["created", "receptionist"]}),
        ("user_admin", {"userId": user_id, "change": ["role=clinician", "disabled=true"]}),
    ]
    assert {e["role"] for e in events} == {"admin"}


async def test_the_apps_role_cannot_alter_or_remove_events(
    app: Any, client: httpx.AsyncClient, trail: Trail
) -> None:
    await client.post("/patients", json=patient())
    database: Database = app.state.database
    for statement in (
        b"UPDATE audit_events SET username = 'someone-else'",
        b"DELETE FROM audit_events",
        b"TRUNCATE audit_events",
        b"UPDATE audit_seals SET hash = ''",
        b"DELETE FROM audit_seals",
    ):
        with pytest.raises(errors.InsufficientPrivilege):
            async with database.reader() as connection:
                await connection.execute(statement)
    assert len(trail.new()) == 1


async def test_audit_view_filters_pages_and_is_audited(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, trail: Trail
) -> None:
    ids = [
        (await client.post("/patients", json=patient(patientID=f"F{n}"))).json()["id"]
        for n in range(3)
    ]
    await client.get(f"/patients/{ids[0]}")
    await client.get(f"/patients/{ids[1]}")
    clinician = (await me(client))["username"]
    trail.new()

    reads = await admin.get(f"/audit?action=read&username={clinician.upper()}")
    assert reads.status_code == 200
    assert [e["patientIds"] for e in reads.json()["data"]] == [[ids[1]], [ids[0]]]  # newest first
    looked = trail.one()
    assert (looked["action"], looked["detail"]) == (
        "audit_view",
        {"action": "read", "username": clinician.upper()},
    )

    of_first = await admin.get(f"/audit?patientId={ids[0]}")
    assert [e["action"] for e in of_first.json()["data"]] == ["read", "create"]
    assert trail.one()["patient_ids"] == [ids[0]]

    paged = await admin.get("/audit?_page=2&_per_page=2&action=create")
    body = paged.json()
    assert (body["items"], body["pages"], body["prev"], body["next"]) == (3, 2, 1, None)
    assert [e["patientIds"] for e in body["data"]] == [[ids[0]]]

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert (await admin.get(f"/audit?from={tomorrow}")).json()["items"] == 0
    assert (await admin.get(f"/audit?to={tomorrow}&action=create")).json()["items"] == 3
    bad = await admin.get("/audit?action=peek")
    assert bad.status_code == 400
    assert (await admin.get("/audit?from=yesterday")).status_code == 400


async def test_export_is_csv_of_the_filter_and_is_itself_an_event(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, trail: Trail
) -> None:
    pid = (await client.post("/patients", json=patient())).json()["id"]
    await client.get(f"/patients/{pid}")
    trail.new()
    exported = await admin.get(f"/audit/export?patientId={pid}")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    # Up to the export itself, which is in the next export.
    assert [(row["action"], row["patient_ids"]) for row in rows] == [
        ("read", str(pid)),
        ("create", str(pid)),
    ]
    event = trail.one()
    assert (event["action"], event["row_count"], event["patient_ids"]) == ("export", 2, [pid])


async def test_only_admins_see_the_audit_trail(
    client: httpx.AsyncClient, receptionist: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    for http, status in ((client, 403), (receptionist, 403), (anonymous, 401)):
        for path in ("/audit", "/audit/export"):
            assert (await http.get(path)).status_code == status


async def test_events_hold_no_patient_data_beyond_ids(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, owner: Engine, trail: Trail
) -> None:
    secret = patient(patientID="SECRET-ID-77", name="Ysolde Marchetti", medicalCondition="Rare-X")
    pid = (await client.post("/patients", json=secret)).json()["id"]
    await client.get(f"/patients/{pid}")
    await client.get("/patients?name=Ysolde%20Marchetti&patientID=SECRET-ID-77")
    await client.patch(f"/patients/{pid}", json={"medicalCondition": "Rare-Y"})
    await client.delete(f"/patients/{pid}")
    await admin.get(f"/audit?patientId={pid}")
    with owner.connect() as connection:
        dump = " ".join(
            str(row)
            for row in connection.execute(text("SELECT audit_events::text FROM audit_events"))
        )
    assert trail.new()
    for value in ("SECRET-ID-77", "Ysolde", "Marchetti", "Rare-X", "Rare-Y"):
        assert value.lower() not in dump.lower()


def test_turning_read_auditing_off_is_refused_in_production() -> None:
    with pytest.raises(ValueError, match="AUDIT_READS=false is refused"):
        Settings(
            database_url="postgresql://x@127.0.0.1/x", environment="production", audit_reads=False
        )


async def test_with_read_auditing_off_for_a_benchmark_changes_are_still_audited(
    settings: Settings, tokens: dict[Role, str], trail: Trail
) -> None:
    async with (
        app_with(settings, audit_reads=False) as application,
        asgi_client(application, bearer(tokens[Role.CLINICIAN])) as http,
    ):
        pid = (await http.post("/patients", json=patient())).json()["id"]
        await http.get(f"/patients/{pid}")
        await http.get("/patients")
        await http.get("/patients?_page=1")
    assert [event["action"] for event in trail.new()] == ["create"]
