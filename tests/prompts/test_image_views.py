"""One image: its page, its file and its thumbnail, served privately."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.prompts.conftest import add_image

pytestmark = pytest.mark.django_db


def test_the_image_page_shows_the_full_image_and_what_made_it(owner_client, make_prompt):
    prompt = make_prompt(images=3, text="a woman in a red coat", seed=99)
    image = prompt.images.get(position=1)
    response = owner_client.get(image.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert f'src="{image.file_link()}"' in content
    assert "a woman in a red coat" in content
    assert "96 × 120 px · PNG" in content
    assert "seed 99" in content
    assert f'href="{image.file_link()}?download=1">Download' in content
    assert f"/tunes/{prompt.tune.code}/#prompt-{prompt.code}" in content


def test_previous_and_next_walk_the_tunes_images_in_gallery_order(owner_client, make_prompt):
    older = make_prompt(images=2, created_at=timezone.now() - timedelta(hours=1))
    newer = make_prompt(images=2)
    order = [*newer.images.all(), *older.images.all()]
    for index, image in enumerate(order):
        response = owner_client.get(image.get_absolute_url())
        previous, following = response.context["previous"], response.context["next"]
        assert previous == (order[index - 1].code if index else None)
        assert following == (order[index + 1].code if index + 1 < len(order) else None)
        assert f"Image {index + 1} of 4 from this fine-tune" in response.content.decode()
    content = owner_client.get(order[1].get_absolute_url()).content.decode()
    assert f'href="/prompts/images/{order[0].code}/" rel="prev"' in content
    assert f'href="/prompts/images/{order[2].code}/" rel="next"' in content


def test_the_file_is_served_inline_with_its_type_and_private_headers(
    media, owner_client, make_prompt
):
    prompt = make_prompt(images=2, text="A Woman in Paris!")
    image = prompt.images.get(position=1)
    served = media.get(owner_client, f"/prompts/images/{image.code}/file")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "private, no-store"
    assert served.portal["Cache-Control"] == "private, no-store"
    assert served.portal["X-Content-Type-Options"] == "nosniff"
    day = timezone.localdate(prompt.created_at).isoformat()
    name = f"{day}-a-woman-in-paris-{prompt.code.hex[:8]}-02.png"
    assert served["Content-Disposition"] == f'inline; filename="{name}"'
    with image.file.open("rb") as stored:
        assert served.content == stored.read()


def test_download_1_makes_it_an_attachment(media, owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    served = media.get(owner_client, f"/prompts/images/{image.code}/file?download=1")
    assert served["Content-Disposition"].startswith('attachment; filename="')
    assert served["Content-Disposition"].endswith('-01.png"')
    assert served["Content-Type"] == "image/png"


def test_the_thumbnail_is_a_small_jpeg(media, owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    served = media.get(owner_client, f"/prompts/images/{image.code}/thumbnail")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"
    assert served.portal["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith('inline; filename="')
    assert served.content[:2] == b"\xff\xd8"
    with image.thumbnail.open("rb") as stored:
        assert served.content == stored.read()


def test_an_image_not_downloaded_yet_is_404_everywhere(owner_client, make_prompt):
    prompt = make_prompt(images=0)
    image = add_image(prompt, 0, ready=False)
    for url in (
        image.get_absolute_url(),
        f"{image.get_absolute_url()}file",
        f"{image.get_absolute_url()}thumbnail",
    ):
        assert owner_client.get(url).status_code == 404, url


def test_images_of_a_prompt_being_deleted_are_404(owner_client, make_prompt):
    prompt = make_prompt(images=1)
    image = prompt.images.get()
    prompt.mark_deleting()
    assert owner_client.get(image.get_absolute_url()).status_code == 404
    assert owner_client.get(f"/prompts/images/{image.code}/file").status_code == 404


def test_a_file_missing_from_storage_is_404_not_an_error(media, owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    image.file.storage.delete(image.file.name)
    # For a bucket the portal signs a link without asking first, and the bucket refuses
    # it: 404, or 403 where the key may not list the bucket (as S3 does, and moto here).
    status = media.get(owner_client, f"/prompts/images/{image.code}/file").status_code
    assert status == 404 if media.kind == "disk" else status in (403, 404)


def test_another_user_is_never_sent_to_the_bucket(media, client, outsider, make_prompt):
    image = make_prompt(images=1).images.get()
    client.force_login(outsider)
    for url in (f"/prompts/images/{image.code}/file", f"/prompts/images/{image.code}/thumbnail"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Location" not in response
