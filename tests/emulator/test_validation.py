"""422 validation errors, 404 for unknown ids, 400 for undecodable bodies (§13, §15)."""

import pytest

from .conftest import IMAGE_URLS


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title can't be blank"),
        ({"title": None}, "Title can't be blank"),
        ({"name": "  "}, "Name can't be blank"),
        ({"image_urls": []}, "Images can't be blank"),
        ({"image_urls": IMAGE_URLS[:3]}, "At least 4 images are required"),
        ({"image_urls": IMAGE_URLS[:1], "model_type": "lora"}, "At least 4 images are required"),
        ({"branch": "sd99"}, "Branch is not included in the list"),
        ({"model_type": "dreambooth"}, "Model type is not included in the list"),
        ({"base_tune_id": 42}, "Base tune not found"),
        ({"steps": "many"}, "Steps is not a number"),
        ({"characteristics": "{not json"}, "Characteristics is not valid JSON"),
        ({"prompts_attributes": [{"text": ""}]}, "Text can't be blank"),
        ({"prompts_attributes": [{"text": "x", "num_images": 9}]}, "between 1 and 8"),
    ],
)
def test_tune_create_validation(api, fields, message):
    response = api.create_tune(**fields)

    assert response.status_code == 422
    assert message in response.json()["error"]
    assert list(response.json()) == ["error"]
    assert api.state()["tunes"]["total"] == 0
    assert api.balance() == 100_000_000


def test_a_faceid_tune_needs_only_one_image(api):
    response = api.create_tune(model_type="faceid", image_urls=IMAGE_URLS[:1])

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Text can't be blank"),
        ({"text": None}, "Text can't be blank"),
        ({"num_images": 0}, "Num images must be between 1 and 8"),
        ({"num_images": 9}, "Num images must be between 1 and 8"),
        ({"num_images": "lots"}, "Num images is not a number"),
        ({"cfg_scale": 20}, "Cfg scale must be between 0 and 15"),
        ({"steps": 51}, "Steps must be between 0 and 50"),
        ({"aspect_ratio": "7:5"}, "Aspect ratio is not included in the list"),
        ({"super_resolution": "maybe"}, "Super resolution must be true or false"),
    ],
)
def test_prompt_create_validation(api, fields, message):
    tune = api.new_tune()

    response = api.create_prompt(tune["id"], **fields)

    assert response.status_code == 422
    assert response.json() == {"error": message}


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
