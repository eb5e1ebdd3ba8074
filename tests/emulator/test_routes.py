"""Other routes: the .json suffix, PATCH /tunes/:id, GET /users, HEAD on files."""

import requests

from .conftest import IMAGE_URLS, PHOTOS


def test_the_json_suffix_is_accepted_everywhere(api):
    tune = api.post(
        "/tunes.json", json={"tune": {"title": "t", "name": "man", "image_urls": IMAGE_URLS}}
    ).json()
    prompt = api.post(
        f"/tunes/{tune['id']}/prompts.json", json={"prompt": {"text": "ohwx man"}}
    ).json()

    assert api.get("/tunes.json").json()[0]["id"] == tune["id"]
    assert api.get(f"/tunes/{tune['id']}.json").json()["id"] == tune["id"]
    assert api.get(f"/tunes/{tune['id']}/prompts.json").json()[0]["id"] == prompt["id"]
    assert api.get(f"/tunes/{tune['id']}/prompts/{prompt['id']}.json").status_code == 200
    assert api.get(f"/prompts/{prompt['id']}.json").json()["id"] == prompt["id"]
    assert api.get("/prompts.json").status_code == 200
    assert api.get("/users.json").status_code == 200
    assert api.delete(f"/prompts/{prompt['id']}.json").status_code == 200
    assert api.delete(f"/tunes/{tune['id']}.json").status_code == 200


def test_patch_updates_title_name_auto_extend_and_characteristics(api):
    tune = api.new_tune()

    response = api.patch(
        f"/tunes/{tune['id']}",
        data={
            "tune[title]": "renamed",
            "tune[name]": "woman",
            "tune[auto_extend]": "true",
            "tune[characteristics]": '{"eye_color": "green"}',
        },
    )

    assert response.status_code == 200
    updated = api.tune(tune["id"])
    assert (updated["title"], updated["name"], updated["auto_extend"]) == (
        "renamed",
        "woman",
        True,
    )
    assert updated["characteristics"] == {"eye_color": "green"}
    assert api.patch(f"/tunes/{tune['id']}", json={"tune": {"title": ""}}).status_code == 422
    assert api.patch("/tunes/1504944", json={"tune": {"title": "mine"}}).status_code == 404


def test_users_reports_the_account(api):
    user = api.get("/users").json()

    assert set(user) >= {
        "id",
        "name",
        "email",
        "usd_balance_mc",
        "auto_extend_tunes",
        "top_off_amount",
    }
    assert user["usd_balance_mc"] == 100_000_000


def test_files_answer_head_requests(api):
    files = [("tune[images][]", photo) for photo in PHOTOS]
    tune = api.post("/tunes", data={"tune[title]": "t", "tune[name]": "man"}, files=files).json()

    response = requests.head(tune["orig_images"][0], timeout=5)

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(PHOTOS[0][1]))
    assert response.content == b""
