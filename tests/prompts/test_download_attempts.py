"""A download that keeps failing, or keeps being killed, ends failed after a bounded number
of attempts: shown to its owner and to staff with the reason, and staff can retry it."""

from datetime import timedelta
from unittest import mock

import pytest
import responses
import time_machine
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from prompts import tasks
from prompts.models import GeneratedImage
from tests.helpers import drain_queue, queued_funcs
from tests.prompts.conftest import png_bytes

pytestmark = pytest.mark.django_db

IMAGES = "/admin/prompts/generatedimage/"


class Killed(BaseException):
    """What a task killed mid-download leaves behind: no outcome at all."""


@pytest.fixture
def waiting_image(make_prompt, settings):
    settings.ASTRIA_MEDIA_HOSTS = ["sdbooth2-production.s3.amazonaws.com"]
    settings.IMAGE_DOWNLOAD_ATTEMPTS = 3
    prompt = make_prompt(images=1, ready=0)
    return prompt.images.get()


def killed_every_time(image):
    """Run the download ATTEMPTS times, each killed mid-way, each lease left to run out,
    the sweep redelivering it; then once more."""
    fake = mock.patch.object(tasks.media, "download", autospec=True, side_effect=Killed)
    with fake as fetch, time_machine.travel(timezone.now(), tick=False) as traveller:
        for attempt in (1, 2, 3):
            with pytest.raises(Killed):
                drain_queue() if attempt > 1 else tasks.download_image(image.pk)
            image.refresh_from_db()
            assert image.attempts == attempt  # counted when claimed
            assert tasks.download_image(image.pk) == "not due"  # its lease holds
            traveller.move_to(image.next_attempt_at + timedelta(seconds=1))
            tasks.sweep_prompts()
            assert queued_funcs() == ["prompts.tasks.download_image"]
        assert drain_queue() == ["prompts.tasks.download_image"]
        traveller.shift(timedelta(hours=1))
        tasks.sweep_prompts()
        assert queued_funcs() == []  # nothing left to re-run
    assert fetch.call_count == 3
    image.refresh_from_db()
    return image


def test_a_download_killed_every_time_ends_failed_after_its_attempts(waiting_image):
    image = killed_every_time(waiting_image)
    assert image.attempts == 3 and image.next_attempt_at is None and not image.file
    assert image.last_error.startswith(
        "Gave up after 3 attempts: the last one did not finish (it was stopped mid-download)."
    )
    assert image.remote_url  # kept, for a retry
    assert image.prompt.is_settled


def test_the_owner_sees_which_image_failed_and_why(owner_client, waiting_image):
    image = killed_every_time(waiting_image)
    content = owner_client.get(image.prompt.tune.get_absolute_url()).content.decode()
    assert "Could not be downloaded" in content
    assert "Image 1 could not be downloaded: Gave up after 3 attempts" in content
    assert 'data-final="true"' in content  # the card stops polling


def test_a_cleanly_failing_download_shows_its_last_reason(owner_client, waiting_image):
    with responses.RequestsMock() as mocked:
        mocked.get(waiting_image.remote_url, status=503)
        for _ in range(3):
            GeneratedImage.objects.filter(pk=waiting_image.pk).update(
                next_attempt_at=timezone.now()
            )
            tasks.download_image(waiting_image.pk)
    waiting_image.refresh_from_db()
    assert waiting_image.attempts == 3 and waiting_image.next_attempt_at is None
    assert waiting_image.last_error == "Gave up after 3 attempts: the image host answered 503"
    content = owner_client.get(waiting_image.prompt.tune.get_absolute_url()).content.decode()
    assert "Image 1 could not be downloaded: Gave up after 3 attempts" in content


def test_staff_see_the_failure_with_its_reason_and_can_retry_it(client, staff, waiting_image):
    image = killed_every_time(waiting_image)
    client.force_login(staff)
    listing = client.get(IMAGES, {"download": "failed"}).content.decode()
    assert str(image) in listing and "Failed" in listing
    assert "the last one did not finish" in listing
    assert str(image) not in client.get(IMAGES, {"download": "stored"}).content.decode()

    page = client.post(IMAGES, {"action": "download_again", "_selected_action": [image.pk]})
    assert page.status_code == 200
    assert "Download 1 image again?" in page.content.decode()
    assert "Failed after 3 attempts: Gave up after 3 attempts" in page.content.decode()
    image.refresh_from_db()
    assert image.next_attempt_at is None  # asking changed nothing

    data = {"action": "download_again", "_selected_action": [image.pk], "post": "yes"}
    response = client.post(IMAGES, data, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [f"1 image being downloaded again: {image}."]
    image.refresh_from_db()
    assert image.attempts == 0 and image.next_attempt_at is not None and not image.last_error
    assert queued_funcs() == ["prompts.tasks.download_image"]

    with responses.RequestsMock() as mocked:
        mocked.get(image.remote_url, body=png_bytes(), content_type="image/png")
        drain_queue()
    image.refresh_from_db()
    assert image.is_ready and image.attempts == 1


def test_retry_leaves_alone_images_that_are_stored_or_on_their_way(client, staff, make_prompt):
    prompt = make_prompt(images=2, ready=1)
    stored, waiting = prompt.images.order_by("position")
    client.force_login(staff)
    response = client.post(
        IMAGES, {"action": "download_again", "_selected_action": [stored.pk, waiting.pk]},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain == [(IMAGES, 302)]  # nothing to ask
    [message] = [str(message) for message in response.context["messages"]]
    assert message.startswith("Nothing to do: none of the 2 selected generated images qualifies")
    assert f"“{stored}”: downloaded already" in message
    assert f"“{waiting}”: its download is still on its way" in message


def test_staff_who_may_only_view_images_cannot_retry_them(client, waiting_image):
    viewer = User.objects.create_user("dave", "dave@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_generatedimage"))
    GeneratedImage.objects.filter(pk=waiting_image.pk).update(next_attempt_at=None)
    client.force_login(viewer)
    listing = client.get(IMAGES).content.decode()
    assert 'value="download_again"' not in listing
    data = {"action": "download_again", "_selected_action": [waiting_image.pk], "post": "yes"}
    client.post(IMAGES, data)
    waiting_image.refresh_from_db()
    assert waiting_image.next_attempt_at is None
