"""The look options: style, colour grading, film grain and the shapes Astria lists."""

import pytest

from prompts.forms import PromptForm
from prompts.models import Prompt
from tests.helpers import drain_queue

pytestmark = pytest.mark.django_db


def create(client, tune, **fields):
    data = {"text": "a portrait of a woman", "num_images": 2, "aspect_ratio": "1:1"}
    data.update(fields)
    return client.post(f"/prompts/for/{tune.code}/new/", data)


def test_the_options_are_saved_and_shown_on_the_card(owner_client, trained_tune):
    response = create(
        owner_client,
        trained_tune,
        style="Cinematic",
        color_grading="Film Portra",
        film_grain="on",
        aspect_ratio="21:9",
    )
    assert response.status_code == 302
    prompt = Prompt.objects.get()
    assert (prompt.style, prompt.color_grading, prompt.film_grain) == (
        "Cinematic",
        "Film Portra",
        True,
    )
    assert prompt.aspect_ratio == "21:9"
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert "Very wide 21:9" in content
    assert "Cinematic style · Film Portra · film grain" in content


@pytest.mark.parametrize(
    "bad",
    [
        {"style": "Watercolour"},
        {"color_grading": "Kodachrome"},
        {"aspect_ratio": "7:3"},
    ],
)
def test_values_not_in_the_lists_are_refused_and_nothing_is_saved(owner_client, trained_tune, bad):
    response = create(owner_client, trained_tune, **bad)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Prompt.objects.exists()


def test_the_options_sit_under_more_options_on_the_tune_page(owner_client, trained_tune):
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert "<summary>More options</summary>" in content
    for name in ("style", "color_grading", "film_grain"):
        assert f'name="{name}"' in content
    assert '<option value="Film Velvia">' in content


def test_every_listed_value_is_one_astria_accepts():
    from astria_emulator import prompt_records

    form = PromptForm()
    assert {v for v, _ in form.fields["style"].choices if v} == prompt_records.STYLES
    grades = {v for v, _ in form.fields["color_grading"].choices if v}
    assert grades == prompt_records.COLOR_GRADINGS
    assert {v for v, _ in form.fields["aspect_ratio"].choices} == prompt_records.ASPECT_RATIOS


def test_unset_options_are_not_sent_so_older_prompts_go_out_unchanged(make_prompt):
    fields = make_prompt(images=0).astria_fields()
    assert not {"style", "color_grading", "film_grain"} & set(fields)


def test_the_options_reach_astria_and_generate_again_keeps_them(
    astria_tune, submit_prompt, emulator_media
):
    tune = astria_tune()
    prompt = submit_prompt(tune, style="Photographic", color_grading="Ektar", film_grain=True)
    drain_queue()
    prompt.refresh_from_db()
    [remote] = [p for p in emulator_media.remote_prompts() if p["id"] == prompt.remote_id]
    assert (remote["style"], remote["color_grading"], remote["film_grain"]) == (
        "Photographic",
        "Ektar",
        True,
    )
    again = prompt.copy()
    assert (again.style, again.color_grading, again.film_grain) == ("Photographic", "Ektar", True)
