"""Writes followed by reads: both sides get the same sequence and must agree after every step.

Each test has a json-server of its own (a fresh copy of db.json) and an emptied table here.
"""

from typing import Any

from tests.contract.twin import NEW, RECORDS, Twin, ids

# Reads repeated after each write: they see what the write changed.
READS = [
    "",
    "_sort=-age",
    "_sort=name,-age",
    "age=45",
    "gender=Male&_sort=lastVisit",
    "age_gte=45&_sort=-lastVisit&_limit=4",
    "_page=2&_per_page=5",
    "_page=3&_per_page=5",
    "medicalCondition=Asthma&_sort=-name&_page=1&_per_page=2",
]


def stored(label: str) -> dict[str, Any]:
    record = next(r for r in RECORDS if r["patientID"] == label)
    return {key: value for key, value in record.items() if key != "id"}


async def reads(twin: Twin) -> None:
    for query in READS:
        await twin.check_get(query)


async def test_post_then_reads(writable_twin: Twin) -> None:
    created = await writable_twin.check("POST", "/patients", NEW)
    assert (created.status, created.body) == (201, {"id": "P013", **NEW})
    await writable_twin.check("GET", "/patients/{}", ref="P013")
    await reads(writable_twin)
    second = NEW | {"patientID": "p014", "name": "ana ortiz", "age": 28}
    await writable_twin.check("POST", "/patients", second)
    assert ids(await writable_twin.check_get("age=28&_sort=name")) == ["P004", "P010", "p014"]
    await reads(writable_twin)


async def test_put_replaces_every_field_then_reads(writable_twin: Twin) -> None:
    body = NEW | {"patientID": "P002", "name": "Jane Smith-Brown", "age": 33}
    replaced = await writable_twin.check("PUT", "/patients/{}", body, ref="P002")
    assert (replaced.status, replaced.body) == (200, {"id": "P002", **body})
    await writable_twin.check("GET", "/patients/{}", ref="P002")
    await reads(writable_twin)
    # an id in the body is ignored: the path names the record
    again = stored("P007") | {"id": "999", "age": 51}
    answer = await writable_twin.check("PUT", "/patients/{}", again, ref="P007")
    assert answer.body["id"] == "P007"
    await writable_twin.check("GET", "/patients/999")
    await reads(writable_twin)


async def test_patch_merges_then_reads(writable_twin: Twin) -> None:
    patched = await writable_twin.check("PATCH", "/patients/{}", {"age": 61}, ref="P005")
    assert patched.body == {"id": "P005", **stored("P005"), "age": 61}
    await reads(writable_twin)
    change = {"medicalCondition": "Recovered", "lastVisit": "2024-06-01"}
    await writable_twin.check("PATCH", "/patients/{}", change, ref="p003")
    await writable_twin.check("PATCH", "/patients/{}", {"id": "zzz", "age": 29}, ref="P004")
    await writable_twin.check("GET", "/patients/{}", ref="P004")
    await writable_twin.check("PATCH", "/patients/{}", {}, ref="P006")
    await reads(writable_twin)


async def test_delete_returns_the_record_then_it_is_gone(writable_twin: Twin) -> None:
    deleted = await writable_twin.check("DELETE", "/patients/{}", ref="P004")
    assert (deleted.status, deleted.body) == (200, {"id": "P004", **stored("P004")})
    for method, body in (("GET", None), ("DELETE", None), ("PATCH", {"age": 3}), ("PUT", NEW)):
        gone = await writable_twin.check(method, "/patients/{}", body, ref="P004")
        assert gone.status == 404
    assert len(await writable_twin.check_get("")) == len(RECORDS) - 1
    await reads(writable_twin)


async def test_writes_to_unknown_ids_are_404_and_change_nothing(writable_twin: Twin) -> None:
    for method, body in (("PUT", NEW), ("PATCH", {"age": 3}), ("DELETE", None)):
        assert (await writable_twin.check(method, "/patients/nope", body)).status == 404
        assert (await writable_twin.check(method, "/patients/999", body)).status == 404
    await reads(writable_twin)


async def test_a_mixed_sequence_keeps_both_in_step(writable_twin: Twin) -> None:
    later = [
        NEW,
        NEW | {"patientID": "P014", "name": "Carla Ruiz", "age": 71, "gender": "Female"},
        NEW | {"patientID": "P015", "name": "Dan Wu", "age": 32, "gender": "Other"},
    ]
    for body in later:
        await writable_twin.check("POST", "/patients", body)
    await writable_twin.check("DELETE", "/patients/{}", ref="P001")
    await writable_twin.check("PATCH", "/patients/{}", {"name": "Bruno Diaz Jr"}, ref="P013")
    await writable_twin.check("PUT", "/patients/{}", later[2] | {"age": 33}, ref="P015")
    await writable_twin.check("DELETE", "/patients/{}", ref="pA009")
    await reads(writable_twin)
    for query in ("_sort=-age&_page=1&_per_page=4", "age_gt=30&_sort=name&_start=2&_end=6"):
        await writable_twin.check_get(query)
    assert len(await writable_twin.check_get("")) == len(RECORDS) + 1
