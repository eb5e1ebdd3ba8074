"""The Astria client over real HTTP against the offline emulator (ASTRIA_API.md)."""

import time
import uuid
from datetime import timedelta

import pytest
import requests

from astria_portal.astria import (
    Ambiguous,
    AstriaClient,
    NotFound,
    PermanentError,
    RetryLater,
    Unauthorized,
    faceid_tag,
    lora_tag,
    parse_prompt,
    parse_tune,
)
from tests.helpers import wait_for

from .helpers import API_KEY, jpeg

FLUX_BASE = 1504944
PHOTOS = [
    (f"face-{n}.jpg", jpeg(color), "image/jpeg")
    for n, color in enumerate(["red", "green", "blue", "yellow"])
]


@pytest.fixture
def client(emulator):
    with AstriaClient(emulator.base_url, API_KEY, timeout=(2, 5)) as client:
        yield client


def new_tune(client, **fields):
    fields = {"title": str(uuid.uuid4()), "name": "man", "branch": "fast", **fields}
    fields.setdefault("images", PHOTOS)
    return client.create_tune(**fields)


def api_calls(emulator, method=None):
    return [
        call
        for call in emulator.requests()
        if not call["path"].startswith("/_emulator") and method in (None, call["method"])
    ]


# The happy paths


def test_account(client):
    account = client.get_account()

    assert account.email
    assert account.usd_balance_mc > 0
    assert account.balance_usd * 100_000 == account.usd_balance_mc


def test_tune_create_get_list_delete(client, emulator):
    title = str(uuid.uuid4())

    created = new_tune(client, title=title, callback="https://portal.test/cb?t=x")

    assert created.id > 0
    assert (created.title, created.name, created.branch) == (title, "man", "fast")
    assert created.callback == "https://portal.test/cb?t=x"
    assert created.created_at is not None
    assert len(created.orig_images) == 4

    trained = wait_for(lambda: client.get_tune(created.id), lambda t: t.is_trained)
    assert trained.is_trained and not trained.is_failed
    assert trained.expires_at == trained.trained_at + timedelta(days=30)
    assert trained.id in [t.id for t in client.iter_tunes()]

    client.delete_tune(created.id)

    with pytest.raises(NotFound):
        client.get_tune(created.id)
    with pytest.raises(NotFound):
        client.delete_tune(created.id)
    assert created.id not in [t.id for t in client.iter_tunes()]


def test_the_training_images_are_rehosted(client):
    created = new_tune(client)

    response = requests.get(created.orig_images[0], timeout=5)

    assert response.status_code == 200
    assert response.content[:2] == b"\xff\xd8"  # a JPEG


def test_idempotent_create_returns_the_same_tune(client, emulator):
    emulator.config(idempotency=True)  # off on a new account, and in the emulator
    title = str(uuid.uuid4())

    first = new_tune(client, title=title)
    second = new_tune(client, title=title)

    assert first.id == second.id
    assert [t.id for t in client.iter_tunes() if t.title == title] == [first.id]


def test_without_idempotency_a_second_create_duplicates(client, emulator):
    emulator.config(idempotency=False)
    title = str(uuid.uuid4())

    assert new_tune(client, title=title).id != new_tune(client, title=title).id


def test_update_tune(client):
    created = new_tune(client)

    updated = client.update_tune(created.id, auto_extend=True, title="renamed")

    assert updated.id == created.id
    assert updated.title == "renamed"
    assert client.get_tune(created.id).title == "renamed"


def test_iter_tunes_walks_every_page_newest_first(client, emulator):
    ids = [new_tune(client).id for _ in range(5)]

    listed = [t.id for t in client.iter_tunes(page_size=2)]

    assert listed == sorted(ids, reverse=True)
    # pages of 2, 2, 1, then the empty page that ends the walk
    assert len([c for c in api_calls(emulator, "GET") if c["path"] == "/tunes"]) == 4


def test_tune_with_prompts_attributes_and_characteristics(client):
    created = new_tune(
        client,
        characteristics={"eye_color": "blue eyes"},
        prompts=[
            {"text": "ohwx man in a suit", "num_images": 2},
            {"text": "ohwx man on a beach", "super_resolution": True},
        ],
    )

    prompts = wait_for(
        lambda: list(client.iter_prompts(tune_id=created.id)),
        lambda ps: len(ps) == 2 and all(p.is_done for p in ps),
    )

    assert sorted(p.text for p in prompts) == ["ohwx man in a suit", "ohwx man on a beach"]
    assert {p.tune_id for p in prompts} == {created.id}
    assert [p.num_images for p in prompts if "suit" in p.text] == [2]


def test_prompt_create_get_list_delete(client, emulator):
    tune = new_tune(client)

    created = client.create_prompt(
        tune.id, text="ohwx man in a suit", num_images=2, callback="https://portal.test/p?t=y"
    )

    assert created.tune_id == tune.id
    assert created.text == "ohwx man in a suit"
    done = wait_for(lambda: client.get_prompt(created.id), lambda p: p.is_done)
    assert done.is_done and not done.is_failed
    assert len(done.images) == 2
    assert client.get_prompt(created.id, tune_id=tune.id) == done
    assert [p.id for p in client.iter_prompts(tune_id=tune.id)] == [created.id]
    assert created.id in [p.id for p in client.iter_prompts()]

    image = requests.get(done.images[0], timeout=5)
    assert image.status_code == 200

    client.delete_prompt(created.id, tune_id=tune.id)
    with pytest.raises(NotFound):
        client.get_prompt(created.id)
    with pytest.raises(NotFound):
        client.delete_prompt(created.id)


def test_delete_prompt_by_the_short_path(client):
    tune = new_tune(client)
    created = client.create_prompt(tune.id, text="ohwx man")

    client.delete_prompt(created.id)

    with pytest.raises(NotFound):
        client.get_prompt(created.id, tune_id=tune.id)


def test_a_flux_lora_prompt_goes_to_the_base_tune(client):
    tune = new_tune(client, base_tune_id=FLUX_BASE, model_type="lora", branch="flux1")
    wait_for(lambda: client.get_tune(tune.id), lambda t: t.is_trained)

    created = client.create_prompt(FLUX_BASE, text=f"{lora_tag(tune.id)} a man in a suit")

    assert created.tune_id == FLUX_BASE
    assert created.user_tune_id == tune.id
    fetched = client.get_prompt(created.id, tune_id=FLUX_BASE)
    assert fetched.user_tune_id == tune.id
    assert created.id in [p.id for p in client.iter_prompts(tune_id=FLUX_BASE)]


def test_a_faceid_tune_is_usable_at_once(client):
    tune = new_tune(
        client, model_type="faceid", base_tune_id=FLUX_BASE, branch="flux1", images=PHOTOS[:1]
    )

    assert tune.is_trained
    created = client.create_prompt(FLUX_BASE, text=f"{faceid_tag(tune.id)} a man")
    assert created.user_tune_id == tune.id


def test_the_callback_bodies_parse(client, emulator):
    tune = new_tune(client, callback="http://127.0.0.1:9/tune-hook?t=secret")

    sent = emulator.callbacks(count=1)

    assert sent[0]["url"] == "http://127.0.0.1:9/tune-hook?t=secret"
    parsed = parse_tune(sent[0]["body"])
    assert parsed.id == tune.id and parsed.is_trained

    prompt = client.create_prompt(tune.id, text="ohwx man", callback="http://127.0.0.1:9/p")
    sent = emulator.callbacks(count=2)
    assert parse_prompt(sent[-1]["body"]).id == prompt.id


def test_a_failed_tune_and_prompt(client, emulator):
    emulator.config(train_seconds=60, prompt_seconds=60)
    tune = new_tune(client)
    emulator.call(
        "POST", f"tunes/{tune.id}/fail", {"user_error": "No faces found", "signal": "user_error"}
    )

    failed = client.get_tune(tune.id)
    assert failed.is_failed and not failed.is_trained
    assert failed.user_error == "No faces found"

    other = new_tune(client)
    emulator.call("POST", f"tunes/{other.id}/finish")
    prompt = client.create_prompt(other.id, text="ohwx man")
    emulator.call("POST", f"prompts/{prompt.id}/fail", {"user_error": "NSFW"})
    failed_prompt = client.get_prompt(prompt.id)
    assert failed_prompt.is_failed and not failed_prompt.is_done
    assert failed_prompt.user_error == "NSFW"


def test_an_expired_tune_is_gone(client, emulator):
    tune = new_tune(client)
    wait_for(lambda: client.get_tune(tune.id), lambda t: t.is_trained)
    emulator.call("POST", f"tunes/{tune.id}/expire")

    with pytest.raises(NotFound):
        client.get_tune(tune.id)


# Each failure class


def test_422_validation_is_permanent_and_carries_the_body(client, emulator):
    with pytest.raises(PermanentError) as info:
        new_tune(client, images=PHOTOS[:2])

    error = info.value
    assert type(error) is PermanentError
    assert error.status == 422
    assert error.message == "images must contain at least 4 images"
    assert error.body == {"images": ["must contain at least 4 images"]}  # a Rails field map
    assert client.get_account().usd_balance_mc > 0


def test_422_prompt_on_a_missing_tune(client):
    with pytest.raises(PermanentError) as info:
        client.create_prompt(999_999_999, text="ohwx man")

    # §15 says 422; the emulator answers 404 for an unknown tune id. Both are permanent.
    assert info.value.status in (404, 422)


def test_401_wrong_key(emulator):
    client = AstriaClient(emulator.base_url, "sd_wrong", timeout=(2, 5))

    with pytest.raises(Unauthorized) as info:
        client.get_account()

    assert info.value.status == 401
    assert info.value.body == {"error": "Unauthorized"}


def test_402_insufficient_balance_on_a_paid_tune(client, emulator):
    emulator.config(balance_mc=0)

    with pytest.raises(PermanentError) as info:
        new_tune(client, branch="sd15")

    assert info.value.status == 402
    assert info.value.message == "Insufficient account balance"
    assert new_tune(client, branch="fast").id > 0  # fast stays free


def test_404_unknown_tune(client):
    with pytest.raises(NotFound) as info:
        client.get_tune(999_999_999)

    assert info.value.status == 404
    assert info.value.message == "Not found"


def test_429_with_retry_after(client, emulator):
    emulator.fault("GET", r"/tunes/\d+", status=429, retry_after=7)
    tune_id = 1

    with pytest.raises(RetryLater) as info:
        client.get_tune(tune_id)

    assert info.value.status == 429
    assert info.value.retry_after == 7


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retry_later(client, emulator, status):
    emulator.fault("POST", "/tunes", status=status)
    title = str(uuid.uuid4())

    with pytest.raises(RetryLater) as info:
        new_tune(client, title=title)

    assert type(info.value) is RetryLater
    assert info.value.status == status
    # nothing was created, and the retry with the same title goes through
    assert [t for t in client.iter_tunes() if t.title == title] == []
    assert new_tune(client, title=title).title == title


def test_504_after_commit_is_ambiguous_and_the_tune_exists(client, emulator):
    emulator.config(idempotency=True)  # the documented re-POST needs it
    emulator.fault("POST", "/tunes", status=504, after_commit=True)
    title = str(uuid.uuid4())

    with pytest.raises(Ambiguous) as info:
        new_tune(client, title=title)

    assert type(info.value) is Ambiguous
    assert info.value.status == 504
    existing = [t for t in client.iter_tunes() if t.title == title]
    assert len(existing) == 1  # "maybe done" was done
    # RELIABILITY §2.2: re-POST the same title, get the same tune
    assert new_tune(client, title=title).id == existing[0].id


def test_504_after_commit_on_a_prompt(client, emulator):
    tune = new_tune(client)
    emulator.fault("POST", r"/tunes/\d+/prompts", status=504, after_commit=True)

    with pytest.raises(Ambiguous):
        client.create_prompt(tune.id, text="ohwx man in a hat", seed=42)

    assert [p.text for p in client.iter_prompts(tune_id=tune.id)] == ["ohwx man in a hat"]


def test_a_read_timeout_is_ambiguous(emulator):
    slow = AstriaClient(emulator.base_url, API_KEY, timeout=(2, 0.5))
    emulator.fault("POST", "/tunes", status=None, delay=1.5)
    title = str(uuid.uuid4())

    started = time.monotonic()
    with pytest.raises(Ambiguous) as info:
        new_tune(slow, title=title)

    assert time.monotonic() - started < 1.4
    assert info.value.status is None
    assert "ReadTimeout" in info.value.message
    # the emulator finished the request after we gave up: maybe done means done
    listed = wait_for(lambda: [t.title for t in slow.iter_tunes() if t.title == title], bool)
    assert listed == [title]


def test_a_dropped_connection_is_ambiguous(client, emulator):
    emulator.fault("GET", "/users", drop=True)

    with pytest.raises(Ambiguous) as info:
        client.get_account()

    assert info.value.status is None
    assert client.get_account().email  # the next call is fine


def test_a_dropped_create_after_commit_left_a_tune(client, emulator):
    emulator.fault("POST", "/tunes", drop=True, after_commit=True)
    title = str(uuid.uuid4())

    with pytest.raises(Ambiguous):
        new_tune(client, title=title)

    assert len([t for t in client.iter_tunes() if t.title == title]) == 1


def test_a_stopped_server_is_retry_later(emulator):
    from astria_emulator import Emulator

    stopped = Emulator(api_key=API_KEY, data_dir=None).start(host="127.0.0.1", port=0)
    stopped.stop()
    client = AstriaClient(stopped.base_url, API_KEY, timeout=(2, 2))

    with pytest.raises(RetryLater) as info:
        client.get_account()

    assert info.value.status is None
