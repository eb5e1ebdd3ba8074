"""Deleting and expiring: 404 afterwards and the files are gone (§12, §15)."""

import requests

from astria_emulator import prices
from astria_emulator.clock import now_ms

from .conftest import PHOTOS, wait_for


def status(url):
    return requests.get(url, timeout=5).status_code


def tune_with_files(api):
    """A trained tune with uploaded photos and one finished prompt with two images."""
    files = [("tune[images][]", photo) for photo in PHOTOS]
    fields = {"tune[title]": "t", "tune[name]": "man", "tune[branch]": "fast"}
    tune = api.post("/tunes", data=fields, files=files).json()
    api.trained_tune(tune["id"])
    prompt = api.done_prompt(api.new_prompt(tune["id"], num_images=2)["id"])
    assert all(status(url) == 200 for url in tune["orig_images"] + prompt["images"])
    return tune, prompt


def test_deleting_a_tune_removes_it_its_prompts_and_files(api):
    tune, prompt = tune_with_files(api)

    response = api.delete(f"/tunes/{tune['id']}")

    assert response.status_code == 200
    assert response.json() == {"message": "Tune successfully deleted"}
    assert api.get(f"/tunes/{tune['id']}").status_code == 404
    assert api.get(f"/prompts/{prompt['id']}").status_code == 404
    assert api.get("/tunes").json() == [] and api.get("/prompts").json() == []
    assert all(status(url) == 404 for url in tune["orig_images"] + prompt["images"])
    assert api.delete(f"/tunes/{tune['id']}").status_code == 404
    assert api.create_prompt(tune["id"]).status_code == 404
    counts = api.state()
    assert counts["tunes"]["deleted"] == 1 and counts["prompts"]["deleted"] == 1
    assert counts["files"] == 0


def test_deleting_a_prompt_by_either_path(api):
    tune, prompt = tune_with_files(api)
    other = api.done_prompt(api.new_prompt(tune["id"], seed=5)["id"])

    short = api.delete(f"/prompts/{prompt['id']}")
    nested = api.delete(f"/tunes/{tune['id']}/prompts/{other['id']}")

    assert short.json() == nested.json() == {"message": "Prompt successfully deleted"}
    assert (short.status_code, nested.status_code) == (200, 200)
    assert api.get(f"/tunes/{tune['id']}/prompts/{prompt['id']}").status_code == 404
    assert api.get(f"/prompts/{other['id']}").status_code == 404
    assert all(status(url) == 404 for url in prompt["images"] + other["images"])
    assert api.get(f"/tunes/{tune['id']}").status_code == 200


def test_gallery_tunes_cannot_be_deleted(api):
    assert api.delete("/tunes/1504944").status_code == 404
    assert api.get("/tunes/1504944").status_code == 200


def test_deleting_a_lora_keeps_its_prompts_on_the_base_tune(api):
    lora = api.trained_tune(api.new_tune(base_tune_id=1504944, model_type="lora")["id"])
    prompt = api.done_prompt(api.new_prompt(1504944, text=f"<lora:{lora['id']}:1> a")["id"])

    api.delete(f"/tunes/{lora['id']}")

    assert api.get(f"/prompts/{prompt['id']}").status_code == 200


def test_a_forced_expiry_is_404_with_files_gone(api):
    tune, prompt = tune_with_files(api)

    response = api.control("POST", f"tunes/{tune['id']}/expire")

    assert response.status_code == 200
    assert api.get(f"/tunes/{tune['id']}").status_code == 404
    assert api.get(f"/prompts/{prompt['id']}").status_code == 404
    assert all(status(url) == 404 for url in tune["orig_images"] + prompt["images"])
    assert api.state()["tunes"]["expired"] == 1


def test_a_tune_expires_when_expires_at_passes(api, emulator):
    tune, _ = tune_with_files(api)

    with emulator.state.lock:  # move the clock's target rather than the clock
        emulator.state.tunes[tune["id"]]["expires_at"] = now_ms() - 1

    gone = wait_for(lambda: api.get(f"/tunes/{tune['id']}").status_code, lambda s: s == 404)
    assert gone == 404
    assert status(tune["orig_images"][0]) == 404


def test_an_auto_extend_tune_is_renewed_and_charged(api, emulator):
    tune = api.trained_tune(api.new_tune(branch="sd15", auto_extend=True)["id"])
    balance = api.balance()

    with emulator.state.lock:
        emulator.state.tunes[tune["id"]]["expires_at"] = now_ms() - 1

    renewed = wait_for(lambda: api.balance(), lambda b: b < balance)
    assert renewed == balance - prices.AUTO_EXTEND_MC
    assert api.get(f"/tunes/{tune['id']}").status_code == 200
