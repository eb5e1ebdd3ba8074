"""The pages' signed image links (/files/...): whoever holds one may open it until it
expires, and never after; a tampered link, a deleted file or a closed tune is a 404."""

import re
import time

import pytest
import time_machine
from django.test import Client

from prompts.models import GeneratedImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(make_prompt):
    return make_prompt(images=2, text="A Woman in Paris!").images.get(position=1)


def links_on_the_page(client, tune):
    content = client.get(tune.get_absolute_url()).content.decode()
    return re.findall(r'(?:src|data-full)="(/files/[^"]+)"', content)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_link_copied_from_the_page_opens_without_a_session(
    owner_client, image, django_assert_max_num_queries
):
    links = links_on_the_page(owner_client, image.prompt.tune)
    assert image.thumbnail_link() in links
    assert image.file_link() in links
    stranger = Client()  # another browser: no cookie at all
    with django_assert_max_num_queries(1):
        served = stranger.get(image.thumbnail_link())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    with image.thumbnail.open("rb") as stored:
        assert body(served) == stored.read()
    assert "Cookie" not in served.get("Vary", "")
    assert not served.cookies
    full = stranger.get(image.file_link())
    assert full["Content-Type"] == "image/png"
    assert full["Content-Disposition"].startswith('inline; filename="')
    name = f'-a-woman-in-paris-{image.prompt.code.hex[:8]}-02.png"'
    assert full["Content-Disposition"].endswith(name)
    assert full["X-Content-Type-Options"] == "nosniff"
    assert full["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_browser_may_keep_it_for_the_links_life_and_no_longer(owner_client, image, settings):
    served = Client().get(image.thumbnail_link())
    control = served["Cache-Control"]
    assert control.startswith("private, max-age=")
    assert control.endswith(", immutable")
    age = int(control.split("max-age=")[1].split(",")[0])
    assert settings.IMAGE_URL_MAX_AGE / 2 <= age <= settings.IMAGE_URL_MAX_AGE
    assert served["ETag"] == '"' + image.thumbnail.name.rsplit("/", 1)[1] + '"'
    assert served["Last-Modified"].endswith(" GMT")
    link = image.thumbnail_link()
    expires = int(link.split("/")[4])
    with time_machine.travel(expires - 30, tick=False):
        late = Client().get(link)
    assert late.status_code == 200
    assert late["Cache-Control"] == "private, max-age=30, immutable"


def test_links_of_one_page_and_the_next_are_the_same(image, settings):
    """So the second visit finds every image in the browser's cache."""
    settings.IMAGE_URL_MAX_AGE = 3600
    start = (int(time.time()) // 1800 + 1) * 1800
    with time_machine.travel(start + 1, tick=False):
        first = image.thumbnail_link()
    with time_machine.travel(start + 1799, tick=False):
        assert image.thumbnail_link() == first
    with time_machine.travel(start + 1800, tick=False):
        assert image.thumbnail_link() != first


def test_if_none_match_and_if_modified_since_get_304(image):
    link = image.thumbnail_link()
    first = Client().get(link)
    again = Client().get(link, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert body(again) == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    since = Client().get(link, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    other = Client().get(link, HTTP_IF_NONE_MATCH='"something-else.jpg"')
    assert other.status_code == 200


def test_a_copied_link_stops_working_when_it_expires(owner_client, outsider, image, settings):
    link = image.thumbnail_link()
    expires = int(link.split("/")[4])
    assert expires - time.time() <= settings.IMAGE_URL_MAX_AGE
    other = Client()
    other.force_login(outsider)
    assert other.get(link).status_code == 200  # copied: works for anyone, for a while
    with time_machine.travel(expires, tick=False):
        assert other.get(link).status_code == 404
        assert owner_client.get(link).status_code == 404  # for its owner too: the page has new ones
        assert owner_client.get(image.thumbnail_link()).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda parts, other: {**parts, 4: str(int(parts[4]) + 3600)},  # a later expiry
        lambda parts, other: {**parts, 3: str(other.pk)},  # another user's image
        lambda parts, other: {**parts, 6: other.thumbnail.name.rsplit("/", 1)[1]},
        lambda parts, other: {**parts, 2: "i"},  # the full image with the thumbnail's proof
        lambda parts, other: {**parts, 5: "0" * 32},
        lambda parts, other: {**parts, 5: parts[5][:-1] + ("0" if parts[5][-1] != "0" else "1")},
        lambda parts, other: {**parts, 2: "z"},
        lambda parts, other: {**parts, 6: "../../settings.py"},
    ],
)
def test_a_tampered_link_is_404(image, make_prompt, make_tune, outsider, tamper):
    theirs = make_prompt(tune=make_tune(user=outsider, status="trained"), images=1).images.get()
    link = image.thumbnail_link()
    parts = dict(enumerate(link.split("/")))
    changed = "/".join(tamper(parts, theirs)[n] for n in range(len(parts)))
    assert changed != link
    assert Client().get(changed).status_code == 404
    assert Client().get(link).status_code == 200


def test_a_link_signed_with_another_key_is_404_and_an_old_key_still_works(image, settings):
    link = image.thumbnail_link()
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    assert Client().get(link).status_code == 404
    settings.SECRET_KEY_FALLBACKS = [old]  # rotated: links already out keep working
    assert Client().get(link).status_code == 200


def test_only_get_and_head(image):
    assert Client().post(image.thumbnail_link()).status_code == 405
    assert Client().head(image.thumbnail_link()).status_code == 200


def test_a_deleted_image_and_a_prompt_being_deleted_are_404_at_once(make_prompt):
    prompt = make_prompt(images=2)
    first, second = prompt.images.all()
    links = [first.thumbnail_link(), first.file_link(), second.thumbnail_link()]
    for link in links:
        assert Client().get(link).status_code == 200
    first.delete_files()
    first.delete()
    assert Client().get(links[0]).status_code == 404
    assert Client().get(links[1]).status_code == 404
    prompt.mark_deleting()  # its files go later, in a task: not served meanwhile
    assert second.thumbnail.storage.exists(second.thumbnail.name)
    assert Client().get(links[2]).status_code == 404


def test_a_purged_file_is_404_even_when_the_row_stays(image):
    link = image.file_link()
    GeneratedImage.objects.filter(pk=image.pk).update(file="")
    assert Client().get(link).status_code == 404
    thumbnail = image.thumbnail_link()
    image.thumbnail.storage.delete(image.thumbnail.name)
    assert Client().get(thumbnail).status_code == 404


def test_a_deleted_tunes_images_and_a_closing_tunes_photos_are_404(image):
    tune = image.prompt.tune
    photo = tune.photos.first()
    assert Client().get(photo.link()).status_code == 200
    tune.status = "deleting"
    tune.save()
    assert Client().get(photo.link()).status_code == 404
    tune.status = "deleted"
    tune.save()
    assert Client().get(image.thumbnail_link()).status_code == 404


def test_download_1_makes_it_an_attachment(image):
    served = Client().get(image.file_link() + "?download=1")
    assert served["Content-Disposition"].startswith('attachment; filename="')
    assert served["Content-Disposition"].endswith('-02.png"')


def test_in_a_bucket_the_link_leads_to_a_pre_signed_one(media, image):
    if media.kind == "disk":
        pytest.skip("the disk is served above")
    answer = Client().get(image.thumbnail_link())
    assert answer.status_code == 302
    assert answer["Cache-Control"].startswith("private, max-age=")
    served = media.get(Client(), image.thumbnail_link())
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"].startswith("private, max-age=")
    assert served.headers["Cache-Control"].endswith(", immutable")
    with image.thumbnail.open("rb") as stored:
        assert served.content == stored.read()
    image.prompt.mark_deleting()
    assert Client().get(image.thumbnail_link()).status_code == 404


def test_the_photo_on_the_page_is_its_signed_link(owner_client, make_tune):
    tune = make_tune(photos=2, status="trained")
    content = owner_client.get(tune.get_absolute_url()).content.decode()
    for photo in tune.photos.all():
        assert f'src="{photo.link()}"' in content
        served = Client().get(photo.link())
        assert served.status_code == 200
        assert served["Content-Disposition"] == f'inline; filename="photo-{photo.position + 1}.jpg"'


def test_the_tune_lists_covers_are_signed_links_too(owner_client, trained_tune, make_prompt):
    photo = trained_tune.photos.get()
    listed = owner_client.get("/tunes/").content.decode()
    assert f'src="{photo.link()}"' in listed  # no image yet: the first photo
    newest = make_prompt(images=2).images.get(position=0)
    listed = owner_client.get("/tunes/").content.decode()
    assert f'src="{newest.thumbnail_link()}"' in listed
    assert photo.get_absolute_url() not in listed and "/thumbnail" not in listed


def test_the_image_page_and_the_delete_page_show_signed_links(owner_client, image):
    page = owner_client.get(image.get_absolute_url()).content.decode()
    full = image.file_link()
    assert f'src="{full}"' in page
    assert f'href="{full}?download=1"' in page and f'href="{full}"' in page
    assert f"/images/{image.code}/file" not in page
    downloaded = Client().get(f"{full}?download=1")
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"].startswith("attachment")
    doomed = owner_client.get(f"/prompts/{image.prompt.code}/delete/").content.decode()
    assert f'src="{image.thumbnail_link()}"' in doomed
    assert "/thumbnail" not in doomed
