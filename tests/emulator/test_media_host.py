"""Files come from a media host of their own, as Astria's come from mp.astria.ai, not its API."""

import re
from urllib.parse import urlsplit

import pytest
import requests

from astria_emulator import Emulator

from .conftest import PHOTOS, Api, free_port

KEY_URL = r"/[a-z0-9]{28}"


def tune_with_files(api):
    files = [("tune[images][]", photo) for photo in PHOTOS]
    fields = {"tune[title]": "t", "tune[name]": "man", "tune[branch]": "fast"}
    tune = api.post("/tunes", data=fields, files=files).json()
    prompt = api.done_prompt(api.new_prompt(tune["id"], num_images=2)["id"])
    return api.tune(tune["id"]), prompt


def test_the_media_host_is_another_origin_than_the_api(api):
    api_origin, media_origin = urlsplit(api.base_url), urlsplit(api.media_url)

    assert api_origin.hostname == media_origin.hostname == "127.0.0.1"
    assert api_origin.port != media_origin.port


def test_every_file_url_points_at_the_media_host(api):
    tune, prompt = tune_with_files(api)

    urls = [*tune["orig_images"], *prompt["images"], *(f["url"] for f in tune["file_names"])]
    assert len(urls) == 4 + 2 + 4
    for url in urls:
        assert re.fullmatch(re.escape(api.media_url) + KEY_URL, url), url
    assert tune["ckpt_url"] == f"{api.media_url}/mock"
    assert tune["ckpt_urls"] == [f"{api.media_url}/mock"]
    # The API's own links stay on the API host.
    assert tune["url"].startswith(f"{api.base_url}/") and prompt["url"].startswith(api.base_url)


def test_the_api_port_answers_404_for_files_and_the_media_port_serves_them(api):
    tune, prompt = tune_with_files(api)
    image = prompt["images"][0]
    path = urlsplit(image).path

    for url in (f"{api.base_url}{path}", f"{api.base_url}/files{path}", f"{api.base_url}/mock"):
        assert requests.get(url, timeout=5).status_code == 404, url
    served = requests.get(image, timeout=5)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert requests.get(f"{api.media_url}{path}", timeout=5).content == served.content
    photo = requests.get(tune["orig_images"][0], timeout=5)
    assert photo.content == PHOTOS[0][1]


def test_the_media_host_needs_no_key_and_serves_nothing_else(api):
    _, prompt = tune_with_files(api)
    headers = {"Authorization": f"Bearer {api.emulator.api_key}"}

    assert requests.get(prompt["images"][0], timeout=5).status_code == 200
    for path in ("/tunes", "/users", "/_emulator/state", "/_emulator", "/nothing"):
        assert requests.get(f"{api.media_url}{path}", headers=headers, timeout=5).status_code == 404
    response = requests.delete(prompt["images"][0], headers=headers, timeout=5)
    assert response.status_code == 404
    assert requests.get(prompt["images"][0], timeout=5).status_code == 200


def test_deleted_files_are_gone_from_the_media_host(api):
    tune, prompt = tune_with_files(api)

    api.delete(f"/tunes/{tune['id']}")

    for url in tune["orig_images"] + prompt["images"]:
        assert requests.get(url, timeout=5).status_code == 404


@pytest.mark.parametrize("public", ["https://mp.example.test", "https://mp.example.test/"])
def test_a_public_media_url_goes_into_the_objects(public):
    with Emulator(api_key="k", train_seconds=0, prompt_seconds=0, public_media_url=public) as emu:
        api = Api(emu)
        api.headers = {"Authorization": "Bearer k"}
        tune, prompt = tune_with_files(api)

        assert prompt["images"][0].startswith("https://mp.example.test/")
        assert tune["ckpt_url"] == "https://mp.example.test/mock"
        assert tune["url"].startswith(emu.base_url)
        # The file still answers on the address the media host is bound to.
        path = urlsplit(prompt["images"][0]).path
        assert requests.get(f"{emu.media_url}{path}", timeout=5).status_code == 200


def test_a_media_port_can_be_chosen():
    port = free_port()
    with Emulator(api_key="k", media_port=port) as emulator:
        assert emulator.media_url == f"http://127.0.0.1:{port}"
        assert requests.get(f"{emulator.media_url}/mock", timeout=5).status_code == 200
