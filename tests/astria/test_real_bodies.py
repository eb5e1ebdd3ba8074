"""Bodies captured from the real Astria, replayed through the client, the callback
intake, the refresh tasks and the image download, as production would meet them.

Each file in fixtures/ names its source and says whether it is verbatim or reduced.
"""

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import responses
from PIL import Image

from astria_portal.astria import AstriaClient, PermanentError, parse_prompt
from astria_portal.callbacks import callback_url
from astria_portal.models import CallbackReceipt
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, queued_funcs
from tests.portal.test_settings import PRODUCTION, load_settings
from tunes.models import Tune

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://api.astria.ai"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def at(text):
    return datetime.fromisoformat(text).astimezone(UTC)


# fixture -> (local status after a refresh, trained_at, expires_at, host of its photos)
TUNES = {
    "tune_create_sd15.json": ("training", None, None, "sdbooth2-production.s3.amazonaws.com"),
    "tune_lora_trained_mp.json": (
        "trained",
        "2025-06-22T19:47:04.072Z",
        "2025-07-22T19:47:04.072Z",
        "mp.astria.ai",
    ),
    "tune_lora_retrained_after_failure.json": (
        "trained",
        "2024-12-06T09:36:00.000Z",
        "2025-01-05T09:36:00.000Z",
        "sdbooth2-production.s3.amazonaws.com",
    ),
    "tune_lora_failed.json": ("failed", None, None, "sdbooth2-production.s3.amazonaws.com"),
    "tune_retrieve_docs.json": (
        "trained",
        "2023-10-02T14:32:40.363Z",
        "2023-11-01T14:32:40.363Z",
        "sdbooth2-production.s3.amazonaws.com",
    ),
    "tune_faceid_docs.json": (
        "trained",
        "2023-10-02T14:32:40.363Z",
        "2023-11-01T14:32:40.363Z",
        "sdbooth2-production.s3.amazonaws.com",
    ),
}
# fixture -> (the user's tune it belongs to, local status after a refresh, images)
PROMPTS = {
    "prompt_create_sd15.json": (1372126, "queued", 0),
    "prompt_create_docs.json": (1, "queued", 0),
    "prompt_lora_done_record.json": (1858416, "done", 3),
}
CALLBACK_ONLY = {"prompt_lora_callback_mp.json": 2955915}
ERRORS = {"error_422_fields.json": "images must contain at least one image"}
# fixture -> the ids listed, newest first
LISTS = {"tune_list_docs.json": [1, 775459], "prompt_list_docs.json": [1]}


def test_every_fixture_names_its_source_and_is_replayed():
    names = {path.name for path in FIXTURES.glob("*.json")}
    assert names == set(TUNES) | set(PROMPTS) | set(CALLBACK_ONLY) | set(ERRORS) | set(LISTS)
    for name in names:
        data = fixture(name)
        assert data["_source"].split()[0].count("/") >= 1, name  # owner/repository path
        assert data["_copy"].startswith(("verbatim", "reduced:")), name


@pytest.fixture
def production(settings, monkeypatch):
    """The portal as deployed: Astria's real URL, a key, and the default media hosts."""
    monkeypatch.delenv("ASTRIA_MEDIA_HOSTS", raising=False)
    defaults = load_settings(monkeypatch, **PRODUCTION)
    settings.ASTRIA_API_URL = API
    settings.ASTRIA_API_KEY = "sd_replayKey1234"
    settings.ASTRIA_MEDIA_HOSTS = defaults["ASTRIA_MEDIA_HOSTS"]
    with responses.RequestsMock() as mocked:
        yield mocked


def client():
    return AstriaClient(API, "sd_replayKey1234")


@pytest.mark.parametrize("name", sorted(TUNES))
def test_a_real_tune_body_parses_through_the_client(production, name):
    body = fixture(name)["body"]
    production.get(f"{API}/tunes/{body['id']}", json=body)
    remote = client().get_tune(body["id"])
    status, trained_at, expires_at, host = TUNES[name]
    assert remote.id == body["id"]
    assert remote.is_trained is (status == "trained")
    assert remote.is_failed is (status == "failed")
    assert remote.trained_at == (trained_at and at(trained_at))
    assert remote.expires_at == (expires_at and at(expires_at))
    assert {urlsplit(url).hostname for url in remote.orig_images} == {host}


@pytest.mark.parametrize("name", sorted(TUNES))
def test_a_real_tune_body_reaches_its_state_through_callback_and_refresh(
    production, client, make_tune, name
):
    body = fixture(name)["body"]
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINING, remote_id=body["id"])
    production.get(f"{API}/tunes/{body['id']}", json=body)

    url = callback_url("tune", tune).removeprefix("http://127.0.0.1:8000")
    response = client.post(url, json.dumps({"tune": body}), content_type="application/json")
    assert response.status_code == 204
    assert CallbackReceipt.objects.get().remote_id == body["id"]
    assert queued_funcs() == ["tunes.tasks.refresh_tune"]
    drain_queue()

    tune.refresh_from_db()
    status, trained_at, expires_at, _ = TUNES[name]
    assert tune.status == status
    assert tune.trained_at == (trained_at and at(trained_at))
    if status == "failed":
        assert tune.last_error == "Astria marked it as failed without saying why."
    if body.get("eta"):
        assert tune.eta == at(body["eta"])


@pytest.mark.parametrize("name", sorted(PROMPTS))
def test_a_real_prompt_body_reaches_its_state_and_its_images_are_downloaded(
    production, client, make_tune, name
):
    body = fixture(name)["body"]
    user_tune, status, count = PROMPTS[name]
    tune = make_tune(status=Tune.Status.TRAINED, remote_id=user_tune, test_mode=False)
    prompt = Prompt.objects.create(
        tune=tune,
        text="x",
        status=Prompt.Status.QUEUED,
        remote_id=body["id"],
        remote_tune_id=body["tune_id"],
    )
    production.get(f"{API}/tunes/{body['tune_id']}/prompts/{body['id']}", json=body)
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 90, 40)).save(png, "PNG")
    for image_url in body.get("images", []):
        production.get(image_url, body=png.getvalue(), content_type="image/png")

    url = callback_url("prompt", prompt).removeprefix("http://127.0.0.1:8000")
    response = client.post(url, json.dumps({"prompt": body}), content_type="application/json")
    assert response.status_code == 204
    drain_queue()

    prompt.refresh_from_db()
    assert prompt.status == status
    images = GeneratedImage.objects.filter(prompt=prompt).order_by("position")
    assert [image.remote_url for image in images] == body.get("images", [])
    assert all(image.is_ready and image.width == 64 for image in images)
    assert len(images) == count
    if status == "done":
        assert prompt.finished_at == at(body["trained_at"])


def test_a_thin_real_callback_is_only_a_hint(production, client, make_tune):
    body = fixture("prompt_lora_callback_mp.json")["body"]
    parsed = parse_prompt(body)
    assert parsed.user_tune_id == CALLBACK_ONLY["prompt_lora_callback_mp.json"]
    assert not parsed.is_done  # no trained_at in the body: the API is asked
    tune = make_tune(status=Tune.Status.TRAINED, remote_id=2955915, test_mode=False)
    prompt = Prompt.objects.create(
        tune=tune, text="x", status=Prompt.Status.QUEUED, remote_id=27826412
    )
    url = callback_url("prompt", prompt).removeprefix("http://127.0.0.1:8000")
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 204
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.QUEUED
    assert not GeneratedImage.objects.exists()
    assert queued_funcs() == ["prompts.tasks.refresh_prompt"]


def test_a_real_field_map_422_is_final_and_says_what_is_wrong(production):
    data = fixture("error_422_fields.json")
    production.post(f"{API}/tunes", status=data["status"], json=data["body"])
    with pytest.raises(PermanentError) as refused:
        client().create_tune(title="t", name="man")
    assert refused.value.status == 422
    assert refused.value.message == ERRORS["error_422_fields.json"]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_real_list_is_read_to_its_end(production, name):
    data = fixture(name)
    path = data["endpoint"].split()[1]
    production.get(f"{API}{path}", json=data["body"])
    production.get(f"{API}{path}", json=[])  # the page after the last id: the end
    if path == "/tunes":
        found = list(client().iter_tunes(page_size=20))
        assert [tune.name for tune in found] == ["woman", None]
    else:
        found = list(client().iter_prompts(1, page_size=20))
        assert found[0].images == () and not found[0].is_done
    assert [item.id for item in found] == LISTS[name]
    assert "before_id" in production.calls[1].request.url
