"""A failed fine-tune can be trained again with the same photos, as a new tune."""

import pytest
from django.urls import reverse

from astria_portal import quota
from tests.helpers import queued_funcs
from tunes.models import Tune

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(make_tune):
    tune = make_tune(status=Tune.Status.FAILED, photos=5, model_kind="flux-lora", token="zwx")
    Tune.objects.filter(pk=tune.pk).update(last_error="Astria marked it as failed.")
    return tune


def contents(tune):
    found = []
    for photo in tune.photos.order_by("position"):
        with photo.file.open("rb") as f:
            found.append(f.read())
    return found


def test_the_owner_trains_a_failed_tune_again_with_the_same_photos(owner_client, owner, failed):
    page = owner_client.get(failed.get_absolute_url())
    assert "Train again with the same photos" in page.content.decode()

    response = owner_client.post(reverse("tunes:retry", args=[failed.code]))

    again = Tune.objects.exclude(pk=failed.pk).get()
    assert response.status_code == 302
    assert response["Location"] == again.get_absolute_url()
    assert (again.name, again.class_name, again.model_kind, again.token, again.test_mode) == (
        failed.name,
        failed.class_name,
        failed.model_kind,
        failed.token,
        failed.test_mode,
    )
    assert again.title != failed.title
    assert again.status == Tune.Status.PENDING
    assert contents(again) == contents(failed)
    assert queued_funcs() == ["tunes.tasks.submit_tune"]
    assert quota.allowance(owner.id).tunes_used == 1
    failed.refresh_from_db()
    assert failed.status == Tune.Status.FAILED
    assert failed.photos.count() == 5


def test_only_a_failed_tune_trains_again(owner_client, make_tune):
    trained = make_tune(status=Tune.Status.TRAINED)
    response = owner_client.post(reverse("tunes:retry", args=[trained.code]), follow=True)
    assert "Only a failed fine-tune" in response.content.decode()
    assert Tune.objects.count() == 1
    assert queued_funcs() == []


def test_training_again_takes_the_allowance_like_a_new_tune(owner_client, owner, failed, settings):
    settings.QUOTA_TUNES_PER_MONTH = 0
    response = owner_client.post(reverse("tunes:retry", args=[failed.code]), follow=True)
    assert "fine-tunes" in response.content.decode()
    assert Tune.objects.count() == 1
    assert quota.allowance(owner.id).tunes_used == 0


def test_another_user_cannot_train_someone_elses_tune_again(client, outsider, failed):
    client.force_login(outsider)
    response = client.post(reverse("tunes:retry", args=[failed.code]))
    assert response.status_code == 404
    assert Tune.objects.count() == 1
