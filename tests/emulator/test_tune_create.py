"""POST /tunes in every encoding Astria accepts, and the tune object it answers (§3.1, §4)."""

import json
import os
import re
from io import BytesIO

import requests
from PIL import Image

from .conftest import IMAGE_URLS, PHOTOS

TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
TUNE_FIELDS = {
    "id",
    "title",
    "name",
    "is_api",
    "token",
    "eta",
    "callback",
    "trained_at",
    "started_training_at",
    "expires_at",
    "created_at",
    "updated_at",
    "model_type",
    "base_tune_id",
    "branch",
    "args",
    "steps",
    "face_crop",
    "training_face_correct",
    "ckpt_url",
    "ckpt_urls",
    "url",
    "orig_images",
    "cost_mc",
    # Also in the real tune records (SimpleTuner-astria's fixture, avahi-org's README).
    "failed_at",
    "characteristics",
    "base_pack_id",
    "prompts_callback",
    "auto_extend",
    "checkpoint_deleted",
    "checkpoint_deleted_at",
    "file_names",
}


def multipart_tune(api, fields, photos=PHOTOS):
    files = [("tune[images][]", photo) for photo in photos]
    return api.post("/tunes", data=fields, files=files)


def prompts_of(api, tune_id):
    return sorted(api.get(f"/tunes/{tune_id}/prompts").json(), key=lambda p: p["id"])


def test_a_multipart_create_answers_201_with_the_tune_object(api):
    response = multipart_tune(
        api,
        {
            "tune[title]": "Jane - 1234",
            "tune[name]": "woman",
            "tune[branch]": "fast",
            "tune[callback]": "https://portal.test/hook?user_id=1&tune_id=7",
            "tune[face_crop]": "true",
            "tune[steps]": "500",
        },
    )

    assert response.status_code == 201
    tune = response.json()
    assert set(tune) >= TUNE_FIELDS
    assert tune["id"] >= 1_000_001
    assert (tune["title"], tune["name"], tune["branch"]) == ("Jane - 1234", "woman", "fast")
    assert tune["callback"] == "https://portal.test/hook?user_id=1&tune_id=7"
    assert tune["face_crop"] is True and tune["training_face_correct"] is False
    assert tune["steps"] == 500
    assert tune["is_api"] is True and tune["args"] is None
    assert "user_error" not in tune  # no real tune body has the key
    assert tune["failed_at"] is None and tune["base_pack_id"] is None
    assert tune["characteristics"] is None and tune["prompts_callback"] is None
    assert tune["checkpoint_deleted"] is False and tune["checkpoint_deleted_at"] is None
    assert tune["url"] == f"{api.base_url}/tunes/{tune['id']}.json"
    assert tune["trained_at"] is None and tune["expires_at"] is None
    assert tune["started_training_at"] is None
    assert tune["ckpt_url"] is None and tune["ckpt_urls"] == []
    for key in ("eta", "created_at", "updated_at"):
        assert TIMESTAMP.match(tune[key]), key
    assert len(tune["orig_images"]) == 4
    assert tune["file_names"] == [
        {"filename": name, "url": url}
        for (name, _, _), url in zip(PHOTOS, tune["orig_images"], strict=True)
    ]


def test_args_carries_the_preset_and_prompts_callback_is_echoed(api):
    tune = api.new_tune(
        branch="flux1",
        base_tune_id=1504944,
        model_type="lora",
        preset="flux-lora-portrait",
        prompts_callback="https://portal.test/all-done?t=1",
    )

    assert tune["args"] == "preset=flux-lora-portrait"
    assert tune["prompts_callback"] == "https://portal.test/all-done?t=1"
    assert api.tune(tune["id"])["args"] == "preset=flux-lora-portrait"


def test_file_names_of_image_urls_name_the_last_path_segment(api):
    tune = api.new_tune()

    names = [entry["filename"] for entry in tune["file_names"]]
    assert names == ["0.jpg", "1.jpg", "2.jpg", "3.jpg"]
    assert [entry["url"] for entry in tune["file_names"]] == IMAGE_URLS


def test_uploaded_images_are_served_back_byte_identical(api):
    jpeg_like = os.urandom(200_000) + b"\r\n\r\n"
    photos = [(f"p{n}.jpg", jpeg_like + bytes([n]), "image/jpeg") for n in range(4)]
    tune = multipart_tune(
        api, {"tune[title]": "t", "tune[name]": "man", "tune[branch]": "fast"}, photos
    ).json()

    for url, (_, data, _) in zip(tune["orig_images"], photos, strict=True):
        assert re.fullmatch(rf"{re.escape(api.media_url)}/[a-z0-9]{{28}}", url)
        served = requests.get(url, timeout=5)
        assert served.status_code == 200
        assert served.content == data
        assert served.headers["Content-Type"] == "image/jpeg"


def test_a_real_png_upload_is_served_as_png(api):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    photos = [(f"p{n}.bin", buffer.getvalue(), "application/octet-stream") for n in range(4)]
    tune = multipart_tune(api, {"tune[title]": "t", "tune[name]": "man"}, photos).json()

    served = requests.get(tune["orig_images"][0], timeout=5)
    assert served.headers["Content-Type"] == "image/png"


def test_unindexed_prompts_attributes_become_real_prompts(api):
    # Rails order: a key the last hash already holds ("text") starts the next hash.
    fields = [
        ("tune[title]", "t"),
        ("tune[name]", "man"),
        ("tune[branch]", "fast"),
        ("tune[prompts_attributes][][text]", "first"),
        ("tune[prompts_attributes][][num_images]", "2"),
        ("tune[prompts_attributes][][super_resolution]", "true"),
        ("tune[prompts_attributes][][callback]", "https://portal.test/p?n=1"),
        ("tune[prompts_attributes][][text]", "second"),
        ("tune[prompts_attributes][][num_images]", "3"),
    ]
    response = multipart_tune(api, fields)

    assert response.status_code == 201
    first, second = prompts_of(api, response.json()["id"])
    assert (first["text"], first["num_images"], first["super_resolution"]) == ("first", 2, True)
    assert first["callback"] == "https://portal.test/p?n=1"
    assert (second["text"], second["num_images"], second["super_resolution"]) == (
        "second",
        3,
        False,
    )
    assert second["callback"] is None
    assert first["tune_id"] == second["tune_id"] == response.json()["id"]


def test_indexed_prompts_attributes_become_real_prompts(api):
    fields = [
        ("tune[title]", "t"),
        ("tune[name]", "man"),
        ("tune[branch]", "fast"),
        ("tune[prompts_attributes][0][text]", "zero"),
        ("tune[prompts_attributes][0][callback]", "https://portal.test/p?n=0"),
        ("tune[prompts_attributes][1][text]", "one"),
        ("tune[prompts_attributes][1][num_images]", "5"),
    ]
    response = multipart_tune(api, fields)

    assert response.status_code == 201
    zero, one = prompts_of(api, response.json()["id"])
    assert (zero["text"], zero["callback"]) == ("zero", "https://portal.test/p?n=0")
    assert (one["text"], one["num_images"]) == ("one", 5)


def test_characteristics_as_a_nested_hash(api):
    fields = {
        "tune[title]": "t",
        "tune[name]": "man",
        "tune[characteristics][eye_color]": "blue eyes",
        "tune[characteristics][age]": "30 yo",
    }
    tune = multipart_tune(api, fields).json()

    assert tune["characteristics"] == {"eye_color": "blue eyes", "age": "30 yo"}


def test_characteristics_as_a_json_string(api):
    fields = {
        "tune[title]": "t",
        "tune[name]": "man",
        "tune[characteristics]": json.dumps({"short_description": "tall"}),
    }
    tune = multipart_tune(api, fields).json()

    assert tune["characteristics"] == {"short_description": "tall"}


def test_a_json_body_with_a_root_key(api):
    response = api.post(
        "/tunes",
        json={
            "tune": {
                "title": "json",
                "name": "dog",
                "branch": "fast",
                "image_urls": IMAGE_URLS,
                "auto_extend": True,
                "characteristics": {"breed": "corgi"},
                "prompts_attributes": [{"text": "a corgi", "num_images": 1}],
            }
        },
    )

    assert response.status_code == 201
    tune = response.json()
    assert tune["name"] == "dog" and tune["auto_extend"] is True
    assert tune["characteristics"] == {"breed": "corgi"}
    # URLs are recorded, never fetched
    assert tune["orig_images"] == IMAGE_URLS
    assert [p["text"] for p in prompts_of(api, tune["id"])] == ["a corgi"]


def test_a_json_body_without_a_root_key_is_wrapped_like_rails(api):
    response = api.post("/tunes", json={"title": "bare", "name": "man", "image_urls": IMAGE_URLS})

    assert response.status_code == 201
    assert response.json()["title"] == "bare"


def test_a_urlencoded_body_with_image_urls(api):
    fields = [("tune[title]", "form"), ("tune[name]", "cat")]
    fields += [("tune[image_urls][]", url) for url in IMAGE_URLS]
    response = api.post("/tunes", data=fields)

    assert response.status_code == 201
    assert response.json()["orig_images"] == IMAGE_URLS


def test_branch_token_and_model_type_defaults(api):
    plain = api.new_tune(branch=None)
    flux = api.new_tune(branch=None, base_tune_id=1504944, model_type="lora")
    sdxl = api.new_tune(branch="sdxl1", model_type="lora")

    assert (plain["branch"], plain["token"], plain["base_tune_id"]) == ("sd15", "sks", None)
    assert (flux["branch"], flux["token"], flux["base_tune_id"]) == ("flux1", "ohwx", 1504944)
    assert flux["model_type"] == "lora"
    assert sdxl["model_type"] == "pti"  # SDXL1 forces pti


def test_characteristics_fill_placeholders_in_prompt_text(api):
    tune = api.new_tune(
        characteristics={"eye_color": "blue eyes"},
        prompts_attributes=[{"text": "ohwx man with {{eye_color}} and {{unknown}}"}],
    )
    lora = api.new_tune(base_tune_id=1504944, characteristics={"hair": "red hair"})

    (inline,) = api.get(f"/tunes/{tune['id']}/prompts").json()
    direct = api.new_prompt(tune["id"], text="a man with {{ eye_color }}")
    on_base = api.new_prompt(1504944, text=f"<lora:{lora['id']}:1> a man with {{{{hair}}}}")

    assert inline["text"] == "ohwx man with blue eyes and {{unknown}}"
    assert direct["text"] == "a man with blue eyes"
    assert on_base["text"] == f"<lora:{lora['id']}:1> a man with red hair"
