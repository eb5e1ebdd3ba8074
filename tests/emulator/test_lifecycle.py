"""Timestamps as the lifecycle advances (§6, §11), and the mock images (§15)."""

import io
import re
import time
from datetime import datetime, timedelta

import requests
from PIL import Image

from astria_emulator.images import render_png

from .conftest import wait_for

TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")


def parse(stamp):
    assert TIMESTAMP.match(stamp), stamp
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def png(url):
    response = requests.get(url, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()  # decodes every pixel: a truncated or fake PNG fails here
    assert image.format == "PNG"
    return response.content, image.size


def test_a_tune_trains_after_train_seconds_and_expires_30_days_later(api):
    api.config(train_seconds=0.3)
    tune = api.new_tune()

    assert tune["trained_at"] is None and tune["expires_at"] is None
    assert parse(tune["eta"]) - parse(tune["created_at"]) == timedelta(milliseconds=300)
    trained = api.trained_tune(tune["id"])
    assert parse(trained["trained_at"]) - parse(trained["created_at"]) >= timedelta(seconds=0.3)
    assert parse(trained["expires_at"]) - parse(trained["trained_at"]) == timedelta(days=30)
    assert trained["eta"] == tune["eta"]  # not rewritten when training ends
    assert trained["ckpt_url"] == f"{api.media_url}/mock"
    assert trained["ckpt_urls"] == [trained["ckpt_url"]]
    checkpoint = requests.get(trained["ckpt_url"], timeout=5)
    assert checkpoint.headers["Content-Type"] == "application/octet-stream"


def test_training_starts_after_the_create_not_with_it(api):
    # A real create answers "started_training_at": null (avahi-org/Professional-headshot).
    api.config(train_seconds=2)
    tune = api.new_tune()

    assert tune["started_training_at"] is None
    assert parse(tune["eta"]) - parse(tune["created_at"]) == timedelta(seconds=2)
    assert api.tune(tune["id"])["started_training_at"] is None
    started = wait_for(lambda: api.tune(tune["id"]), lambda t: t["started_training_at"])
    # At least min(1 s, train_seconds / 5) after the create, and well before the eta.
    delay = parse(started["started_training_at"]) - parse(started["created_at"])
    assert timedelta(seconds=0.4) <= delay < timedelta(seconds=2)
    assert started["trained_at"] is None
    assert started["updated_at"] == started["started_training_at"]


def test_the_start_waits_at_most_a_second(api):
    api.config(train_seconds=30)
    tune = api.new_tune()

    started = wait_for(lambda: api.tune(tune["id"]), lambda t: t["started_training_at"], seconds=3)

    delay = parse(started["started_training_at"]) - parse(started["created_at"])
    assert timedelta(seconds=1) <= delay < timedelta(seconds=2)


def test_with_no_training_time_it_starts_and_ends_on_one_tick(api):
    tune = api.new_tune()

    assert tune["started_training_at"] is None
    trained = api.trained_tune(tune["id"])
    assert trained["started_training_at"] is not None
    assert parse(trained["started_training_at"]) <= parse(trained["trained_at"])


def test_a_faceid_tune_is_trained_at_once(api):
    api.config(train_seconds=60)

    tune = api.new_tune(model_type="faceid", image_urls=["https://images.example.com/1.jpg"])

    assert tune["trained_at"] == tune["started_training_at"] == tune["created_at"]
    assert parse(tune["expires_at"]) - parse(tune["trained_at"]) == timedelta(days=30)
    assert tune["ckpt_url"] is None


def test_prompts_wait_for_their_tune_then_get_their_images(api):
    api.config(train_seconds=60)
    tune = api.new_tune()
    prompt = api.new_prompt(tune["id"], num_images=3)

    time.sleep(0.2)
    waiting = api.prompt(prompt["id"])
    assert waiting["started_training_at"] is None and waiting["images"] == []
    assert waiting["trained_at"] is None and waiting["user_error"] is None

    api.control("POST", f"tunes/{tune['id']}/finish")

    done = api.done_prompt(prompt["id"])
    assert parse(done["started_training_at"]) >= parse(api.tune(tune["id"])["trained_at"])
    assert len(done["images"]) == 3
    assert all(url.startswith(f"{api.media_url}/") for url in done["images"])


def test_a_prompt_is_generating_for_prompt_seconds(api):
    api.config(prompt_seconds=0.4)
    tune = api.trained_tune(api.new_tune()["id"])
    prompt = api.new_prompt(tune["id"])

    generating = wait_for(lambda: api.prompt(prompt["id"]), lambda p: p["started_training_at"])
    assert generating["trained_at"] is None and generating["images"] == []
    done = api.done_prompt(prompt["id"])
    elapsed = parse(done["trained_at"]) - parse(done["started_training_at"])
    assert elapsed >= timedelta(seconds=0.4)


def test_images_are_real_pngs_sized_from_the_request(api):
    tune = api.new_tune()
    cases = [
        ({}, (512, 512)),
        ({"aspect_ratio": "2:3"}, (344, 512)),
        ({"w": 256, "h": 128}, (256, 128)),
        ({"w": 2048, "h": 1024}, (512, 256)),
        ({"text": "ohwx man --ar 16:9"}, (512, 288)),
        ({"ar": "portrait"}, (344, 512)),
    ]
    for n, (fields, size) in enumerate(cases):
        prompt = api.new_prompt(tune["id"], seed=n, **{"w": None, "h": None, **fields})
        done = api.done_prompt(prompt["id"])
        assert png(done["images"][0])[1] == size, fields


def test_images_are_deterministic_per_prompt_id_and_index(api, emulator):
    tune = api.new_tune()
    prompt = api.done_prompt(api.new_prompt(tune["id"], num_images=2)["id"])
    first, second = (png(url)[0] for url in prompt["images"])
    assert first != second

    emulator.reset()  # ids start again, so the same prompt id comes back
    tune = api.new_tune()
    again = api.done_prompt(api.new_prompt(tune["id"], num_images=2)["id"])

    assert again["id"] == prompt["id"]
    assert [png(url)[0] for url in again["images"]] == [first, second]
    assert render_png(1, 0, 1, "x", (64, 64)) == render_png(1, 0, 1, "x", (64, 64))
    assert render_png(1, 0, 1, "x", (64, 64)) != render_png(2, 0, 1, "x", (64, 64))


def test_a_lora_prompt_on_the_base_tune_waits_for_the_lora(api):
    api.config(train_seconds=60)
    lora = api.new_tune(branch="flux1", base_tune_id=1504944, model_type="lora")

    prompt = api.new_prompt(1504944, text=f"<lora:{lora['id']}:1.0> ohwx man", num_images=2)

    assert prompt["tune_id"] == 1504944
    assert prompt["url"] == f"{api.base_url}/tunes/1504944/prompts/{prompt['id']}.json"
    assert prompt["tunes"] == [{"id": lora["id"], "title": lora["title"]}]
    time.sleep(0.2)
    assert api.prompt(prompt["id"])["started_training_at"] is None

    api.control("POST", f"tunes/{lora['id']}/finish")

    done = api.done_prompt(prompt["id"])
    assert done["tune_id"] == 1504944 and len(done["images"]) == 2
    assert api.get(f"/tunes/1504944/prompts/{prompt['id']}").status_code == 200
    assert [p["id"] for p in api.get("/tunes/1504944/prompts").json()] == [prompt["id"]]


def test_a_faceid_prompt_on_a_base_tune_runs_at_once(api):
    api.config(train_seconds=60)
    faceid = api.new_tune(model_type="faceid", base_tune_id=690204, image_urls=["u"])

    prompt = api.new_prompt(690204, text=f"<faceid:{faceid['id']}:1> a man")

    assert api.done_prompt(prompt["id"])["images"]


def test_inline_prompts_run_after_training(api):
    api.config(train_seconds=60)
    tune = api.new_tune(prompts_attributes=[{"text": "ohwx man", "num_images": 2}])
    (prompt,) = api.get(f"/tunes/{tune['id']}/prompts").json()
    assert prompt["started_training_at"] is None

    api.control("POST", f"tunes/{tune['id']}/finish")

    assert len(api.done_prompt(prompt["id"])["images"]) == 2


def test_prompts_of_a_tune_that_fails_fail_too(api):
    api.config(train_seconds=60)
    tune = api.new_tune(prompts_attributes=[{"text": "ohwx man"}])
    (prompt,) = api.get(f"/tunes/{tune['id']}/prompts").json()

    api.control("POST", f"tunes/{tune['id']}/fail", {"user_error": "No faces found"})

    failed = api.done_prompt(prompt["id"])
    assert "No faces found" in failed["user_error"] and failed["failed_at"]
    assert failed["images"] == [] and failed["trained_at"] is None
    refused = api.create_prompt(tune["id"])
    assert refused.status_code == 422
