"""Likes: POST /prompts/:id/likes (and the docs' /like), 201 without a body."""

import pytest


@pytest.mark.parametrize("path", ["likes", "like"])
def test_a_like_answers_201_with_no_body_and_shows_on_the_prompt(api, path):
    tune = api.new_tune()
    prompt = api.new_prompt(tune["id"])

    response = api.post(f"/prompts/{prompt['id']}/{path}")

    assert response.status_code == 201
    assert response.content == b""
    liked = api.prompt(prompt["id"])
    assert (liked["liked"], liked["prompt_likes_count"]) == (True, 1)


def test_a_second_like_from_the_account_counts_once(api):
    prompt = api.new_prompt(api.new_tune()["id"])
    api.post(f"/prompts/{prompt['id']}/likes")
    assert api.post(f"/prompts/{prompt['id']}/likes").status_code == 201
    assert api.prompt(prompt["id"])["prompt_likes_count"] == 1


def test_liked_prompts_can_be_listed(api):
    tune = api.new_tune()
    liked = api.new_prompt(tune["id"])
    api.new_prompt(tune["id"], text="ohwx man on a beach")
    api.post(f"/prompts/{liked['id']}/likes")
    listed = api.get("/prompts", params={"liked": "true"}).json()
    assert [prompt["id"] for prompt in listed] == [liked["id"]]


def test_liking_a_missing_or_deleted_prompt_is_a_404(api):
    prompt = api.new_prompt(api.new_tune()["id"])
    api.delete(f"/prompts/{prompt['id']}")
    assert api.post(f"/prompts/{prompt['id']}/likes").status_code == 404
    assert api.post("/prompts/99999999/likes").status_code == 404


def test_a_like_needs_the_api_key(api):
    prompt = api.new_prompt(api.new_tune()["id"])
    response = api.post(f"/prompts/{prompt['id']}/likes", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert api.prompt(prompt["id"])["liked"] is False
