"""Deleting a prompt: asked first, then marked and handed to the delete task."""

import pytest

from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, queued_funcs

pytestmark = pytest.mark.django_db


def test_delete_asks_first(owner_client, make_prompt):
    prompt = make_prompt(images=3, text="a woman on a beach")
    response = owner_client.get(f"/prompts/{prompt.code}/delete/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "a woman on a beach" in content
    assert "its 3 downloaded images here" in content
    assert content.count("/files/t/") == 3  # signed thumbnail links
    assert '<form method="post">' in content
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.DONE
    assert queued_funcs() == []


def test_delete_marks_the_prompt_and_enqueues_the_delete_task(owner_client, make_prompt):
    prompt = make_prompt(images=2, text="a woman on a beach")
    response = owner_client.post(f"/prompts/{prompt.code}/delete/")
    assert response.status_code == 302
    assert response["Location"] == prompt.tune.get_absolute_url()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.DELETING
    assert queued_funcs() == ["prompts.tasks.delete_prompt"]
    page = owner_client.get(response["Location"]).content.decode()
    assert "“a woman on a beach” and its images are being deleted." in page


def test_a_prompt_never_sent_is_deleted_with_its_files(owner_client, make_prompt):
    prompt = make_prompt(images=2, status=Prompt.Status.PENDING)
    names = [
        name for image in prompt.images.all() for name in (image.file.name, image.thumbnail.name)
    ]
    owner_client.post(f"/prompts/{prompt.code}/delete/")
    drain_queue()
    assert not Prompt.objects.filter(pk=prompt.pk).exists()
    assert GeneratedImage.objects.count() == 0
    storage = GeneratedImage._meta.get_field("file").storage
    assert not any(storage.exists(name) for name in names)
    assert owner_client.get(f"/prompts/{prompt.code}/card/").status_code == 404
