"""The /_emulator/ control surface: config, reset, forced outcomes, logs and counts."""

from astria_emulator import Emulator


def test_config_reads_and_updates_any_subset(api):
    config = api.control("GET", "config").json()
    assert config == {
        "train_seconds": 0.0,
        "prompt_seconds": 0.0,
        "idempotency": True,
        "callbacks_enabled": True,
        "balance_mc": 100_000_000,
    }

    updated = api.config(train_seconds=2, balance_mc=5)

    assert updated == {**config, "train_seconds": 2.0, "balance_mc": 5}
    assert api.balance() == 5


def test_config_rejects_unknown_keys_and_bad_values(api):
    for values in ({"speed": 1}, {"idempotency": "yes"}, {"balance_mc": -1}, {"balance_mc": 1.5}):
        assert api.control("POST", "config", values).status_code == 400


def test_reset_clears_everything_but_the_gallery(api):
    api.config(idempotency=False, balance_mc=1)
    api.new_tune()
    api.control("POST", "faults", {"path": "/users", "status": 500})

    response = api.control("POST", "reset")

    assert response.status_code == 200
    assert response.json()["idempotency"] is True
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


def test_fail_sets_user_error_and_never_trains(api):
    api.config(train_seconds=0.2)
    tune = api.new_tune()

    failed = api.control("POST", f"tunes/{tune['id']}/fail", {"user_error": "Bad photos"})

    assert failed.json()["user_error"] == "Bad photos"
    assert api.control("POST", f"tunes/{tune['id']}/finish").status_code == 409
    after = api.tune(tune["id"])
    assert after["user_error"] == "Bad photos" and after["trained_at"] is None
    assert after["expires_at"] is None


def test_fail_or_finish_conflicts_with_a_finished_outcome(api):
    tune = api.trained_tune(api.new_tune()["id"])

    assert api.control("POST", f"tunes/{tune['id']}/fail").status_code == 409
    assert api.control("POST", "tunes/999/fail").status_code == 404
    assert api.control("POST", "tunes/1504944/expire").status_code == 404


def test_fail_next_tune_by_title(api):
    api.control("POST", "fail-next-tune", {"title": "doomed", "user_error": "No face detected"})

    lucky = api.trained_tune(api.new_tune(title="lucky")["id"])
    doomed = api.new_tune(title="the doomed one")
    later = api.new_tune(title="doomed again")

    assert lucky["user_error"] is None
    assert api.trained_tune(later["id"])["user_error"] is None  # the rule is used up
    final = api.tune(doomed["id"])
    assert final["user_error"] == "No face detected" and final["trained_at"] is None
    assert api.state()["pending_failures"] == []


def test_fail_next_tune_without_a_title_hits_a_faceid_tune_at_once(api):
    api.control("POST", "fail-next-tune", {})

    tune = api.new_tune(model_type="faceid", image_urls=["u"])

    assert tune["user_error"] == "Training failed" and tune["trained_at"] is None


def test_finish_and_fail_for_prompts(api):
    api.config(prompt_seconds=60)
    tune = api.trained_tune(api.new_tune()["id"])
    first = api.new_prompt(tune["id"], num_images=2)
    second = api.new_prompt(tune["id"], seed=3)

    finished = api.control("POST", f"prompts/{first['id']}/finish").json()
    failed = api.control("POST", f"prompts/{second['id']}/fail", {"user_error": "NSFW"}).json()

    assert len(finished["images"]) == 2 and finished["trained_at"] is not None
    assert failed["user_error"] == "NSFW" and failed["images"] == []
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

    assert api.done_prompt(prompt["id"])["user_error"] == "NSFW"


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
