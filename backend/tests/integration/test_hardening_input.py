"""Findings 2 and 7 of the security review: text a UTF-8 database cannot hold, and numbers
written with other digits than 0-9, each answered 400 naming the field (they were 500s and
silent acceptances)."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import URL

from app.migration.importer import ImportOptions, run_import
from app.schemas.text import UNPAIRED_SURROGATE
from tests.conftest import patient
from tests.db import libpq

LONE = "\ud800"  # what JSON's "\ud800" escape decodes to: no UTF-8 encoding exists for it


PYDANTIC = "Input should be a valid string, unable to parse raw data as a unicode string"


async def send(http: httpx.AsyncClient, method: str, url: str, body: dict[str, Any]) -> Any:
    """The body as JSON with the surrogate as its \\u escape, as a client would write it."""
    content = json.dumps(body).encode()  # ensure_ascii: "\ud800" stays an escape
    headers = {"Content-Type": "application/json"}
    return await http.request(method, url, content=content, headers=headers)


def named(response: Any, field: str, message: str = UNPAIRED_SURROGATE) -> None:
    assert response.status_code == 400, response.text
    problems = response.json()["errors"]
    assert {"field": field, "message": message} in problems, problems


@pytest.mark.parametrize("field", ["patientID", "name", "medicalCondition", "gender"])
async def test_finding_2_a_lone_surrogate_in_a_patient_field_is_a_400_naming_it(
    admin: httpx.AsyncClient, field: str
) -> None:
    created = (await admin.post("/patients", json=patient(patientID="S-1"))).json()
    body = patient(**{"patientID": "S-2", field: f"Ann{LONE}"})
    if field != "gender":  # gender is one of three words: refused as such
        named(await send(admin, "POST", "/patients", body), field)
        named(await send(admin, "PUT", f"/patients/{created['id']}", body), field)
        patch = {field: LONE}
        named(await send(admin, "PATCH", f"/patients/{created['id']}", patch), field)
    else:
        assert (await send(admin, "POST", "/patients", body)).status_code == 400
    assert (await admin.get(f"/patients/{created['id']}")).json() == created


async def test_finding_2_a_lone_surrogate_elsewhere_is_a_400_naming_it(
    admin: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    """Bodies other than a patient's are parsed by Pydantic itself, which refuses the escape in
    its own words (the patient routes read theirs for json-server's rules, hence the check in
    app/schemas/text.py)."""
    created = (await admin.post("/patients", json=patient())).json()
    deleted = await send(admin, "DELETE", f"/patients/{created['id']}", {"reason": LONE})
    named(deleted, "reason", PYDANTIC)
    login = {"username": "a", "password": LONE}
    named(await send(anonymous, "POST", "/auth/login", login), "password", PYDANTIC)
    account = {"username": "surrogate.test", "role": "clinician", "password": LONE}
    named(await send(admin, "POST", "/users", account), "password", PYDANTIC)
    changed = {"currentPassword": LONE, "newPassword": "a long new password"}
    named(await send(admin, "POST", "/auth/password", changed), "currentPassword", PYDANTIC)


def test_finding_2_a_lone_surrogate_in_db_json_rejects_that_record_only(
    database_url: URL, clean_db: None, tmp_path: Path
) -> None:
    source = tmp_path / "db.json"
    records = [
        {"id": "1", **patient(patientID="U-1")},
        {"id": "2", **patient(patientID="U-2", name=f"Ann{LONE}")},
        {"id": f"3{LONE}", **patient(patientID="U-3")},
    ]
    source.write_text(json.dumps({"patients": records}), encoding="ascii")
    rejects = tmp_path / "rejects.jsonl"
    report = run_import(source, libpq(database_url), ImportOptions(rejects=rejects, quiet=True))
    assert (report.inserted, report.rejected) == (1, 2)
    assert report.reject_reasons == {
        f"name: {UNPAIRED_SURROGATE}": 1,
        f"id: {UNPAIRED_SURROGATE}": 1,
    }
    kept = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [line["record"] for line in kept] == records[1:]  # whole, the escape kept


@pytest.mark.parametrize("number", ["\u0661", "\uff15", "+5", " 5", "5 ", "5.0", "5_0", "0x5"])
async def test_finding_7_numbers_in_paths_and_queries_are_ascii_digits_only(
    admin: httpx.AsyncClient, number: str
) -> None:
    """The list language's numbers are covered in tests/unit/test_querying.py; these are the
    remaining numbers of the API: the audit filter and the account and token ids."""
    audit = await admin.get("/audit", params={"patientId": number})
    assert audit.status_code == 400 and audit.json()["errors"][0]["field"] == "patientId"
    user = await admin.patch(f"/users/{number}", json={"disabled": False})
    assert user.status_code == 400 and user.json()["errors"][0]["field"] == "user_id"
    token = await admin.delete(f"/auth/tokens/{number}")
    assert token.status_code == 400 and token.json()["errors"][0]["field"] == "token_id"
    listed = await admin.get("/patients", params={"_limit": number})
    assert listed.status_code == 400 and listed.json()["errors"][0]["field"] == "_limit"
    assert (await admin.get("/audit", params={"patientId": "5"})).status_code == 200
