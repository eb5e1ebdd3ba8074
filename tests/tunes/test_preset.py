"""The Flux training preset: chosen from the form's list, sent as tune[preset] for Flux only."""

import pytest

from tests.helpers import drain_queue, photo_uploads
from tests.tunes.test_create import form_data
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_documented_presets_portrait_first(owner_client):
    content = owner_client.get("/tunes/new/").content.decode()
    for value in ("flux-lora-portrait", "flux-lora-focus", "flux-lora-fast"):
        assert f'value="{value}"' in content
    assert '<option value="flux-lora-portrait" selected>' in content


@pytest.mark.parametrize(("chosen", "stored"), [("flux-lora-focus", "flux-lora-focus"), ("", "")])
def test_a_flux_tune_keeps_the_chosen_preset(owner_client, chosen, stored):
    data = form_data(photo_uploads(4), model_kind="flux-lora", preset=chosen)
    assert owner_client.post("/tunes/new/", data).status_code == 302
    assert Tune.objects.get().preset == stored


def test_other_models_have_no_preset(owner_client):
    data = form_data(photo_uploads(4), model_kind="sd15", preset="flux-lora-portrait")
    owner_client.post("/tunes/new/", data)
    assert Tune.objects.get().preset == ""


def test_a_preset_not_in_the_list_is_refused_and_nothing_is_created(owner_client):
    data = form_data(photo_uploads(4), model_kind="flux-lora", preset="flux-lora-ultra")
    response = owner_client.post("/tunes/new/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Tune.objects.exists()


def test_the_preset_reaches_astria_and_a_retry_keeps_it(emulator, make_tune):
    tune = make_tune(model_kind="flux-lora", test_mode=False, preset="flux-lora-portrait")
    plain = make_tune(name="Default", model_kind="flux-lora", test_mode=False)
    tune.submit()
    plain.submit()
    drain_queue()
    presets = {remote["title"]: remote["preset"] for remote in emulator.remote_tunes()}
    assert presets == {str(tune.title): "flux-lora-portrait", str(plain.title): None}
    assert tune.copy().preset == "flux-lora-portrait"


def test_a_preset_left_on_another_model_is_never_sent(make_tune):
    tune = make_tune(model_kind="sd15", preset="flux-lora-portrait")
    assert "preset" not in tune.astria_fields()
