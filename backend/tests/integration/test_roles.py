"""What each role may and may not do, asked of the app and its real database: anonymous
callers, receptionists (never shown medicalCondition), clinicians, admins, and accounts whose
password must change first."""

import secrets
from typing import Any

import httpx
import pytest

from app.principal import Principal, Role
from app.services import auth_service, user_service
from tests.accounts import PASSWORD, bearer
from tests.conftest import asgi_client, patient, registered

SAME_SITE = {"Origin": "http://test"}
VISIBLE = {"id", "patientID", "name", "age", "gender", "lastVisit"}
EVERYTHING = VISIBLE | {"medicalCondition"}
# Conditions no other field of the test data contains: found in an answer's text only if leaked.
SECRET = "Zeta-Syndrome"
OTHER_SECRET = "Omega-Disorder"
NOT_RECORDED = "Not recorded"
CONDITION_REFUSED = {
    "detail": "A receptionist may not record or change medicalCondition; leave it out."
}
HIDDEN_FILTER = {
    "detail": "Your role may not see medicalCondition, so it may not filter or sort by it either."
}
SIGN_IN_FIRST = {"detail": "Sign in to continue."}
ADMINS_ONLY = {"detail": "Only an admin may do this."}
CHANGE_PASSWORD = {"detail": "Change your password before going on."}
WWW_AUTHENTICATE = 'Bearer realm="patient-registry"'


async def three_patients(clinician: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Three patients, each with a condition no other field mentions."""
    return [
        await registered(
            clinician, patientID="P001", name="Alice Smith", medicalCondition=SECRET, age=30
        ),
        await registered(
            clinician, patientID="P002", name="Bob Jones", medicalCondition=OTHER_SECRET, age=40
        ),
        await registered(
            clinician, patientID="P003", name="Carol White", medicalCondition=SECRET, age=50
        ),
    ]


def without_condition(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "medicalCondition"}


def assert_no_condition_in(response: httpx.Response) -> None:
    """Neither the field nor any stored condition appears anywhere in the answer."""
    assert "medicalCondition" not in response.text
    assert SECRET not in response.text
    assert OTHER_SECRET not in response.text


async def stored(clinician: httpx.AsyncClient, patient_id: int) -> dict[str, Any]:
    """The record as a clinician reads it."""
    response = await clinician.get(f"/patients/{patient_id}")
    assert response.status_code == 200
    record: dict[str, Any] = response.json()
    return record


# --- anonymous -----------------------------------------------------------------------------


PATIENT_ROUTES = [
    ("GET", "/patients", None),
    ("GET", "/patients?name=John%20Doe&_sort=age", None),
    ("GET", "/patients?_page=1", None),
    ("GET", "/patients/1", None),
    ("POST", "/patients", patient()),
    ("PUT", "/patients/1", patient()),
    ("PATCH", "/patients/1", {"age": 46}),
    ("DELETE", "/patients/1", None),
]


@pytest.mark.parametrize(("method", "url", "body"), PATIENT_ROUTES)
async def test_anonymous_caller_is_refused_every_patient_route_with_401(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, method: str, url: str, body: Any
) -> None:
    await registered(client)  # patient 1 exists: the refusal is not a 404 in disguise
    response = await anonymous.request(method, url, json=body)
    assert response.status_code == 401
    assert response.json() == SIGN_IN_FIRST
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE
    assert (await client.get("/patients")).json() == [{"id": 1, **patient()}]  # nothing changed


@pytest.mark.parametrize("url", ["/patients", "/patients/1"])
async def test_anonymous_head_is_401_with_www_authenticate(
    anonymous: httpx.AsyncClient, url: str
) -> None:
    response = await anonymous.head(url)
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE


async def test_anonymous_invalid_body_is_still_401_not_a_validation_answer(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.post("/patients", json={"age": "old"})
    assert response.status_code == 401
    assert response.json() == SIGN_IN_FIRST


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("POST", {"username": "x", "role": "admin"})]
)
async def test_anonymous_caller_is_refused_users_with_401(
    anonymous: httpx.AsyncClient, method: str, body: Any
) -> None:
    response = await anonymous.request(method, "/users", json=body)
    assert response.status_code == 401
    assert response.json() == SIGN_IN_FIRST
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE


async def test_anonymous_patch_of_an_account_is_401(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.patch("/users/1", json={"disabled": True})
    assert response.status_code == 401
    assert response.json() == SIGN_IN_FIRST


@pytest.mark.parametrize(
    "authorization", ["Bearer prt_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz"]
)
async def test_unknown_or_malformed_credentials_are_401_like_none(
    app: Any, clean_db: None, authorization: str
) -> None:
    async with asgi_client(app, {"Authorization": authorization}) as http:
        response = await http.get("/patients")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE


# --- receptionist: never shown medicalCondition ----------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?name=Alice%20Smith",
        "?gender=Male",
        "?age_gte=35",
        "?patientID_ne=P002",
        "?name_like=o",
        "?_sort=name",
        "?_sort=-age,name",
        "?q=p00",
        "?_start=0&_end=2",
        "?_start=1",
        "?_limit=2",
        "?_start=1&_limit=1",
    ],
)
async def test_receptionist_list_answers_never_carry_medical_condition(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient, query: str
) -> None:
    created = await three_patients(client)
    mine = await receptionist.get(f"/patients{query}")
    theirs = await client.get(f"/patients{query}")
    assert mine.status_code == theirs.status_code == 200
    assert_no_condition_in(mine)
    assert mine.json() == [without_condition(record) for record in theirs.json()]
    assert mine.headers["x-total-count"] == theirs.headers["x-total-count"]
    assert all(set(record) == VISIBLE for record in mine.json())
    if query == "":
        assert mine.json() == [without_condition(record) for record in created]


@pytest.mark.parametrize("query", ["?_page=1", "?_page=2&_per_page=2", "?_page=1&name_like=a"])
async def test_receptionist_page_envelope_never_carries_medical_condition(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient, query: str
) -> None:
    await three_patients(client)
    mine = await receptionist.get(f"/patients{query}")
    theirs = await client.get(f"/patients{query}")
    assert mine.status_code == theirs.status_code == 200
    assert_no_condition_in(mine)
    envelope, full = mine.json(), theirs.json()
    assert full["data"], "the page must hold records for the check to mean anything"
    assert all(set(record) == VISIBLE for record in envelope["data"])
    assert envelope == {**full, "data": [without_condition(record) for record in full["data"]]}
    assert mine.headers["x-total-count"] == theirs.headers["x-total-count"]


async def test_receptionist_get_one_and_head_never_carry_medical_condition(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await registered(client, medicalCondition=SECRET)
    one = await receptionist.get(f"/patients/{created['id']}")
    assert one.status_code == 200
    assert_no_condition_in(one)
    assert one.json() == without_condition(created)
    assert one.headers["etag"] == (await client.get(f"/patients/{created['id']}")).headers["etag"]
    for url in ("/patients", f"/patients/{created['id']}", "/patients?_page=1"):
        head = await receptionist.head(url)
        assert head.status_code == 200
        assert head.content == b""
        assert SECRET not in str(head.headers)


async def test_receptionist_post_put_and_patch_answers_never_carry_medical_condition(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await receptionist.post("/patients", json=without_condition(patient(patientID="R1")))
    assert created.status_code == 201
    assert set(created.json()) == VISIBLE
    patient_id = created.json()["id"]
    # A clinician records a condition; the receptionist's later writes must not echo it.
    recorded = await client.patch(f"/patients/{patient_id}", json={"medicalCondition": SECRET})
    assert recorded.status_code == 200

    replaced = await receptionist.put(
        f"/patients/{patient_id}", json=without_condition(patient(patientID="R1", age=47))
    )
    assert replaced.status_code == 200
    assert_no_condition_in(replaced)
    assert set(replaced.json()) == VISIBLE
    assert replaced.json()["age"] == 47

    patched = await receptionist.patch(f"/patients/{patient_id}", json={"name": "Jane Roe"})
    assert patched.status_code == 200
    assert_no_condition_in(patched)
    assert patched.json() == {
        "id": patient_id,
        **without_condition(patient(patientID="R1", age=47, name="Jane Roe")),
    }


async def test_whole_list_cached_for_a_clinician_first_is_not_served_to_a_receptionist(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await three_patients(client)
    first = await client.get("/patients")
    assert first.json() == created
    second = await receptionist.get("/patients")
    assert_no_condition_in(second)
    assert second.json() == [without_condition(record) for record in created]
    again = await client.get("/patients")
    assert again.json() == created
    assert {record["medicalCondition"] for record in again.json()} == {SECRET, OTHER_SECRET}
    assert (
        first.headers["x-total-count"]
        == second.headers["x-total-count"]
        == again.headers["x-total-count"]
        == "3"
    )


async def test_whole_list_cached_for_a_receptionist_first_is_not_served_to_a_clinician(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await three_patients(client)
    first = await receptionist.get("/patients")
    assert_no_condition_in(first)
    assert first.json() == [without_condition(record) for record in created]
    second = await client.get("/patients")
    assert second.json() == created
    again = await receptionist.get("/patients")
    assert_no_condition_in(again)
    assert again.json() == first.json()


async def test_whole_list_after_a_receptionist_write_still_hides_only_from_the_receptionist(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await three_patients(client)
    await receptionist.get("/patients")
    await client.get("/patients")  # both renderings cached at this generation
    patched = await receptionist.patch(f"/patients/{created[0]['id']}", json={"age": 31})
    assert patched.status_code == 200
    expected = [{**created[0], "age": 31}, *created[1:]]
    mine = await receptionist.get("/patients")
    assert_no_condition_in(mine)
    assert mine.json() == [without_condition(record) for record in expected]
    assert (await client.get("/patients")).json() == expected


@pytest.mark.parametrize(
    "query",
    [
        f"medicalCondition={SECRET}",
        "medicalCondition=",
        "medicalCondition_like=Zeta",
        "medicalCondition_ne=Nothing",
        "medicalCondition_gt=M",
        "medicalCondition_lte=M",
        "_sort=medicalCondition",
        "_sort=-medicalCondition",
        "_sort=name,medicalCondition",
        "_page=1&medicalCondition_like=Zeta",
        "_limit=1&_sort=-medicalCondition",
    ],
)
async def test_receptionist_filtering_or_sorting_by_medical_condition_is_403(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient, query: str
) -> None:
    await three_patients(client)
    response = await receptionist.get(f"/patients?{query}")
    assert response.status_code == 403
    assert response.json() == HIDDEN_FILTER
    head = await receptionist.head(f"/patients?{query}")
    assert head.status_code == 403
    assert (await client.get(f"/patients?{query}")).status_code == 200


async def test_receptionist_search_ignores_medical_condition_that_a_clinician_search_finds(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    await registered(client, patientID="P100", name="Alice Smith", medicalCondition=SECRET)
    target = "zeta"  # in the condition only (any case), not in the name or patientID

    mine = await receptionist.get(f"/patients?q={target}")
    assert mine.status_code == 200
    assert mine.json() == []
    assert mine.headers["x-total-count"] == "0"

    theirs = await client.get(f"/patients?q={target}")
    assert [record["patientID"] for record in theirs.json()] == ["P100"]


@pytest.mark.parametrize("q", ["alice", "P10", "smi"])
async def test_receptionist_search_finds_by_name_and_patient_id(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient, q: str
) -> None:
    created = await registered(client, patientID="P100", name="Alice Smith")
    await registered(client, patientID="X200", name="Bob Jones")
    response = await receptionist.get(f"/patients?q={q}")
    assert response.status_code == 200
    assert response.json() == [without_condition(created)]


async def test_receptionist_registers_a_patient_without_condition_stored_as_not_recorded(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    body = without_condition(patient(patientID="R7", name="New Comer"))
    response = await receptionist.post("/patients", json=body)
    assert response.status_code == 201
    assert response.json() == {"id": 1, **body}
    assert await stored(client, 1) == {"id": 1, **body, "medicalCondition": NOT_RECORDED}


@pytest.mark.parametrize("condition", [SECRET, "", None])
async def test_receptionist_post_with_medical_condition_is_403_and_creates_nothing(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient, condition: Any
) -> None:
    response = await receptionist.post("/patients", json=patient(medicalCondition=condition))
    assert response.status_code == 403
    assert response.json() == CONDITION_REFUSED
    listed = await client.get("/patients")
    assert listed.json() == []
    assert listed.headers["x-total-count"] == "0"


async def test_receptionist_put_with_medical_condition_is_403_and_changes_nothing(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await registered(client, medicalCondition=SECRET)
    response = await receptionist.put(
        f"/patients/{created['id']}", json=patient(name="Changed Name", medicalCondition="Flu")
    )
    assert response.status_code == 403
    assert response.json() == CONDITION_REFUSED
    assert await stored(client, created["id"]) == created


@pytest.mark.parametrize(
    "body",
    [
        {"medicalCondition": "Flu"},
        {"medicalCondition": None},
        {"name": "X Y", "medicalCondition": "Flu"},
    ],
)
async def test_receptionist_patch_with_medical_condition_is_403_and_changes_nothing(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    created = await registered(client, medicalCondition=SECRET)
    response = await receptionist.patch(f"/patients/{created['id']}", json=body)
    assert response.status_code == 403
    assert response.json() == CONDITION_REFUSED
    assert await stored(client, created["id"]) == created


async def test_receptionist_put_without_condition_replaces_the_rest_and_keeps_the_condition(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await registered(client, medicalCondition=SECRET)
    replacement = without_condition(
        patient(patientID="P001", name="Johnny Doe", age=46, gender="Other", lastVisit="2024-02-01")
    )
    response = await receptionist.put(f"/patients/{created['id']}", json=replacement)
    assert response.status_code == 200
    assert response.json() == {"id": created["id"], **replacement}
    assert await stored(client, created["id"]) == {
        "id": created["id"],
        **replacement,
        "medicalCondition": SECRET,
    }


async def test_receptionist_patch_of_demographics_works_and_keeps_the_condition(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await registered(client, medicalCondition=SECRET)
    response = await receptionist.patch(
        f"/patients/{created['id']}", json={"name": "John Q. Doe", "age": 46}
    )
    assert response.status_code == 200
    expected = {**created, "name": "John Q. Doe", "age": 46}
    assert response.json() == without_condition(expected)
    assert await stored(client, created["id"]) == expected


async def test_receptionist_delete_is_403_and_the_patient_remains(
    receptionist: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    created = await registered(client)
    response = await receptionist.delete(f"/patients/{created['id']}")
    assert response.status_code == 403
    assert response.json() == {"detail": "A receptionist may not delete patients."}
    assert await stored(client, created["id"]) == created


async def test_receptionist_may_not_manage_staff_accounts(receptionist: httpx.AsyncClient) -> None:
    listed = await receptionist.get("/users")
    created = await receptionist.post(
        "/users", json={"username": "never-made", "role": "admin", "password": PASSWORD}
    )
    patched = await receptionist.patch("/users/1", json={"role": "admin"})
    for response in (listed, created, patched):
        assert response.status_code == 403
        assert response.json() == ADMINS_ONLY


# --- clinician -----------------------------------------------------------------------------


async def test_clinician_creates_reads_updates_and_deletes_patients(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/patients", json=patient())
    assert created.status_code == 201
    assert created.json() == {"id": 1, **patient()}
    assert (await client.get("/patients/1")).json() == {"id": 1, **patient()}
    listed = await client.get("/patients?medicalCondition=Hypertension")
    assert listed.status_code == 200
    assert listed.json() == [{"id": 1, **patient()}]

    replaced = await client.put("/patients/1", json=patient(medicalCondition="Asthma"))
    assert replaced.status_code == 200
    assert replaced.json()["medicalCondition"] == "Asthma"
    patched = await client.patch("/patients/1", json={"medicalCondition": "Recovered"})
    assert patched.status_code == 200
    assert patched.json()["medicalCondition"] == "Recovered"

    deleted = await client.delete("/patients/1")
    assert deleted.status_code == 200
    assert deleted.json() == {"id": 1, **patient(medicalCondition="Recovered")}
    assert (await client.get("/patients/1")).status_code == 404


async def test_clinician_may_not_list_create_or_change_staff_accounts(
    client: httpx.AsyncClient, admin: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    username = f"clinician-made-{secrets.token_hex(4)}"
    listed = await client.get("/users")
    created = await client.post(
        "/users", json={"username": username, "role": "admin", "password": PASSWORD}
    )
    users = (await admin.get("/users")).json()
    clinician_id = next(
        user["id"] for user in users if user["role"] == "clinician" and not user["disabled"]
    )
    promoted = await client.patch(f"/users/{clinician_id}", json={"role": "admin"})
    for response in (listed, created, promoted):
        assert response.status_code == 403
        assert response.json() == ADMINS_ONLY
    after = (await admin.get("/users")).json()
    assert after == users
    assert username not in {user["username"] for user in after}


# --- admin ---------------------------------------------------------------------------------


async def test_admin_creates_reads_updates_and_deletes_patients_and_lists_accounts(
    admin: httpx.AsyncClient,
) -> None:
    created = await admin.post("/patients", json=patient())
    assert created.status_code == 201
    assert created.json() == {"id": 1, **patient()}
    read = await admin.get("/patients/1")
    assert read.status_code == 200
    assert read.json()["medicalCondition"] == "Hypertension"
    listed = await admin.get("/patients?_sort=-medicalCondition")
    assert listed.status_code == 200
    assert listed.json() == [{"id": 1, **patient()}]
    replaced = await admin.put("/patients/1", json=patient(age=50))
    assert replaced.status_code == 200
    patched = await admin.patch("/patients/1", json={"medicalCondition": "Asthma"})
    assert patched.status_code == 200
    assert patched.json() == {"id": 1, **patient(age=50, medicalCondition="Asthma")}
    deleted = await admin.delete("/patients/1")
    assert deleted.status_code == 200
    assert (await admin.get("/patients")).json() == []

    accounts = await admin.get("/users")
    assert accounts.status_code == 200
    assert {user["role"] for user in accounts.json()} >= {"admin", "clinician", "receptionist"}


# --- a password that must change first -------------------------------------------------------


async def pending_change_token(app: Any, role: Role) -> tuple[str, str]:
    """A new account of `role` whose password must change, its username and an API token."""
    username = f"pending-{role.value}-{secrets.token_hex(4)}"
    user = await user_service.create_user(
        app.state.database, username, role, PASSWORD, must_change=True
    )
    principal = Principal(user.id, user.username, role, must_change_password=True)
    _, secret = await auth_service.create_token(app.state.database, principal, "tests", 1)
    return username, secret


@pytest.mark.parametrize("role", list(Role))
async def test_a_token_whose_owner_must_change_password_is_403_until_changed(
    app: Any, clean_db: None, role: Role
) -> None:
    username, token = await pending_change_token(app, role)
    async with asgi_client(app, bearer(token)) as http:
        me = await http.get("/auth/me")
        assert me.status_code == 200
        assert me.json()["username"] == username
        assert me.json()["role"] == role.value
        assert me.json()["mustChangePassword"] is True
        for method, url, body in [
            ("GET", "/patients", None),
            ("GET", "/patients/1", None),
            ("POST", "/patients", patient()),
            ("PATCH", "/patients/1", {"age": 3}),
            ("DELETE", "/patients/1", None),
            ("GET", "/users", None),
        ]:
            response = await http.request(method, url, json=body)
            assert response.status_code == 403, (method, url)
            assert response.json() == CHANGE_PASSWORD


async def test_a_cookie_session_that_must_change_password_is_403_then_free_after_the_change(
    app: Any, clean_db: None, client: httpx.AsyncClient
) -> None:
    username = f"pending-cookie-{secrets.token_hex(4)}"
    await user_service.create_user(
        app.state.database, username, Role.CLINICIAN, PASSWORD, must_change=True
    )
    await registered(client)
    async with asgi_client(app) as browser:
        signed = await browser.post(
            "/auth/login", json={"username": username, "password": PASSWORD}, headers=SAME_SITE
        )
        assert signed.status_code == 200
        assert signed.json()["mustChangePassword"] is True

        me = await browser.get("/auth/me")
        assert me.status_code == 200
        assert me.json()["mustChangePassword"] is True
        for url in ("/patients", "/patients/1", "/users"):
            response = await browser.get(url)
            assert response.status_code == 403, url
            assert response.json() == CHANGE_PASSWORD

        changed = await browser.post(
            "/auth/password",
            json={"currentPassword": PASSWORD, "newPassword": "A-Fresh-Passphrase-77"},
            headers=SAME_SITE,
        )
        assert changed.status_code == 204
        assert (await browser.get("/auth/me")).json()["mustChangePassword"] is False
        after = await browser.get("/patients/1")
        assert after.status_code == 200
        assert after.json() == {"id": 1, **patient()}
