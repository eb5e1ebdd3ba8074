"""Pack endpoints as astria-docs docs/api/2-pack/ and headshots-starter show them."""

import io
import uuid

import requests
from PIL import Image

from tests.emulator.conftest import IMAGE_URLS, wait_for

LIST_KEYS = {"id", "base_tune_id", "user_id", "slug", "title", "token", "created_at",
             "updated_at", "multiplier", "model_type", "public_at", "cost_mc_hash"}  # fmt: skip
DETAIL_KEYS = {"id", "slug", "title", "cover_url", "created_at", "updated_at", "public_at",
               "unlisted_at", "costs", "logo", "prompts_per_class"}  # fmt: skip


def test_lists_own_and_gallery_packs_in_the_documented_shape(api):
    own = api.get("/packs").json()
    gallery = api.get("/gallery/packs.json").json()
    assert [p["slug"] for p in own] == ["studio-portraits"]
    assert [p["slug"] for p in gallery] == ["corporate-headshots", "dating-profile"]
    for pack in own + gallery:
        assert set(pack) >= LIST_KEYS
        assert pack["cover_url"].startswith(api.media_url)  # headshots-starter reads it
    assert api.get("/packs", params={"public": "true"}).json() == []


def test_a_pack_by_id_or_slug_with_costs_prompts_and_a_cover(api):
    by_id = api.get("/p/260").json()
    assert api.get("/p/corporate-headshots.json").json() == by_id
    assert set(by_id) >= DETAIL_KEYS
    assert by_id["costs"]["woman"]["num_images"] == 6
    assert len(by_id["prompts_per_class"]["man"]) == 3
    cover = requests.get(by_id["cover_url"], timeout=5)
    assert cover.status_code == 200
    assert Image.open(io.BytesIO(cover.content)).size == (384, 480)
    assert api.get("/p/404404").status_code == 404
    assert requests.get(api.base_url + "/p/260", timeout=5).status_code == 401


def _pack_tune(api, receiver, pack=260, **fields):
    tune = {
        "title": str(uuid.uuid4()),
        "name": "woman",
        "branch": "fast",
        "image_urls": IMAGE_URLS,
        "characteristics": {"eye_color": "green eyes"},
        "prompt_attributes": {"callback": receiver.url + "/prompt"},
        "prompts_callback": receiver.url + "/all",
        **fields,
    }
    return api.post(f"/p/{pack}/tunes", json={"tune": tune})


def test_a_tune_from_a_pack_makes_the_pack_prompts_when_it_trains(api, receiver):
    response = _pack_tune(api, receiver)
    assert response.status_code == 201
    tune = response.json()
    assert tune["base_pack_id"] == 260 and tune["model_type"] == "lora"
    api.trained_tune(tune["id"])
    prompts = wait_for(
        lambda: api.get(f"/tunes/{tune['id']}/prompts").json(),
        lambda found: len(found) == 3 and all(p["images"] for p in found),
    )
    assert {p["pack_id"] for p in prompts} == {260}
    assert all(p["callback"] == receiver.url + "/prompt" for p in prompts)
    # {{eye_color}} comes from the tune's characteristics.
    assert any("green eyes" in p["text"] for p in prompts)
    calls = receiver.wait(4)
    assert sorted(c["path"] for c in calls) == ["/all", "/prompt", "/prompt", "/prompt"]
    [everything] = [c for c in calls if c["path"] == "/all"]
    assert sorted(p["id"] for p in everything["body"]) == sorted(p["id"] for p in prompts)


def test_the_title_is_the_idempotency_key_for_pack_tunes_too(api, receiver):
    api.config(idempotency=True)
    title = str(uuid.uuid4())
    first = _pack_tune(api, receiver, title=title)
    again = _pack_tune(api, receiver, title=title)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_a_class_the_pack_lacks_and_a_missing_pack_are_refused(api, receiver):
    response = _pack_tune(api, receiver, name="cat")
    assert response.status_code == 422 and "name" in response.json()
    assert _pack_tune(api, receiver, pack=999).status_code == 404


def test_tune_ids_make_prompts_only_on_an_existing_tune(api, receiver):
    tune = api.new_tune(name="man")
    response = api.post(
        "/p/301/tunes",
        json={"tune": {"tune_ids": [tune["id"]], "prompt_attributes": {"callback": "x"}}},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == 201 and body["order"]["tune_ids"] == [tune["id"]]
    listed = api.get(f"/tunes/{tune['id']}/prompts").json()
    assert sorted(p["id"] for p in listed) == sorted(body["prompt_ids"])
    assert len(body["prompt_ids"]) == 2
