"""Long prompt texts: refused with a message, never cut by the page."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_over_long_text_is_refused_with_its_length_and_kept(owner_client, trained_tune):
    text = "a portrait of a woman in a garden " * 50  # 1,700 characters
    page = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert 'maxlength="1500"' not in page  # the browser would cut pasted text silently
    assert 'data-max="1500"' in page
    response = owner_client.post(
        f"/prompts/for/{trained_tune.code}/new/",
        {"text": text, "num_images": 4, "aspect_ratio": "1:1"},
    )
    content = response.content.decode()
    assert (
        f"This description has {len(text.strip())} characters, and a prompt can have 1500"
        in content
    )
    assert text.strip() in content
    assert not trained_tune.prompts.exists()
