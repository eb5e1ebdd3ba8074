"""Bearer-key auth on the API; public files and the control surface need none."""

import logging

import pytest
import requests


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": "test-key"},
        {"Authorization": "Basic dGVzdC1rZXk6"},
        {"Authorization": "Bearer "},
    ],
)
def test_it_rejects_a_missing_or_wrong_key(emulator, headers):
    for path in ("/tunes", "/tunes/1504944", "/prompts", "/users"):
        response = requests.get(emulator.base_url + path, headers=headers, timeout=5)

        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized"}


def test_it_rejects_a_wrong_key_on_writes_and_creates_nothing(api):
    body = {"tune": {"title": "t", "name": "man", "branch": "fast", "image_urls": ["u"] * 4}}
    response = api.post("/tunes", json=body, headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401
    assert api.state()["tunes"]["total"] == 0


def test_it_accepts_the_right_key(api):
    assert api.get("/tunes").status_code == 200


def test_files_and_the_control_surface_need_no_key(api):
    tune = api.trained_tune(api.new_tune()["id"])

    assert requests.get(tune["ckpt_url"], timeout=5).status_code == 200
    assert requests.get(f"{api.base_url}/_emulator/state", timeout=5).status_code == 200


def test_it_logs_one_line_per_request_without_the_key(api, caplog):
    with caplog.at_level(logging.INFO, logger="astria_emulator"):
        api.get("/tunes")
        api.get("/users", headers={"Authorization": "Bearer leaked-secret"})

    lines = [record.getMessage() for record in caplog.records]
    assert "GET /tunes 200" in lines
    assert "GET /users 401" in lines
    assert not any("test-key" in line or "leaked-secret" in line for line in lines)
