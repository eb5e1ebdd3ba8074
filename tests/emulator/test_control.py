"""The /_emulator/ control surface: config, reset, forced outcomes, logs and counts."""

from astria_emulator import Emulator

from .conftest import wait_for


def test_config_reads_and_updates_any_subset(api):
    config = api.control("GET", "config").json()
    assert config == {
        "train_seconds": 0.0,
        "prompt_seconds": 0.0,
        "idempotency": False,  # as on a new Astria account
        "callbacks_enabled": True,
        "callback_body": "full",
        "balance_mc": 100_000_000,
    }

    updated = api.config(train_seconds=2, balance_mc=5)

    assert updated == {**config, "train_seconds": 2.0, "balance_mc": 5}
    assert api.balance() == 5


def test_config_rejects_unknown_keys_and_bad_values(api):
    for values in (
        {"speed": 1},
        {"idempotency": "yes"},
        {"balance_mc": -1},
        {"balance_mc": 1.5},
        {"callback_body": 1},
    ):
        assert api.control("POST", "config", values).status_code == 400


def test_reset_clears_everything_but_the_gallery(api):
    api.config(idempotency=True, balance_mc=1)
    api.new_tune()
    api.control("POST", "faults", {"path": "/users", "status": 500})

    response = api.control("POST", "reset")

    assert response.status_code == 200
    assert response.json()["idempotency"] is False
    assert api.balance() == 100_000_000
    assert api.get("/tunes").json() == []
    assert api.get("/tunes/1504944").status_code == 200
    assert api.control("GET", "faults").json() == []
    assert api.state()["tunes"]["total"] == 0
    assert api.new_tune()["id"] == 1_000_001


def test_reset_in_process_matches_the_endpoint():
    with Emulator(api_key="k", train_seconds=0, prompt_seconds=0).start() as emulator:
        emulator.state.balance_mc = 3
        emulator.reset()
        assert emulator.state.balance_mc == 100_000_000
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert emulator.api_key == "k"


def test_finish_trains_a_tune_now(api):
    api.config(train_seconds=60)
    tune = api.new_tune()

    response = api.control("POST", f"tunes/{tune['id']}/finish")

    assert response.status_code == 200
    assert response.json()["trained_at"] is not None
    assert api.tune(tune["id"])["trained_at"] is not None


def test_fail_sets_failed_at_and_never_trains(api):
    api.config(train_seconds=0.2)
    tune = api.new_tune()

    failed = api.control("POST", f"tunes/{tune['id']}/fail", {"user_error": "Bad photos"})

    assert failed.json()["failed_at"] is not None and "user_error" not in failed.json()
    assert api.control("POST", f"tunes/{tune['id']}/finish").status_code == 409
    after = api.tune(tune["id"])
    assert after["failed_at"] == failed.json()["failed_at"] and after["trained_at"] is None
    assert after["expires_at"] is None and "user_error" not in after


def test_fail_or_finish_conflicts_with_a_finished_outcome(api):
    tune = api.trained_tune(api.new_tune()["id"])

    assert api.control("POST", f"tunes/{tune['id']}/fail").status_code == 409
    assert api.control("POST", "tunes/999/fail").status_code == 404
    assert api.control("POST", "tunes/1504944/expire").status_code == 404


def test_fail_next_tune_by_title(api):
    signal = {"title": "doomed", "user_error": "No face detected", "signal": "user_error"}
    api.control("POST", "fail-next-tune", signal)

    lucky = api.trained_tune(api.new_tune(title="lucky")["id"])
    doomed = api.new_tune(title="the doomed one")
    later = api.new_tune(title="doomed again")

    assert lucky["failed_at"] is None and "user_error" not in lucky
    assert api.trained_tune(later["id"])["failed_at"] is None  # the rule is used up
    final = wait_for(lambda: api.tune(doomed["id"]), lambda t: "user_error" in t)
    assert final["user_error"] == "No face detected" and final["trained_at"] is None
    assert final["failed_at"] is None
    assert api.state()["pending_failures"] == []


def test_fail_next_tune_without_a_title_hits_a_faceid_tune_at_once(api):
    rule = api.control("POST", "fail-next-tune", {}).json()

    tune = api.new_tune(model_type="faceid", image_urls=["u"])

    assert rule["signal"] == "failed_at" and rule["user_error"] == "Training failed"
    assert tune["failed_at"] == tune["created_at"] and tune["trained_at"] is None


def test_finish_and_fail_for_prompts(api):
    api.config(prompt_seconds=60)
    tune = api.trained_tune(api.new_tune()["id"])
    first = api.new_prompt(tune["id"], num_images=2)
    second = api.new_prompt(tune["id"], seed=3)

    finished = api.control("POST", f"prompts/{first['id']}/finish").json()
    failed = api.control("POST", f"prompts/{second['id']}/fail", {"user_error": "NSFW"}).json()

    assert len(finished["images"]) == 2 and finished["trained_at"] is not None
    assert failed["user_error"] == "NSFW" and failed["images"] == []
    assert failed["failed_at"] is not None  # prompts fail with both signals by default
    assert api.control("POST", f"prompts/{first['id']}/fail").status_code == 409


def test_a_prompt_cannot_finish_before_its_tune(api):
    api.config(train_seconds=60)
    tune = api.new_tune()
    prompt = api.new_prompt(tune["id"])

    assert api.control("POST", f"prompts/{prompt['id']}/finish").status_code == 409


def test_fail_next_prompt_by_text(api):
    api.control("POST", "fail-next-prompt", {"text": "forbidden", "user_error": "NSFW"})
    tune = api.new_tune()

    prompt = api.new_prompt(tune["id"], text="something forbidden")

    done = api.done_prompt(prompt["id"])
    assert done["user_error"] == "NSFW" and done["failed_at"] is not None


def test_the_request_log_names_titles_and_created_ids(api):
    tune = api.new_tune(title="logged")
    api.get(f"/tunes/{tune['id']}.json")

    log = api.control("GET", "requests").json()

    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/tunes", 201),
        ("GET", f"/tunes/{tune['id']}.json", 200),
    ]
    assert (log[0]["title"], log[0]["object_id"]) == ("logged", tune["id"])
    assert log[1]["title"] is None and log[0]["time"].endswith("Z")
    assert api.control("DELETE", "requests").json() == []


def test_state_counts_include_deleted_records(api):
    first, second = api.new_tune(), api.new_tune()
    api.new_prompt(first["id"])
    api.delete(f"/tunes/{first['id']}")

    counts = api.state()

    assert counts["tunes"]["total"] == 2 and counts["tunes"]["live"] == 1
    assert counts["tunes"]["deleted"] == 1
    assert counts["prompts"] == {**counts["prompts"], "total": 1, "live": 0, "deleted": 1}
    assert api.tune(second["id"])["id"] == second["id"]


def test_the_index_lists_the_endpoints(api):
    assert "POST /_emulator/reset" in api.control("GET", "").json()
