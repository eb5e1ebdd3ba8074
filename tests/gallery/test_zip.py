"""ZIPs of a chosen set: the favourites, or the images ticked in the gallery."""

import io
import zipfile

import pytest

from gallery import forms
from prompts import zips

pytestmark = pytest.mark.django_db


def members(response):
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_favourites_zip_holds_the_favourites_only(owner_client, make_prompt):
    prompt = make_prompt(images=3)
    first, second, third = prompt.images.order_by("position")
    first.mark_favourite(True)
    third.mark_favourite(True)
    response = owner_client.get("/images/favourites.zip")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="favourites-')
    found = members(response)
    assert list(found) == [zips.member_name(first), zips.member_name(third)]
    with first.file.open("rb") as f:
        assert found[zips.member_name(first)] == f.read()


def test_without_favourites_the_zip_link_explains_and_goes_back(owner_client, make_prompt):
    make_prompt(images=1)
    response = owner_client.get("/images/favourites.zip", follow=True)
    assert response.redirect_chain == [("/images/", 302)]
    assert "You have no favourites yet" in response.content.decode()


def test_the_selection_zip_holds_the_ticked_images(owner_client, make_prompt):
    a = make_prompt(images=2)
    b = make_prompt(images=2)
    chosen = [a.images.get(position=1), b.images.get(position=0)]
    response = owner_client.post(
        "/images/selection.zip", {"image": [str(image.code) for image in chosen]}
    )
    assert response.status_code == 200
    # In the gallery's order: the newer prompt's first.
    assert list(members(response)) == [zips.member_name(chosen[1]), zips.member_name(chosen[0])]


def test_another_users_images_are_left_out_of_a_selection(
    client, outsider, owner, make_tune, make_prompt
):
    mine = make_prompt(images=1).images.get()
    theirs = make_prompt(tune=make_tune(user=outsider, photos=0), images=1).images.get()
    client.force_login(outsider)
    data = {"image": [str(mine.code), str(theirs.code)]}
    assert list(members(client.post("/images/selection.zip", data))) == [zips.member_name(theirs)]
    only_mine = client.post("/images/selection.zip", {"image": [str(mine.code)]}, follow=True)
    assert "None of the chosen images can be downloaded any more." in only_mine.content.decode()


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ([], "Tick the images to download first."),
        (["nope"], "One of the chosen images does not exist."),
    ],
)
def test_a_bad_selection_gets_a_clear_message(owner_client, images, message):
    response = owner_client.post("/images/selection.zip", {"image": images}, follow=True)
    assert response.redirect_chain == [("/images/", 302)]
    assert message in response.content.decode()


def test_a_selection_too_large_is_refused(owner_client, monkeypatch, make_prompt):
    monkeypatch.setattr(forms, "MAX_SELECTION", 2)
    codes = [str(image.code) for image in make_prompt(images=3).images.all()]
    response = owner_client.post("/images/selection.zip", {"image": codes}, follow=True)
    assert "Choose at most 2 images for one ZIP file; you chose 3." in response.content.decode()


def test_the_gallery_offers_both_downloads(owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    content = owner_client.get("/images/").content.decode()
    assert 'action="/images/selection.zip" id="selection"' in content
    assert f'name="image" value="{image.code}" form="selection"' in content
    assert "/images/favourites.zip" not in content
    image.mark_favourite(True)
    assert 'href="/images/favourites.zip"' in owner_client.get("/images/").content.decode()
