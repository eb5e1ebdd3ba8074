"""How a failure shows: the `signal` of the fail controls (failed_at, user_error, both, silent).

No captured tune body carries `user_error`; Astria's tune records carry
`failed_at`. So a tune fails with `failed_at` unless a test asks otherwise, and
a prompt with both (Astria's CLI reads `user_error` on prompts).
"""

import time

import pytest

from astria_emulator import prices

from .conftest import wait_for

START = 100_000_000


def fail_tune(api, tune_id, **data):
    response = api.control("POST", f"tunes/{tune_id}/fail", data)
    assert response.status_code == 200, response.text
    return response.json()


def fail_prompt(api, prompt_id, **data):
    response = api.control("POST", f"prompts/{prompt_id}/fail", data)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("signal", "has_failed_at", "user_error"),
    [
        (None, True, None),
        ("failed_at", True, None),
        ("user_error", False, "No faces found"),
        ("both", True, "No faces found"),
    ],
)
def test_a_tune_shows_the_signal_it_failed_with(api, signal, has_failed_at, user_error):
    api.config(train_seconds=60)
    tune = api.new_tune(branch="sd15")

    failed = fail_tune(api, tune["id"], user_error="No faces found", signal=signal)

    after = api.tune(tune["id"])
    assert after == failed
    assert (after["failed_at"] is not None) == has_failed_at
    assert after.get("user_error") == user_error
    assert ("user_error" in after) == (user_error is not None)
    assert after["trained_at"] is None and after["expires_at"] is None
    assert api.balance() == START  # refunded


def test_a_silent_failure_shows_nothing_and_never_calls_back(api, receiver):
    api.config(train_seconds=60)
    tune = api.new_tune(branch="sd15", callback=f"{receiver.url}/t")

    failed = fail_tune(api, tune["id"], signal="silent")
    finish = api.control("POST", f"tunes/{tune['id']}/finish")

    assert finish.status_code == 409  # it has failed, if quietly
    assert failed == tune
    assert api.tune(tune["id"]) == tune
    assert api.balance() == START
    assert api.state()["tunes"]["failed"] == 1
    time.sleep(0.2)
    assert receiver.calls == [] and api.control("GET", "callbacks").json() == []


def test_a_tune_armed_to_fail_silently_never_starts(api, receiver):
    api.config(train_seconds=0.3)
    api.control("POST", "fail-next-tune", {"signal": "silent"})
    tune = api.new_tune(branch="sd15", callback=f"{receiver.url}/t")

    time.sleep(0.8)  # well past its eta, and past the start of training

    assert api.tune(tune["id"]) == tune
    assert tune["started_training_at"] is None and tune["trained_at"] is None
    assert tune["failed_at"] is None and "user_error" not in tune
    assert receiver.calls == []
    assert api.balance() == START


def test_a_silently_failed_tune_leaves_its_prompts_waiting(api):
    api.config(train_seconds=60)
    tune = api.new_tune(prompts_attributes=[{"text": "ohwx man"}])
    fail_tune(api, tune["id"], signal="silent")

    later = api.create_prompt(tune["id"])
    time.sleep(0.2)

    assert later.status_code == 201  # nothing tells the client the tune is dead
    for prompt in api.get(f"/tunes/{tune['id']}/prompts").json():
        assert prompt["started_training_at"] is None and prompt["user_error"] is None


def test_a_tune_failed_visibly_refuses_prompts_with_an_error(api):
    api.config(train_seconds=60)
    tune = api.new_tune()
    fail_tune(api, tune["id"], user_error="No faces found")

    response = api.create_prompt(tune["id"])

    assert response.status_code == 422
    assert response.json() == {"error": f"Tune {tune['id']} failed to train: No faces found"}


def test_fail_next_tune_takes_a_signal(api, receiver):
    api.control("POST", "fail-next-tune", {"title": "quiet", "signal": "silent"})
    api.control("POST", "fail-next-tune", {"title": "loud", "signal": "both"})

    quiet = api.new_tune(title="quiet one", callback=f"{receiver.url}/quiet")
    loud = api.new_tune(title="loud one", callback=f"{receiver.url}/loud")

    (call,) = receiver.wait(1)
    time.sleep(0.2)
    assert [c["path"] for c in receiver.calls] == ["/loud"]
    assert call["body"]["tune"]["user_error"] == "Training failed"
    assert call["body"]["tune"]["failed_at"] is not None
    assert api.tune(loud["id"])["failed_at"] is not None
    still = api.tune(quiet["id"])
    assert still["started_training_at"] is None and still["trained_at"] is None
    assert still["failed_at"] is None and "user_error" not in still


@pytest.mark.parametrize(
    ("signal", "has_failed_at", "user_error"),
    [
        (None, True, "NSFW"),
        ("both", True, "NSFW"),
        ("failed_at", True, None),
        ("user_error", False, "NSFW"),
    ],
)
def test_a_prompt_shows_the_signal_it_failed_with(api, receiver, signal, has_failed_at, user_error):
    api.config(prompt_seconds=60)
    tune = api.trained_tune(api.new_tune(branch="sd15")["id"])
    prompt = api.new_prompt(tune["id"], callback=f"{receiver.url}/p")

    fail_prompt(api, prompt["id"], user_error="NSFW", signal=signal)

    after = api.prompt(prompt["id"])
    assert (after["failed_at"] is not None) == has_failed_at
    assert after["user_error"] == user_error  # prompts always carry the key
    assert after["images"] == [] and after["trained_at"] is None
    assert api.balance() == START - prices.TUNE_MC
    (call,) = receiver.wait(1)
    assert call["body"]["prompt"]["failed_at"] == after["failed_at"]


def test_a_silently_failed_prompt_never_finishes(api, receiver):
    api.config(prompt_seconds=0.2)
    tune = api.trained_tune(api.new_tune(branch="sd15")["id"])
    prompt = api.new_prompt(tune["id"], callback=f"{receiver.url}/p")

    fail_prompt(api, prompt["id"], signal="silent")
    time.sleep(0.5)

    after = api.prompt(prompt["id"])
    assert after["trained_at"] is None and after["images"] == []
    assert after["failed_at"] is None and after["user_error"] is None
    assert receiver.calls == []
    assert api.balance() == START - prices.TUNE_MC


def test_fail_next_prompt_takes_a_signal(api):
    api.control("POST", "fail-next-prompt", {"text": "odd", "signal": "failed_at"})
    tune = api.new_tune()

    prompt = api.new_prompt(tune["id"], text="an odd one")

    done = wait_for(lambda: api.prompt(prompt["id"]), lambda p: p["failed_at"])
    assert done["failed_at"] is not None and done["user_error"] is None


def test_an_unknown_signal_is_refused(api):
    tune = api.new_tune()

    for path in (f"tunes/{tune['id']}/fail", "fail-next-tune", "fail-next-prompt"):
        response = api.control("POST", path, {"signal": "loudly"})
        assert response.status_code == 400, path
    assert api.state()["pending_failures"] == []
    assert api.tune(tune["id"])["failed_at"] is None
