"""The trigger each model needs is put into the user's plain prompt."""

import pytest

from prompts.models import Prompt, astria_text
from tunes.models import Tune


def tune(model_kind="sd15", class_name="man", token="", remote_id=1661944):
    return Tune(model_kind=model_kind, class_name=class_name, token=token, remote_id=remote_id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a corporate headshot of a man in a suit", "a corporate headshot of sks man in a suit"),
        ("Portrait of an Man, smiling", "Portrait of sks man, smiling"),
        ("portrait of sks man at dusk", "portrait of sks man at dusk"),
        ("a castle on a hill", "sks man, a castle on a hill"),
        ("a  woman  and\na manly dog", "sks man, a woman and a manly dog"),
    ],
)
def test_a_checkpoint_prompt_names_its_token_and_class(text, expected):
    assert astria_text(tune(), text) == expected


def test_a_custom_token_is_used():
    assert astria_text(tune(token="zwx"), "photo of a man") == "photo of zwx man"


def test_a_flux_lora_prompt_carries_its_tag_and_token():
    text = astria_text(tune("flux-lora"), "a man on a beach")
    assert text == "<lora:1661944:1> a man on a beach".replace("a man", "ohwx man")


def test_a_faceid_prompt_carries_only_its_tag():
    assert astria_text(tune("faceid"), "a man in a leather jacket") == (
        "<faceid:1661944:1> a man in a leather jacket"
    )


def test_the_options_sent_leave_out_what_is_unset_and_inpainting_needs_super_resolution():
    prompt = Prompt(text="x", sent_text="sks man", super_resolution=False, inpaint_faces=True)
    fields = prompt.astria_fields()
    assert fields == {
        "text": "sks man",
        "num_images": 4,
        "aspect_ratio": "1:1",
        "super_resolution": False,
        "face_correct": False,
        "inpaint_faces": False,
    }
