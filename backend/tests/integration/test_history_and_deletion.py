"""Record history and soft delete, asked of the app and its real database: every version is
kept; DELETE hides a patient from json-server clients but keeps it (and its patientID) for an
admin to restore; only a purge removes it, leaving no patient data in any table."""

import httpx
from sqlalchemy import Engine, text

from tests.conftest import patient, registered


async def test_history_lists_versions_newest_first_with_old_and_new_values(
    client: httpx.AsyncClient,
) -> None:
    pid = (await registered(client, name="Ann Lee"))["id"]
    await client.patch(f"/patients/{pid}", json={"name": "Anne Lee"})
    await client.put(f"/patients/{pid}", json=patient(name="Anne Lee", age=50))
    history = (await client.get(f"/patients/{pid}/history")).json()
    assert [(v["version"], v["action"]) for v in history] == [
        (3, "update"),
        (2, "update"),
        (1, "create"),
    ]
    assert history[0]["changes"] == {"age": {"from": 45, "to": 50}}
    assert history[1]["changes"] == {"name": {"from": "Ann Lee", "to": "Anne Lee"}}
    assert history[2]["changes"]["patientID"] == {"from": None, "to": "P001"}
    assert len(history[2]["changes"]) == 6
    me = (await client.get("/auth/me")).json()["username"]
    assert {v["username"] for v in history} == {me}


async def test_history_is_for_clinicians_and_admins(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, receptionist: httpx.AsyncClient
) -> None:
    pid = (await registered(client))["id"]
    assert (await admin.get(f"/patients/{pid}/history")).status_code == 200
    refused = await receptionist.get(f"/patients/{pid}/history")
    assert refused.status_code == 403
    assert (await client.get("/patients/999/history")).status_code == 404


async def test_delete_hides_the_patient_but_keeps_it_for_an_admin_to_restore(
    client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    kept = await registered(client, patientID="K1")
    gone = await registered(client, patientID="G1", name="Gone Person")
    deleted = await client.request(
        "DELETE", f"/patients/{gone['id']}", json={"reason": "registered by mistake"}
    )
    assert (deleted.status_code, deleted.json()) == (200, gone)  # json-server's answer

    assert (await client.get(f"/patients/{gone['id']}")).status_code == 404
    assert (await client.get("/patients")).json() == [kept]
    listed = await client.get("/patients?_page=1")
    assert (listed.json()["items"], listed.headers["x-total-count"]) == (1, "1")
    assert (await client.get("/patients?name_like=Gone")).json() == []
    assert (await client.get("/patients?_sort=name&_limit=5")).json() == [kept]
    assert (await client.patch(f"/patients/{gone['id']}", json={"age": 3})).status_code == 404
    assert (await client.delete(f"/patients/{gone['id']}")).status_code == 404

    again = await client.post("/patients", json=patient(patientID="g1"))
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "This patientID belongs to a deleted record; an admin can restore it."
    )

    shelf = (await admin.get("/deleted-patients")).json()
    assert shelf["items"] == 1
    row = shelf["data"][0]
    assert {key: row[key] for key in gone} == gone
    assert (row["deleteReason"], row["deletedBy"]) == (
        "registered by mistake",
        (await client.get("/auth/me")).json()["username"],
    )

    restored = await admin.post(f"/deleted-patients/{gone['id']}/restore")
    assert (restored.status_code, restored.json()) == (200, gone)
    events = (await admin.get(f"/audit?patientId={gone['id']}&_per_page=3")).json()["data"]
    assert [(e["action"], e["role"], e["patientIds"]) for e in events][:2] == [
        ("restore", "admin", [gone["id"]]),
        ("search", "admin", [gone["id"]]),  # the deleted patients' list showed it
    ]
    assert (await client.get(f"/patients/{gone['id']}")).json() == gone
    assert [p["id"] for p in (await client.get("/patients")).json()] == [kept["id"], gone["id"]]
    assert (await admin.get("/deleted-patients")).json()["items"] == 0
    history = (await client.get(f"/patients/{gone['id']}/history")).json()
    assert [v["action"] for v in history] == ["restore", "delete", "create"]
    assert history[0]["changes"] == history[1]["changes"] == {}


async def test_restore_and_purge_are_for_admins_and_deleted_patients_only(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, receptionist: httpx.AsyncClient
) -> None:
    live = (await registered(client))["id"]
    for http in (client, receptionist):
        assert (await http.get("/deleted-patients")).status_code == 403
        assert (await http.post(f"/deleted-patients/{live}/restore")).status_code == 403
    assert (await admin.post(f"/deleted-patients/{live}/restore")).status_code == 404
    purge_live = await admin.request("DELETE", f"/deleted-patients/{live}", json={"reason": "x"})
    assert purge_live.status_code == 404
    await client.delete(f"/patients/{live}")
    no_reason = await admin.request("DELETE", f"/deleted-patients/{live}")
    blank = await admin.request("DELETE", f"/deleted-patients/{live}", json={"reason": "  "})
    assert (no_reason.status_code, blank.status_code) == (400, 400)
    assert (await client.get(f"/patients/{live}")).status_code == 404


async def test_purge_leaves_no_patient_data_in_any_table(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, owner: Engine
) -> None:
    secret = {"patientID": "PURGE-ME-1", "name": "Quillon Vasquez-Ode"}
    pid = (await registered(client, **secret, medicalCondition="Condition-Q"))["id"]
    await client.patch(f"/patients/{pid}", json={"age": 61})
    await client.get("/patients?name_like=Quillon")
    await client.delete(f"/patients/{pid}")
    before = _tables_holding(owner, secret["name"])
    assert before == {"patients", "patient_versions"}  # kept until purged

    purged = await admin.request(
        "DELETE", f"/deleted-patients/{pid}", json={"reason": "duplicate record"}
    )
    assert purged.status_code == 204
    for value in (*secret.values(), "Condition-Q"):
        assert _tables_holding(owner, value) == set()
    assert (await admin.post(f"/deleted-patients/{pid}/restore")).status_code == 404
    # The events stay, by id only.
    events = (await admin.get(f"/audit?patientId={pid}&_per_page=20")).json()["data"]
    assert [e["action"] for e in events][:2] == ["purge", "delete"]
    assert events[0]["detail"] == {"reason": "duplicate record"}


def _tables_holding(owner: Engine, value: str) -> set[str]:
    """Every table of the schema with a row whose text holds `value` (ignoring case)."""
    with owner.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        return {
            table
            for table in list(tables)
            if connection.execute(
                text(f'SELECT EXISTS (SELECT FROM "{table}" t WHERE t::text ILIKE :pattern)'),
                {"pattern": f"%{value}%"},
            ).scalar_one()
        }


async def test_a_delete_with_a_stale_if_match_changes_nothing(client: httpx.AsyncClient) -> None:
    pid = (await registered(client))["id"]
    await client.patch(f"/patients/{pid}", json={"age": 50})
    stale = await client.delete(f"/patients/{pid}", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await client.get(f"/patients/{pid}")).status_code == 200
