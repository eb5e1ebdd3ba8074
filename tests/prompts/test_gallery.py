"""The gallery on the tune page and the live card each unsettled prompt polls."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prompts.models import Prompt
from tests.prompts.conftest import add_image

pytestmark = pytest.mark.django_db


def test_prompts_are_shown_newest_first_with_the_users_text(
    owner_client, trained_tune, make_prompt
):
    older = make_prompt(text="an older prompt", created_at=timezone.now() - timedelta(hours=1))
    newer = make_prompt(text="a newer prompt")
    Prompt.objects.filter(pk=newer.pk).update(sent_text="ohwx woman SECRET_SENT_TEXT")
    response = owner_client.get(trained_tune.get_absolute_url())
    assert list(response.context["prompts"]) == [newer, older]
    content = response.content.decode()
    assert content.index("a newer prompt") < content.index("an older prompt")
    assert "SECRET_SENT_TEXT" not in content
    assert f'id="prompt-{newer.code}"' in content


def test_a_done_prompt_shows_thumbnails_and_links_to_the_image_pages(
    owner_client, trained_tune, make_prompt
):
    prompt = make_prompt(images=4, aspect_ratio="4:5", seed=7)
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    for image in prompt.images.all():
        assert f'href="/prompts/images/{image.code}/"' in content
        # Signed links (astria_portal/serving.py), naming the stored files.
        assert f'src="{image.thumbnail_link()}"' in content
        assert f'data-full="{image.file_link()}"' in content
        assert f'data-download="{image.file_link()}?download=1"' in content
        assert f"/{image.pk}/" in image.thumbnail_link()
        assert image.thumbnail.name.rsplit("/", 1)[1] in image.thumbnail_link()
    assert f'src="{prompt.images.first().file_link()}"' not in content
    assert "4 images · Portrait 4:5 · seed 7 · super resolution" in content
    assert f'href="/prompts/{prompt.code}/images.zip"' in content
    assert f'action="/prompts/{prompt.code}/again/"' in content
    assert f'href="/prompts/{prompt.code}/delete/"' in content
    zip_url = f"/prompts/for/{trained_tune.code}/images.zip"
    assert f'href="{zip_url}">Download all images (ZIP)' in content
    assert 'data-final="true"' in content


def test_images_not_downloaded_yet_are_placeholders_and_the_card_stays_live(
    owner_client, trained_tune, make_prompt
):
    prompt = make_prompt(images=4, ready=1)
    gave_up = prompt.images.get(position=3)
    gave_up.next_attempt_at = None
    gave_up.save()
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert content.count('class="thumb ratio-11"') == 1
    assert content.count("Downloading…") == 2
    assert content.count("Could not be downloaded") == 1
    assert f'data-url="/prompts/{prompt.code}/card/" data-final="false"' in content


@pytest.mark.parametrize(
    "status, note, badge",
    [
        (Prompt.Status.PENDING, "Sending to Astria…", "Starting"),
        (Prompt.Status.QUEUED, "Queued on Astria", "Queued"),
        (Prompt.Status.GENERATING, "Astria is generating these images", "Generating"),
    ],
)
def test_a_prompt_in_progress_shows_one_placeholder_per_image(
    owner_client, trained_tune, make_prompt, status, note, badge
):
    prompt = make_prompt(images=0, num_images=3, status=status, aspect_ratio="16:9")
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert content.count('class="tile tile-pending ratio-169"') == 3
    assert note in content
    assert f'badge-{prompt.status}">{badge}<' in content
    assert 'data-final="false"' in content


def test_a_failed_prompt_shows_astrias_error(owner_client, trained_tune, make_prompt):
    prompt = make_prompt(images=0, status=Prompt.Status.PENDING)
    prompt.mark_failed("Prompt was flagged as NSFW")
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert "Astria could not make these images." in content
    assert "Prompt was flagged as NSFW" in content
    assert f'data-url="/prompts/{prompt.code}/card/" data-final="true"' in content
    assert f'href="/prompts/{prompt.code}/images.zip"' not in content


def test_prompts_being_deleted_are_left_out(owner_client, trained_tune, make_prompt):
    prompt = make_prompt(text="going away")
    prompt.mark_deleting()
    response = owner_client.get(trained_tune.get_absolute_url())
    assert b"going away" not in response.content
    assert b"Download all" not in response.content
    assert b"No images yet." in response.content


def test_the_card_fragment_is_one_element_to_swap_in(owner_client, trained_tune, make_prompt):
    prompt = make_prompt(images=2, ready=0)
    response = owner_client.get(f"/prompts/{prompt.code}/card/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    content = response.content.decode().strip()
    assert content.startswith(f'<article class="card prompt-card" id="prompt-{prompt.code}"')
    assert content.endswith("</article>")
    assert f'data-url="/prompts/{prompt.code}/card/" data-final="false"' in content
    assert "<html" not in content

    for image in prompt.images.all():
        image.delete()
        add_image(prompt, image.position)
    content = owner_client.get(f"/prompts/{prompt.code}/card/").content.decode()
    assert 'data-final="true"' in content
    assert content.count('src="/files/t/') == 2


def test_the_card_of_a_prompt_being_deleted_is_final(owner_client, make_prompt):
    prompt = make_prompt()
    prompt.mark_deleting()
    content = owner_client.get(f"/prompts/{prompt.code}/card/").content.decode()
    assert 'data-final="true"' in content
    assert "Being deleted" in content
    assert "/files/" not in content


def test_the_tune_status_box_is_still_polled(owner_client, make_tune):
    tune = make_tune()
    content = owner_client.get(tune.get_absolute_url()).content.decode()
    assert f'data-final="false" data-url="/tunes/{tune.code}/status/"' in content
    assert '<script src="/static/js/status.js" defer></script>' in content
    assert '<script src="/static/js/gallery.js" defer></script>' in content


def test_the_gallery_is_paged_twenty_prompts_at_a_time(owner_client, trained_tune, make_prompt):
    now = timezone.now()
    for minutes in range(23):
        make_prompt(
            images=0, text=f"prompt number {minutes}", created_at=now - timedelta(minutes=minutes)
        )
    first = owner_client.get(trained_tune.get_absolute_url())
    assert len(first.context["prompts"]) == 20
    assert f'href="/tunes/{trained_tune.code}/?page=2#gallery">Older →' in first.content.decode()
    second = owner_client.get(f"{trained_tune.get_absolute_url()}?page=2")
    assert [p.text for p in second.context["prompts"]] == [
        f"prompt number {n}" for n in (20, 21, 22)
    ]


def test_the_tune_page_query_count_does_not_grow_with_the_gallery(
    owner_client, trained_tune, make_prompt, django_assert_max_num_queries
):
    for _ in range(2):
        make_prompt(images=4, ready=3)
    with django_assert_max_num_queries(30) as small:
        owner_client.get(trained_tune.get_absolute_url())
    for _ in range(8):
        make_prompt(images=8, ready=5)
    make_prompt(images=0, status=Prompt.Status.GENERATING)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = owner_client.get(trained_tune.get_absolute_url())
    assert len(response.context["prompts"]) == 11
