"""Possible duplicates, asked of the app and its real database: each reason and grade of
`POST /patients/match`, the pairs of `GET /duplicates` and their not-duplicate memory, merging,
`name_similar=`, and who may do which (the rule itself: app/matching.py)."""

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from app.services import duplicate_service
from tests.conftest import patient, registered


async def matches(http: httpx.AsyncClient, **candidate: Any) -> list[dict[str, Any]]:
    response = await http.post("/patients/match", json=candidate)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def only_match(http: httpx.AsyncClient, **candidate: Any) -> dict[str, Any]:
    found = await matches(http, **candidate)
    assert len(found) == 1, found
    return found[0]


async def test_the_same_person_written_differently_is_certain(client: httpx.AsyncClient) -> None:
    stored = await registered(client, name="María Núñez-García", age=40, gender="Female")
    found = await only_match(client, name="garcia, NUNEZ maria", age=40, gender="Female")
    assert found["patient"] == stored
    assert found["grade"] == "certain"
    assert found["score"] == pytest.approx(0.9)
    assert found["reasons"] == ["same name", "same age", "same gender"]


@pytest.mark.parametrize(
    ("stored", "written", "reason"),
    [
        ("John Smith", "Jon Smith", "name spelled similarly"),  # a dropped letter
        ("John Smith", "John Smiith", "name spelled similarly"),  # a doubled one
        ("John Smith", "John Smyth", "name spelled similarly"),  # one changed
        ("Philip Jones", "Filip Jones", "name sounds alike"),  # two letters, one sound
    ],
)
async def test_a_name_spelled_or_sounding_alike_is_probable(
    client: httpx.AsyncClient, stored: str, written: str, reason: str
) -> None:
    await registered(client, name=stored, age=45, gender="Male")
    found = await only_match(client, name=written, age=45, gender="Male")
    assert found["grade"] == "probable"
    assert found["reasons"] == [reason, "same age", "same gender"]
    assert 0.75 <= found["score"] < 0.9


async def test_an_age_a_year_apart_still_counts(client: httpx.AsyncClient) -> None:
    await registered(client, name="John Smith", age=45)
    found = await only_match(client, name="John Smith", age=46, gender="Male")
    assert found["reasons"] == ["same name", "age one year apart", "same gender"]
    assert found["grade"] == "probable"
    assert found["score"] == pytest.approx(0.85)


async def test_patient_ids_the_same_or_one_edit_apart_are_evidence(
    client: httpx.AsyncClient,
) -> None:
    await registered(client, name="Ann Lee", patientID="AB-1234")
    same = await only_match(client, name="Ann Lee", patientID="ab-1234")
    assert same["reasons"] == ["same name", "same patientID"]
    assert same["grade"] == "certain"
    near = await only_match(client, name="Anne Lee", patientID="AB-1235")
    assert near["reasons"] == ["name spelled similarly", "patientID one edit apart"]
    assert near["grade"] == "possible"


async def test_a_name_alone_is_at_most_possible(client: httpx.AsyncClient) -> None:
    await registered(client, name="John Smith")
    found = await only_match(client, name="Smith John")
    assert (found["grade"], found["score"], found["reasons"]) == ("possible", 0.6, ["same name"])


async def test_nothing_below_possible_and_the_best_first(client: httpx.AsyncClient) -> None:
    # Same name, but another gender and age: evidence against, so not even possible.
    await registered(client, patientID="AAA-1", name="John Smith", age=80, gender="Female")
    near = await registered(client, patientID="BBB-2", name="John Smith", age=44)
    same = await registered(client, patientID="CCC-3", name="John Smith", age=45)
    await registered(client, patientID="DDD-4", name="Wei Zhang", age=45)
    found = await matches(client, name="John Smith", age=45, gender="Male")
    assert [m["patient"]["id"] for m in found] == [same["id"], near["id"]]
    assert [m["grade"] for m in found] == ["certain", "probable"]


async def test_at_most_ten_matches(client: httpx.AsyncClient) -> None:
    for number in range(12):
        await registered(client, patientID=f"P{number}", name="John Smith")
    assert len(await matches(client, name="John Smith")) == 10


@pytest.mark.parametrize(
    "candidate",
    [
        {},
        {"age": 45},
        {"name": "  "},
        {"name": "- . -"},
        {"name": "John", "age": 0},
        {"name": "John", "gender": "M"},
        {"name": "John", "nmae": "typo"},
    ],
)
async def test_a_candidate_without_anything_matchable_is_refused(
    client: httpx.AsyncClient, candidate: dict[str, Any]
) -> None:
    response = await client.post("/patients/match", json=candidate)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]


async def test_the_whole_register_form_may_be_sent(client: httpx.AsyncClient) -> None:
    await registered(client)
    found = await matches(client, **patient(patientID="P999"))
    assert [m["grade"] for m in found] == ["certain"]


async def test_a_receptionist_may_match_but_sees_no_condition(
    client: httpx.AsyncClient, receptionist: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await registered(client)
    found = await only_match(receptionist, name="John Doe")
    assert "medicalCondition" not in found["patient"]
    assert (await anonymous.post("/patients/match", json={"name": "x"})).status_code == 401


async def test_a_match_is_audited_as_a_search_of_the_patients_answered(
    client: httpx.AsyncClient, owner: Engine
) -> None:
    stored = await registered(client)
    await matches(client, name="John Doe")
    with owner.connect() as connection:
        event = connection.execute(
            text("SELECT action, patient_ids, query FROM audit_events ORDER BY id DESC LIMIT 1")
        ).one()
    assert (event.action, event.patient_ids, event.query) == ("search", [stored["id"]], "")


async def test_registering_anyway_is_recorded_and_never_refused(
    client: httpx.AsyncClient, owner: Engine
) -> None:
    first = await registered(client)
    response = await client.post(
        "/patients",
        json=patient(patientID="P002"),
        headers={"X-Registered-Despite": str(first["id"])},
    )
    assert response.status_code == 201
    with owner.connect() as connection:
        detail = connection.execute(
            text("SELECT detail FROM audit_events WHERE action = 'create' ORDER BY id DESC LIMIT 1")
        ).scalar_one()
    assert detail == {"registeredDespite": [first["id"]]}
    bad = await client.post(
        "/patients", json=patient(patientID="P003"), headers={"X-Registered-Despite": "7;x"}
    )
    assert bad.status_code == 400
    assert "X-Registered-Despite" in bad.json()["detail"]


async def checked(app: Any) -> None:
    """Run the background check now, as the server would within its interval."""
    await duplicate_service.check_all(app.state.database)


async def test_the_pairs_already_registered_are_listed_best_first(
    app: Any, client: httpx.AsyncClient, receptionist: httpx.AsyncClient
) -> None:
    a = await registered(client, patientID="AAA-1", name="John Smith", age=45)
    b = await registered(client, patientID="BBB-2", name="Jon Smith", age=45)
    c = await registered(client, patientID="CCC-3", name="Smith, John", age=45)
    await registered(client, patientID="DDD-4", name="John Smith", age=60)
    await registered(client, patientID="EEE-5", name="Wei Zhang", age=45)
    pending = await client.get("/duplicates")
    assert pending.headers["X-Duplicates-Pending"] == "5"
    await checked(app)
    response = await client.get("/duplicates", params={"_per_page": 2})
    assert response.headers["X-Duplicates-Pending"] == "0"
    page = response.json()
    assert (page["items"], page["pages"], page["next"]) == (3, 2, 2)
    first = page["data"][0]
    assert (first["a"]["id"], first["b"]["id"], first["grade"]) == (a["id"], c["id"], "certain")
    assert [(p["a"]["id"], p["b"]["id"]) for p in page["data"]][1] in {
        (a["id"], b["id"]),
        (b["id"], c["id"]),
    }
    assert (await receptionist.get("/duplicates")).status_code == 403


async def test_a_changed_patient_is_checked_again(app: Any, client: httpx.AsyncClient) -> None:
    await registered(client, patientID="AAA-1", name="John Smith")
    other = await registered(client, patientID="BBB-2", name="Wei Zhang")
    await checked(app)
    assert (await client.get("/duplicates")).json()["items"] == 0
    await client.patch(f"/patients/{other['id']}", json={"name": "John Smyth"})
    await checked(app)
    assert (await client.get("/duplicates")).json()["items"] == 1
    await client.delete(f"/patients/{other['id']}")
    assert (await client.get("/duplicates")).json()["items"] == 0


async def test_a_pair_marked_distinct_never_shows_again(
    app: Any, client: httpx.AsyncClient, owner: Engine
) -> None:
    a = await registered(client, patientID="AAA-1", name="John Smith")
    b = await registered(client, patientID="BBB-2", name="John Smith")
    await checked(app)
    marked = await client.post("/duplicates/not-duplicate", json={"a": b["id"], "b": a["id"]})
    assert marked.status_code == 204
    await client.patch(f"/patients/{a['id']}", json={"age": 46})  # checked again: still a pair
    await checked(app)
    assert (await client.get("/duplicates")).json()["items"] == 0
    again = await client.post("/duplicates/not-duplicate", json={"a": a["id"], "b": b["id"]})
    assert again.status_code == 204
    with owner.connect() as connection:
        events = connection.execute(
            text("SELECT patient_ids FROM audit_events WHERE action = 'mark_distinct'")
        ).scalars()
        assert list(events) == [[a["id"], b["id"]]] * 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"a": 1, "b": 1}, 400),
        ({"a": 1, "b": 999}, 404),
        ({"a": 1}, 400),
        ({"a": "1", "b": 2}, 400),
    ],
)
async def test_marking_distinct_needs_two_live_patients(
    client: httpx.AsyncClient, receptionist: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    await registered(client, patientID="AAA-1")
    await registered(client, patientID="BBB-2")
    assert (await client.post("/duplicates/not-duplicate", json=body)).status_code == status
    refused = await receptionist.post("/duplicates/not-duplicate", json={"a": 1, "b": 2})
    assert refused.status_code == 403


async def test_merge_keeps_one_record_with_the_values_chosen_and_deletes_the_other(
    app: Any, client: httpx.AsyncClient, admin: httpx.AsyncClient, owner: Engine
) -> None:
    keep = await registered(client, patientID="AAA-1", name="Jon Smith", age=45)
    remove = await registered(client, patientID="BBB-2", name="John Smith", age=46)
    await checked(app)
    body = {"keep": keep["id"], "remove": remove["id"], "values": {"name": "John Smith"}}
    assert (await client.post("/duplicates/merge", json=body)).status_code == 403
    response = await admin.post("/duplicates/merge", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {**keep, "name": "John Smith"}  # nothing else copied
    assert response.headers["ETag"] == '"2"'

    assert (await admin.get(f"/patients/{remove['id']}")).status_code == 404
    assert (await client.get("/duplicates")).json()["items"] == 0
    deleted = (await admin.get("/deleted-patients")).json()["data"]
    assert [(d["id"], d["mergedInto"], d["deleteReason"]) for d in deleted] == [
        (remove["id"], keep["id"], f"Merged into patient {keep['id']}")
    ]
    history = (await admin.get(f"/patients/{keep['id']}/history")).json()
    assert history[0]["changes"] == {"name": {"from": "Jon Smith", "to": "John Smith"}}
    with owner.connect() as connection:
        events = connection.execute(
            text(
                "SELECT action, patient_ids, detail FROM audit_events"
                " WHERE action IN ('update', 'merge') ORDER BY id"
            )
        ).all()
        versions = connection.execute(
            text("SELECT version, action FROM patient_versions WHERE patient_id = :id"),
            {"id": remove["id"]},
        ).all()
    assert [tuple(e) for e in events] == [
        ("update", [keep["id"]], {"mergedFrom": remove["id"]}),
        ("merge", [remove["id"]], {"mergedInto": keep["id"]}),
    ]
    assert sorted(tuple(v) for v in versions) == [(1, "create"), (2, "merge")]

    restored = await admin.post(f"/deleted-patients/{remove['id']}/restore")
    assert restored.status_code == 200
    assert (await admin.get("/deleted-patients")).json()["items"] == 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"keep": 1, "remove": 1}, 400),
        ({"remove": 999}, 404),
        ({"values": {"patientID": "BBB-2"}}, 400),
        ({"values": {"age": 200}}, 400),
        ({"values": {"nmae": "x"}}, 400),
    ],
)
async def test_a_merge_that_cannot_be_done_changes_nothing(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, change: dict[str, Any], status: int
) -> None:
    keep = await registered(client, patientID="AAA-1")
    remove = await registered(client, patientID="BBB-2")
    body = {"keep": keep["id"], "remove": remove["id"], **change}
    assert (await admin.post("/duplicates/merge", json=body)).status_code == status
    assert (await admin.get(f"/patients/{keep['id']}")).json() == keep
    assert (await admin.get(f"/patients/{remove['id']}")).json() == remove


async def test_name_similar_ranks_names_with_typos_most_alike_first(
    client: httpx.AsyncClient, receptionist: httpx.AsyncClient
) -> None:
    exact = await registered(client, patientID="AAA-1", name="Catherine Zeta")
    tie = await registered(client, patientID="BBB-2", name="Zeta, Catherine")
    near = await registered(client, patientID="CCC-3", name="Catherine Zetas")
    await registered(client, patientID="DDD-4", name="John Doe")
    response = await receptionist.get("/patients", params={"name_similar": "catherine zeta"})
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [exact["id"], tie["id"], near["id"]]
    assert response.headers["X-Total-Count"] == "3"
    typo = await client.get("/patients", params={"name_similar": "Katherine Zeta", "_limit": 1})
    assert [p["id"] for p in typo.json()] == [exact["id"]]
    assert typo.headers["X-Total-Count"] == "2"  # "Catherine Zetas" is two letters away
    surname = await client.get("/patients", params={"name_similar": "zetta"})
    assert exact["id"] in [p["id"] for p in surname.json()]
    refused = await client.get("/patients", params={"patientID_similar": "P1"})
    assert refused.status_code == 400


async def test_surnames_that_only_begin_alike_do_not_sound_alike(
    client: httpx.AsyncClient,
) -> None:
    # Double metaphone keeps 4 letters (both are KNKS); the whole metaphone codes differ, and
    # the names are further apart than one letter: not even a candidate.
    await registered(client, name="Sarah Kingsinghill", age=46, gender="Female")
    assert await matches(client, name="Sarah Kingsockmore", age=46, gender="Female") == []
