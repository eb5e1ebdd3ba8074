"""The account balance: paid branches are charged, `fast` is free, 402 when short (§15).

Documented: a `fast` tune is free and prompts on that tune return mock images
for free. Not documented: that a prompt on a shared base tune is free because
its adapter tag names a fast tune, so it is charged.
"""

import pytest
import requests

from astria_emulator import prices

from .conftest import IMAGE_URLS

START = 100_000_000


def test_a_paid_tune_is_charged_and_reports_its_cost(api):
    tune = api.new_tune(branch="sd15")

    assert tune["cost_mc"] == prices.TUNE_MC
    assert api.balance() == START - prices.TUNE_MC


def test_a_paid_prompt_costs_per_image(api):
    tune = api.new_tune(branch="flux1")

    prompt = api.new_prompt(tune["id"], num_images=3)

    assert prompt["cost_mc"] == 3 * prices.IMAGE_MC
    assert api.balance() == START - prices.TUNE_MC - 3 * prices.IMAGE_MC


def test_fast_tunes_and_their_prompts_are_free(api):
    tune = api.new_tune(branch="fast", prompts_attributes=[{"text": "inline", "num_images": 8}])
    prompt = api.new_prompt(tune["id"], num_images=8)

    assert tune["cost_mc"] == 0 and prompt["cost_mc"] == 0
    assert api.balance() == START


@pytest.mark.parametrize(
    ("base", "tag", "model_type"),
    [(1504944, "lora", "lora"), (690204, "faceid", "faceid"), (666678, "lora", "lora")],
)
def test_a_prompt_on_a_gallery_base_tune_is_charged_even_for_a_fast_adapter(
    api, base, tag, model_type
):
    images = IMAGE_URLS[:1] if model_type == "faceid" else IMAGE_URLS
    fast = api.new_tune(branch="fast", base_tune_id=base, model_type=model_type, image_urls=images)

    prompt = api.new_prompt(base, text=f"<{tag}:{fast['id']}:1> a man", num_images=2)

    assert fast["cost_mc"] == 0
    assert prompt["cost_mc"] == 2 * prices.IMAGE_MC
    assert api.balance() == START - 2 * prices.IMAGE_MC


@pytest.mark.parametrize(
    ("model_type", "images"), [("lora", IMAGE_URLS), ("faceid", IMAGE_URLS[:1])]
)
def test_a_prompt_on_the_users_own_fast_adapter_tune_is_free_with_mock_images(
    api, model_type, images
):
    tune = api.new_tune(
        branch="fast", base_tune_id=1504944, model_type=model_type, image_urls=images
    )

    response = api.create_prompt(tune["id"], text="ohwx man in a suit", num_images=2)

    assert response.status_code == 201
    prompt = api.done_prompt(response.json()["id"])
    assert prompt["tune_id"] == tune["id"] and prompt["cost_mc"] == 0
    assert len(prompt["images"]) == 2
    assert requests.get(prompt["images"][0], timeout=5).headers["Content-Type"] == "image/png"
    assert api.balance() == START


def test_inline_prompts_of_a_paid_tune_are_charged_with_it(api):
    api.new_tune(branch="sd15", prompts_attributes=[{"text": "a", "num_images": 2}])

    assert api.balance() == START - prices.TUNE_MC - 2 * prices.IMAGE_MC


def test_an_insufficient_balance_is_402_and_creates_nothing(api):
    api.config(balance_mc=prices.TUNE_MC - 1)

    response = api.create_tune(branch="sd15")

    assert response.status_code == 402
    assert response.json() == {"error": "Insufficient account balance"}
    assert api.state()["tunes"]["total"] == 0
    assert api.balance() == prices.TUNE_MC - 1
    assert api.create_tune(branch="fast").status_code == 201


def test_a_paid_prompt_beyond_the_balance_is_402(api):
    tune = api.new_tune(branch="sd15")
    api.config(balance_mc=prices.IMAGE_MC)

    assert api.create_prompt(tune["id"], num_images=2).status_code == 402
    assert api.create_prompt(tune["id"], num_images=1).status_code == 201
    assert api.balance() == 0


def test_inline_prompts_count_towards_the_402_check(api):
    api.config(balance_mc=prices.TUNE_MC)

    response = api.create_tune(branch="sd15", prompts_attributes=[{"text": "a"}])

    assert response.status_code == 402


def test_a_failed_tune_is_refunded(api):
    api.config(train_seconds=60)
    tune = api.new_tune(branch="sd15")

    api.control("POST", f"tunes/{tune['id']}/fail")

    assert api.balance() == START


def test_the_default_balance_pays_for_many_tunes(api):
    assert START // prices.TUNE_MC >= 100
