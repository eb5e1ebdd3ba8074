"""Fault rules: status for N calls, after commit, delay, dropped connection, Retry-After."""

import time

import pytest
import requests

from .conftest import IMAGE_URLS, wait_for

TUNE = {"name": "man", "branch": "fast", "image_urls": IMAGE_URLS}


def add_fault(api, **rule):
    response = api.control("POST", "faults", rule)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_status_fault_applies_n_times_then_calls_are_normal(api):
    add_fault(api, method="GET", path="/tunes", status=500, times=2)

    statuses = [api.get("/tunes").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert api.control("GET", "faults").json() == []


def test_a_fault_answers_an_error_body_and_creates_nothing(api):
    add_fault(api, method="POST", path="/tunes", status=503)

    response = api.create_tune(title="x")

    assert response.status_code == 503
    assert response.json() == {"error": "Service Unavailable"}
    assert api.state()["tunes"]["total"] == 0


def test_the_path_is_a_full_regex_match_without_the_json_suffix(api):
    tune = api.new_tune()
    add_fault(api, method="GET", path=r"/tunes/\d+", status=502, times=5)

    assert api.get("/tunes").status_code == 200
    assert api.get(f"/tunes/{tune['id']}.json").status_code == 502
    assert api.get(f"/tunes/{tune['id']}/prompts").status_code == 200
    assert api.post(f"/tunes/{tune['id']}").status_code == 404  # method must match


def test_a_504_after_commit_creates_the_tune(api):
    api.config(idempotency=True)  # the documented recovery needs it on
    add_fault(api, method="POST", path="/tunes", status=504, after_commit=True)

    response = api.create_tune(title="committed", branch="sd15")

    assert response.status_code == 504
    assert response.json() == {"error": "Gateway Timeout"}
    (tune,) = api.get("/tunes").json()
    assert tune["title"] == "committed"
    assert api.balance() == 100_000_000 - tune["cost_mc"]
    # the documented recovery: retry with the same title, get the same tune
    retry = api.create_tune(title="committed", branch="sd15")
    assert (retry.status_code, retry.json()["id"]) == (200, tune["id"])
    log = [entry for entry in api.control("GET", "requests").json() if entry["method"] == "POST"]
    assert [(entry["status"], entry["object_id"]) for entry in log] == [
        (504, tune["id"]),
        (200, tune["id"]),
    ]
    assert log[0]["fault"] is not None and log[0]["title"] == "committed"


def test_without_idempotency_a_retry_after_a_504_makes_a_second_tune(api):
    add_fault(api, method="POST", path="/tunes", status=504, after_commit=True)

    assert api.create_tune(title="committed").status_code == 504
    retry = api.create_tune(title="committed")

    assert retry.status_code == 201
    assert len(api.get("/tunes", params={"title": "committed"}).json()) == 2


def test_a_delay_outlasts_a_client_timeout(api):
    add_fault(api, method="POST", path="/tunes", status=None, delay=0.6)

    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post("/tunes", json={"tune": {"title": "slow", **TUNE}}, timeout=0.2)
    assert time.monotonic() - started < 0.55

    (tune,) = api.get("/tunes").json()  # processed all the same
    assert tune["title"] == "slow"
    # The server answers after its delay; wait so no later test sees that log entry.
    posts = wait_for(
        lambda: [e for e in api.control("GET", "requests").json() if e["method"] == "POST"],
        lambda entries: entries,
    )
    assert [(e["status"], e["object_id"]) for e in posts] == [(201, tune["id"])]


def test_a_delay_without_a_timeout_just_answers_later(api):
    add_fault(api, method="GET", path="/users", status=None, delay=0.3)

    started = time.monotonic()
    response = api.get("/users")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_dropped_connection_gets_no_response(api):
    add_fault(api, method="GET", path="/users", drop=True)

    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("/users")

    assert api.get("/users").status_code == 200


def test_a_drop_after_commit_leaves_the_prompt_created(api):
    tune = api.new_tune()
    add_fault(api, method="POST", path=r"/tunes/\d+/prompts", drop=True, after_commit=True)

    with pytest.raises(requests.exceptions.ConnectionError):
        api.create_prompt(tune["id"], text="dropped but made")

    assert [p["text"] for p in api.get("/prompts").json()] == ["dropped but made"]
    (entry,) = [e for e in api.control("GET", "requests").json() if e["method"] == "POST"][1:]
    assert entry["status"] is None


def test_retry_after_is_sent_with_a_429(api):
    add_fault(api, method="*", path="/prompts", status=429, retry_after=7)

    response = api.get("/prompts")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {"error": "Too Many Requests"}
    assert "Retry-After" not in api.get("/prompts").headers


def test_a_custom_body(api):
    add_fault(api, method="POST", path="/tunes", status=422, body={"error": "Nope"})

    assert api.create_tune().json() == {"error": "Nope"}


def test_faults_are_listed_and_cleared(api):
    rule = add_fault(api, method="get", path="/users", status=500, times=3)

    assert rule["method"] == "GET" and rule["remaining"] == 3
    assert [r["id"] for r in api.control("GET", "faults").json()] == [rule["id"]]
    assert api.control("DELETE", "faults").json() == []
    assert api.get("/users").status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"path": "("},
        {"status": 99},
        {"times": 0},
        {"delay": -1},
        {"probability": 0},
        {"probability": 1.5},
        {"probability": "often"},
        {"colour": "red"},
    ],
)
def test_a_malformed_rule_is_400(api, rule):
    response = api.control("POST", "faults", rule)

    assert response.status_code == 400
    assert "error" in response.json()


def test_control_calls_are_never_faulted(api):
    add_fault(api, method="*", path=".*", status=500, times=5)

    assert api.control("GET", "state").status_code == 200
    assert api.get("/users").status_code == 500


def test_a_fault_can_hit_image_downloads(api):
    tune = api.new_tune(prompts_attributes=[{"text": "a", "w": 64, "h": 64}])
    (prompt,) = api.get(f"/tunes/{tune['id']}/prompts").json()
    image_url = api.done_prompt(prompt["id"])["images"][0]
    assert image_url.startswith(api.media_url)
    add_fault(api, method="GET", path="/[a-z0-9]{28}", status=503)

    assert requests.get(image_url, timeout=5).status_code == 503
    assert requests.get(image_url, timeout=5).status_code == 200
    assert all(e["path"] != image_url for e in api.control("GET", "requests").json())


def test_a_probability_hits_about_that_share_of_calls(api):
    add_fault(api, method="GET", path="/tunes", status=500, times=1000, probability=0.25)

    statuses = [api.get("/tunes").status_code for _ in range(400)]

    assert set(statuses) == {200, 500}
    assert 50 <= statuses.count(500) <= 150  # 100 expected; far outside is a broken rule
    [rule] = api.control("GET", "faults").json()
    assert rule["remaining"] == 1000 - statuses.count(500)  # only hits use up the rule
