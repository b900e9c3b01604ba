"""Bad input: HTTP 400 with JSON naming the field; nothing else happens."""

from __future__ import annotations

import pytest

from tests.readapi.conftest import Api
from tests.web.conftest import World

pytestmark = pytest.mark.sqlite_only  # parameter checks happen before any SQL


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/tasks", {"colour": "red"}, "colour"),
        ("/tasks", {"created_from": "2024-13-01"}, "created_from"),
        ("/tasks", {"created_to": "yesterday"}, "created_to"),
        ("/tasks", {"dob": "1/2/1980"}, "dob"),
        ("/tasks", {"task_type": "phq99"}, "task_type"),
        ("/tasks", {"task_type": "phq9,nope"}, "task_type"),
        ("/tasks", {"task_type": "patient"}, "task_type"),
        ("/tasks", {"limit": "1000"}, "limit"),
        ("/tasks", {"limit": "0"}, "limit"),
        ("/tasks", {"limit": "ten"}, "limit"),
        ("/tasks", {"group_id": "a"}, "group_id"),
        ("/tasks", {"era": "old"}, "era"),
        ("/tasks", {"sex": "Q"}, "sex"),
        ("/tasks", {"complete_only": "perhaps"}, "complete_only"),
        ("/tasks", {"which_idnum": "1"}, "idnum_value"),
        ("/tasks", {"created_from": "2024-02-01", "created_to": "2024-01-01"}, "created_from"),
        ("/tasks", {"cursor": "not-a-cursor"}, "cursor"),
        ("/tasks", {"order": "sideways"}, "order"),
        ("/patients", {"task_type": "phq9"}, "task_type"),
        ("/patients", {"idnum_value": "5"}, "which_idnum"),
        ("/patients", {"limit": "201"}, "limit"),
        ("/groups", {"limit": "5"}, "limit"),
        ("/tasks/phq9/abc", {}, "pk"),
        ("/blobs/1x", {}, "pk"),
        ("/patients/-", {}, "pk"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    as_alice: Api, path: str, params: dict[str, str], field: str
) -> None:
    r = as_alice.get(path, **params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["status"] == 400
    assert body["error"].startswith(f"{field}:"), body
    assert r.headers["content-type"] == "application/json"


def test_repeated_parameter_is_refused(as_alice: Api) -> None:
    r = as_alice.client.get(
        "/read/v1/tasks?limit=5&limit=6", headers={"Authorization": f"Bearer {as_alice.token}"}
    )
    assert r.status_code == 400 and r.json()["error"].startswith("limit:")


def test_unknown_things_are_json_404s(world: World, as_alice: Api) -> None:
    for path in ("/task-types/phq99", "/task-types/patient", "/tasks/patient/1", "/nowhere"):
        r = as_alice.get(path)
        assert r.status_code == 404, path
        assert r.json()["status"] == 404
    r = as_alice.client.post(
        "/read/v1/tasks", headers={"Authorization": f"Bearer {as_alice.token}"}
    )
    assert r.status_code == 405 and r.json()["status"] == 405


def test_the_tablet_api_is_untouched(as_alice: Api) -> None:
    r = as_alice.client.get("/api")
    assert r.status_code == 200 and "CamCOPS" in r.text
