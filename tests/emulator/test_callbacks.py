"""Callbacks: wrapped bodies, exact URLs, one POST each, never retried (§7, §15)."""

import time

import pytest

from astria_emulator.render import THIN_KEYS

from .conftest import wait_for


def sent_to(api, url_prefix, count, seconds=5.0):
    """The emulator's callback log entries for one receiver, waiting for `count` of them."""
    return wait_for(
        lambda: [
            entry
            for entry in api.control("GET", "callbacks").json()
            if entry["url"].startswith(url_prefix)
        ],
        lambda entries: len(entries) >= count,
        seconds,
    )


def test_a_trained_tune_posts_its_wrapped_object_to_the_exact_url(api, receiver):
    url = f"{receiver.url}/hooks/astria?user_id=1&tune_id=7&secret=s%20p"
    tune = api.new_tune(callback=url)

    (call,) = receiver.wait(1)

    assert call["path"] == "/hooks/astria?user_id=1&tune_id=7&secret=s%20p"
    assert call["content_type"] == "application/json"
    assert list(call["body"]) == ["tune"]
    assert call["body"]["tune"]["id"] == tune["id"]
    assert call["body"]["tune"]["trained_at"] is not None
    assert call["body"]["tune"]["callback"] == url
    (entry,) = sent_to(api, receiver.url, 1)
    assert (entry["kind"], entry["object_id"], entry["status"]) == ("tune", tune["id"], 200)
    assert entry["url"] == url and entry["error"] is None and entry["dropped"] is False


def test_a_finished_prompt_posts_its_wrapped_object(api, receiver):
    tune = api.trained_tune(api.new_tune()["id"])
    prompt = api.new_prompt(tune["id"], num_images=2, callback=f"{receiver.url}/p?prompt=1")

    (call,) = receiver.wait(1)

    assert call["path"] == "/p?prompt=1"
    assert list(call["body"]) == ["prompt"]
    body = call["body"]["prompt"]
    assert body["id"] == prompt["id"] and len(body["images"]) == 2
    assert body["trained_at"] is not None


def test_inline_prompts_call_back_too(api, receiver):
    api.new_tune(
        callback=f"{receiver.url}/tune",
        prompts_attributes=[
            {"text": "a", "callback": f"{receiver.url}/prompt-a"},
            {"text": "b", "callback": f"{receiver.url}/prompt-b"},
        ],
    )

    calls = receiver.wait(3)

    assert sorted(call["path"] for call in calls) == ["/prompt-a", "/prompt-b", "/tune"]


def test_a_receiver_error_is_recorded_and_never_retried(api, receiver):
    receiver.status = 500
    tune = api.new_tune(callback=f"{receiver.url}/hook")

    (entry,) = sent_to(api, receiver.url, 1)
    time.sleep(0.3)

    assert len(receiver.calls) == 1
    assert (entry["status"], entry["object_id"]) == (500, tune["id"])
    assert len(sent_to(api, receiver.url, 1)) == 1


def test_an_unreachable_receiver_is_recorded_as_an_error(api, receiver):
    url = receiver.url
    receiver.close()

    api.new_tune(callback=f"{url}/hook")

    (entry,) = sent_to(api, url, 1)
    assert entry["status"] is None and entry["error"]


def test_disabled_callbacks_are_recorded_as_dropped(api, receiver):
    api.config(callbacks_enabled=False)
    api.new_tune(callback=f"{receiver.url}/hook")

    (entry,) = sent_to(api, receiver.url, 1)
    time.sleep(0.2)

    assert entry["dropped"] is True and entry["status"] is None
    assert receiver.calls == []


def test_a_failed_tune_calls_back_with_failed_at(api, receiver):
    api.config(train_seconds=60)
    tune = api.new_tune(callback=f"{receiver.url}/hook")

    api.control("POST", f"tunes/{tune['id']}/fail", {"user_error": "No faces found"})

    (call,) = receiver.wait(1)
    assert call["body"]["tune"]["failed_at"] is not None
    assert "user_error" not in call["body"]["tune"]
    assert call["body"]["tune"]["trained_at"] is None


def test_a_tune_failed_with_user_error_calls_back_with_it(api, receiver):
    api.config(train_seconds=60)
    tune = api.new_tune(callback=f"{receiver.url}/hook")

    api.control(
        "POST", f"tunes/{tune['id']}/fail", {"user_error": "No faces found", "signal": "user_error"}
    )

    (call,) = receiver.wait(1)
    assert call["body"]["tune"]["user_error"] == "No faces found"
    assert call["body"]["tune"]["failed_at"] is None


def test_a_failed_prompt_calls_back_with_no_images(api, receiver):
    api.config(train_seconds=60)
    tune = api.new_tune()
    prompt = api.new_prompt(tune["id"], callback=f"{receiver.url}/p")

    api.control("POST", f"prompts/{prompt['id']}/fail", {"user_error": "NSFW"})

    (call,) = receiver.wait(1)
    assert call["body"]["prompt"]["user_error"] == "NSFW"
    assert call["body"]["prompt"]["failed_at"] is not None
    assert call["body"]["prompt"]["images"] == []


def test_a_faceid_tune_sends_no_callback(api, receiver):
    # "trained_at is set upon creation ... As such no callback is needed" (faceid.md).
    api.config(train_seconds=60)
    tune = api.new_tune(
        model_type="faceid", image_urls=["u"], callback=f"{receiver.url}/f", branch="fast"
    )
    prompt = api.new_prompt(tune["id"], callback=f"{receiver.url}/p")

    (call,) = receiver.wait(1)
    time.sleep(0.3)

    assert [call["path"] for call in receiver.calls] == ["/p"]
    assert call["body"]["prompt"]["id"] == prompt["id"]
    assert api.tune(tune["id"])["callback"] == f"{receiver.url}/f"


def test_a_faceid_prompt_on_a_base_tune_calls_back(api, receiver):
    faceid = api.new_tune(model_type="faceid", base_tune_id=690204, image_urls=["u"])

    api.new_prompt(690204, text=f"<faceid:{faceid['id']}:1.0> woman", callback=f"{receiver.url}/p")

    (call,) = receiver.wait(1)
    assert call["body"]["prompt"]["tune_id"] == 690204 and call["body"]["prompt"]["images"]


def finished_bodies(api, receiver, shape):
    """The tune and prompt callback bodies sent with `callback_body` set to shape."""
    api.config(callback_body=shape)
    tune = api.new_tune(callback=f"{receiver.url}/t")
    api.new_prompt(tune["id"], callback=f"{receiver.url}/p")
    calls = receiver.wait(2)
    by_path = {call["path"]: call["body"] for call in calls}
    return by_path["/t"], by_path["/p"], api.tune(tune["id"])


def test_full_bodies_are_the_default(api, receiver):
    assert api.control("GET", "config").json()["callback_body"] == "full"

    tune_body, prompt_body, tune = finished_bodies(api, receiver, "full")

    assert tune_body == {"tune": tune}
    assert list(prompt_body) == ["prompt"] and "cfg_scale" in prompt_body["prompt"]


def test_thin_bodies_hold_about_ten_keys(api, receiver):
    tune_body, prompt_body, tune = finished_bodies(api, receiver, "thin")

    assert list(tune_body) == ["tune"] and list(prompt_body) == ["prompt"]
    assert list(tune_body["tune"]) == list(THIN_KEYS["tune"])
    assert list(prompt_body["prompt"]) == [
        "id",
        "tune_id",
        "text",
        "images",
        "trained_at",
        "created_at",
        "updated_at",
        "url",
        "user_error",
        "tunes",
    ]
    assert tune_body["tune"]["id"] == tune["id"] and tune_body["tune"]["trained_at"]
    assert prompt_body["prompt"]["images"]


def test_bare_bodies_are_not_wrapped(api, receiver):
    tune_body, prompt_body, tune = finished_bodies(api, receiver, "bare")

    assert tune_body == tune
    assert prompt_body["tune_id"] == tune["id"] and prompt_body["images"]


def test_empty_bodies_are_empty(api, receiver):
    tune_body, prompt_body, _ = finished_bodies(api, receiver, "empty")

    assert tune_body == prompt_body == {}


def test_an_unknown_body_shape_is_refused(api):
    response = api.control("POST", "config", {"callback_body": "wrapped"})

    assert response.status_code == 400
    assert api.control("GET", "config").json()["callback_body"] == "full"


@pytest.mark.parametrize("shape", ["thin", "bare", "empty"])
def test_reset_goes_back_to_full_bodies(api, shape):
    api.config(callback_body=shape)

    assert api.control("POST", "reset").json()["callback_body"] == "full"
