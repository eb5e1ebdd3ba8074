"""Callbacks: wrapped bodies, exact URLs, one POST each, never retried (§7, §15)."""

import time

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


def test_a_failed_tune_calls_back_with_its_user_error(api, receiver):
    api.config(train_seconds=60)
    tune = api.new_tune(callback=f"{receiver.url}/hook")

    api.control("POST", f"tunes/{tune['id']}/fail", {"user_error": "No faces found"})

    (call,) = receiver.wait(1)
    assert call["body"]["tune"]["user_error"] == "No faces found"
    assert call["body"]["tune"]["trained_at"] is None


def test_a_failed_prompt_calls_back_with_no_images(api, receiver):
    api.config(train_seconds=60)
    tune = api.new_tune()
    prompt = api.new_prompt(tune["id"], callback=f"{receiver.url}/p")

    api.control("POST", f"prompts/{prompt['id']}/fail", {"user_error": "NSFW"})

    (call,) = receiver.wait(1)
    assert call["body"]["prompt"]["user_error"] == "NSFW"
    assert call["body"]["prompt"]["images"] == []


def test_a_faceid_tune_calls_back_at_once(api, receiver):
    api.config(train_seconds=60)

    tune = api.new_tune(model_type="faceid", image_urls=["u"], callback=f"{receiver.url}/f")

    (call,) = receiver.wait(1)
    assert call["body"]["tune"]["id"] == tune["id"]
