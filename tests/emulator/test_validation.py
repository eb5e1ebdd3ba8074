"""422 validation errors, 404 for unknown ids, 400 for undecodable bodies (§13, §15)."""

import pytest

from .conftest import IMAGE_URLS


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": ""}, {"title": ["can't be blank"]}),
        ({"title": None}, {"title": ["can't be blank"]}),
        ({"name": "  "}, {"name": ["can't be blank"]}),
        # The real answer to a create without images (myorpheus/myphoto's production log).
        ({"image_urls": []}, {"images": ["must contain at least one image"]}),
        ({"image_urls": IMAGE_URLS[:3]}, {"images": ["must contain at least 4 images"]}),
        (
            {"image_urls": IMAGE_URLS[:1], "model_type": "lora"},
            {"images": ["must contain at least 4 images"]},
        ),
        ({"branch": "sd99"}, {"branch": ["is not included in the list"]}),
        ({"model_type": "dreambooth"}, {"model_type": ["is not included in the list"]}),
        ({"steps": "many"}, {"steps": ["is not a number"]}),
        ({"characteristics": "{not json"}, {"characteristics": ["is not valid JSON"]}),
        ({"prompts_attributes": [{"text": ""}]}, {"prompts.text": ["can't be blank"]}),
        (
            {"prompts_attributes": [{"text": "x", "num_images": 9}]},
            {"prompts.num_images": ["must be less than or equal to 8"]},
        ),
        (
            {"title": "", "name": "", "image_urls": []},
            {
                "title": ["can't be blank"],
                "name": ["can't be blank"],
                "images": ["must contain at least one image"],
            },
        ),
    ],
)
def test_tune_create_validation_answers_a_rails_field_map(api, fields, errors):
    response = api.create_tune(**fields)

    assert response.status_code == 422
    assert response.json() == errors
    assert api.state()["tunes"]["total"] == 0
    assert api.balance() == 100_000_000


def test_business_refusals_keep_the_error_key(api):
    unknown_base = api.create_tune(base_tune_id=42)
    api.config(balance_mc=0)
    broke = api.create_tune(branch="sd15")

    assert (unknown_base.status_code, unknown_base.json()) == (
        422,
        {"error": "Base tune not found"},
    )
    assert (broke.status_code, broke.json()) == (402, {"error": "Insufficient account balance"})


def test_a_patch_with_a_blank_title_answers_a_field_map(api):
    tune = api.new_tune()

    response = api.patch(f"/tunes/{tune['id']}", json={"tune": {"title": " "}})

    assert (response.status_code, response.json()) == (422, {"title": ["can't be blank"]})


def test_a_faceid_tune_needs_only_one_image(api):
    response = api.create_tune(model_type="faceid", image_urls=IMAGE_URLS[:1])

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"text": ""}, {"text": ["can't be blank"]}),
        ({"text": None}, {"text": ["can't be blank"]}),
        ({"num_images": 0}, {"num_images": ["must be greater than or equal to 1"]}),
        ({"num_images": 9}, {"num_images": ["must be less than or equal to 8"]}),
        ({"num_images": "lots"}, {"num_images": ["is not a number"]}),
        ({"cfg_scale": 20}, {"cfg_scale": ["must be less than or equal to 15"]}),
        ({"steps": 51}, {"steps": ["must be less than or equal to 50"]}),
        ({"aspect_ratio": "7:5"}, {"aspect_ratio": ["is not included in the list"]}),
        ({"super_resolution": "maybe"}, {"super_resolution": ["must be true or false"]}),
        (
            {"text": "", "num_images": 9},
            {"text": ["can't be blank"], "num_images": ["must be less than or equal to 8"]},
        ),
    ],
)
def test_prompt_create_validation_answers_a_rails_field_map(api, fields, errors):
    tune = api.new_tune()

    response = api.create_prompt(tune["id"], **fields)

    assert response.status_code == 422
    assert response.json() == errors


def test_num_images_at_the_edges_is_accepted(api):
    tune = api.new_tune()

    assert api.create_prompt(tune["id"], num_images=1, seed=1).status_code == 201
    assert api.create_prompt(tune["id"], num_images="8", seed=2).status_code == 201


def test_a_prompt_on_an_unknown_tune_is_404(api):
    response = api.create_prompt(999_999_999)

    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_a_prompt_naming_an_unknown_lora_is_422(api):
    response = api.create_prompt(1504944, text="<lora:999999:1> a man")

    assert response.status_code == 422
    assert "999999" in response.json()["error"]


def test_a_prompt_on_a_bare_gallery_model_is_422(api):
    response = api.create_prompt(1504944, text="a man in a suit")

    assert response.status_code == 422
    assert response.json() == {"error": "Prompt is not using a fine-tuned model"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/tunes/999"),
        ("PATCH", "/tunes/999"),
        ("DELETE", "/tunes/999"),
        ("GET", "/tunes/999/prompts"),
        ("GET", "/prompts/999"),
        ("DELETE", "/prompts/999"),
        ("GET", "/tunes/1504944/prompts/999"),
        ("DELETE", "/tunes/1504944/prompts/999"),
        ("GET", "/no/such/route"),
        ("POST", "/users"),
    ],
)
def test_unknown_ids_and_routes_are_404(api, method, path):
    response = api.request(method, path)

    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_a_prompt_is_404_under_another_tune(api):
    tune = api.new_tune()
    other = api.new_tune()
    prompt = api.new_prompt(tune["id"])

    assert api.get(f"/tunes/{other['id']}/prompts/{prompt['id']}").status_code == 404
    assert api.get(f"/tunes/{tune['id']}/prompts/{prompt['id']}").status_code == 200


def test_an_undecodable_body_is_400(api):
    response = api.post("/tunes", data=b"{broken", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert "error" in response.json()


def test_a_body_over_the_size_cap_is_413(api, monkeypatch):
    from astria_emulator import server

    monkeypatch.setattr(server, "MAX_BODY_BYTES", 1000)

    response = api.post("/tunes", data=b"x" * 2000)

    assert response.status_code == 413
    assert response.json() == {"error": "Request body too large"}
