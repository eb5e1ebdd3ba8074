"""Idempotent creates: same title, same tune; same prompt attributes, same prompt (§8).

A new Astria account has idempotency off until it is enabled in the API
settings (docs/api/0-overview.md), and so has the emulator: these tests turn it on.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from astria_emulator import Emulator, prices

from .conftest import Api

START = 100_000_000


@pytest.fixture(autouse=True)
def idempotency(api):
    api.config(idempotency=True)


def test_it_is_off_until_switched_on(emulator_server):
    emulator_server.reset()  # back to the defaults, undoing this module's switch
    api = Api(emulator_server)

    assert api.control("GET", "config").json()["idempotency"] is False
    first = api.create_tune(title="uuid-0")
    second = api.create_tune(title="uuid-0")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


def test_an_emulator_can_start_with_it_on_and_reset_keeps_that():
    with Emulator(api_key="test-key", train_seconds=0, idempotency=True) as emulator:
        api = Api(emulator)
        api.headers = {"Authorization": "Bearer test-key"}
        first = api.create_tune(title="same")
        assert api.create_tune(title="same").json()["id"] == first.json()["id"]
        assert api.control("POST", "reset").json()["idempotency"] is True


def test_a_repeated_title_returns_the_existing_tune_with_200(api):
    first = api.create_tune(title="uuid-1", branch="sd15")
    again = api.create_tune(title="uuid-1", branch="sd15")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert api.balance() == START - prices.TUNE_MC
    assert api.state()["tunes"]["total"] == 1
    log = [entry for entry in api.control("GET", "requests").json() if entry["method"] == "POST"]
    assert [entry["object_id"] for entry in log] == [first.json()["id"]] * 2
    assert [entry["idempotent"] for entry in log] == [False, True]


def test_a_hit_ignores_the_rest_of_the_request_but_still_validates_it(api):
    api.new_tune(title="uuid-2")

    assert api.create_tune(title="uuid-2", name="woman").json()["name"] == "man"
    assert api.create_tune(title="uuid-2", image_urls=[]).status_code == 422


def test_a_deleted_tune_does_not_count(api):
    first = api.new_tune(title="uuid-3")
    api.delete(f"/tunes/{first['id']}")

    again = api.create_tune(title="uuid-3")

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


def test_with_idempotency_off_the_same_title_makes_two_tunes(api):
    assert api.config(idempotency=False)["idempotency"] is False

    first = api.create_tune(title="uuid-4")
    second = api.create_tune(title="uuid-4")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert len(api.get("/tunes", params={"title": "uuid-4"}).json()) == 2


def test_a_repeated_prompt_returns_the_existing_one(api):
    tune = api.new_tune(branch="sd15")
    fields = {"text": "ohwx man", "seed": 7, "callback": "https://portal.test/p?id=1"}

    first = api.create_prompt(tune["id"], **fields)
    again = api.post(
        f"/tunes/{tune['id']}/prompts",
        data={
            f"prompt[{key}]": value
            for key, value in {**fields, "num_images": 1, "w": 128, "h": 128}.items()
        },
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert api.balance() == START - prices.TUNE_MC - prices.IMAGE_MC


def test_any_compared_attribute_makes_a_new_prompt(api):
    tune = api.new_tune()
    first = api.new_prompt(tune["id"], text="ohwx man", callback="https://portal.test/a")
    other_tune = api.new_tune()

    variants = [
        api.create_prompt(tune["id"], text="ohwx man", callback="https://portal.test/b"),
        api.create_prompt(tune["id"], text="ohwx man", callback="https://portal.test/a", seed=1),
        api.create_prompt(
            tune["id"], text="ohwx man", callback="https://portal.test/a", cfg_scale=3
        ),
        api.create_prompt(other_tune["id"], text="ohwx man", callback="https://portal.test/a"),
    ]

    assert [response.status_code for response in variants] == [201] * 4
    assert first["id"] not in {response.json()["id"] for response in variants}


def test_with_idempotency_off_the_same_prompt_is_created_twice(api):
    tune = api.new_tune()
    api.config(idempotency=False)

    first = api.new_prompt(tune["id"])
    second = api.new_prompt(tune["id"])

    assert first["id"] != second["id"]


def test_concurrent_creates_with_one_title_make_one_tune(api):
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: api.create_tune(title="race"), range(8)))

    assert sorted(response.status_code for response in responses) == [200] * 7 + [201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert api.state()["tunes"]["total"] == 1
