"""The admin pages staff read: a tune, a prompt, images, records, quotas, usage."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from astria_portal.models import CallbackReceipt, Quota, Usage
from prompts.models import GeneratedImage
from tests.tunes.retention_helpers import add_prompt
from tunes.models import DeletionRecord, Tune

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def tune(make_tune):
    tune = make_tune(name="Studio me")
    trained_at = timezone.now() - timedelta(days=25)
    Tune.objects.filter(pk=tune.pk).update(
        status="trained", remote_id=4711, trained_at=trained_at,
        expires_at=trained_at + timedelta(days=30), attempts=2,
        last_error="HTTP 500", last_error_at=trained_at - timedelta(hours=1),
    )  # fmt: skip
    tune.refresh_from_db()
    add_prompt(tune, text="ohwx woman on a red carpet")
    CallbackReceipt.objects.create(
        kind="tune", object_code=tune.code, remote_id=4711, body_sha256="f" * 64,
        verdict="refresh", times_received=2,
    )  # fmt: skip
    return tune


def test_the_tune_page_shows_countdown_astria_photos_prompts_receipts_and_errors(
    media, staff_client, tune
):
    with time_machine.travel(tune.trained_at + timedelta(days=23, hours=20), tick=False):
        page = staff_client.get(f"/admin/tunes/tune/{tune.pk}/change/").content.decode()
    assert '<span class="countdown countdown-week big">expires in 6 d 4 h</span>' in page
    assert "trained + 30 days" in page
    assert "4711" in page
    assert str(tune.title) in page
    assert "HTTP 500" in page  # the last error, with the retry state around it
    assert "ohwx woman on a red carpet" in page
    assert "Refresh enqueued" in page
    assert f"/admin/astria_portal/callbackreceipt/?q={tune.code}" in page
    assert tune.callback_secret not in page
    photo = tune.photos.first()
    url = f"/admin/tunes/tune/{tune.pk}/photos/{photo.code}/"
    assert page.count('<img class="thumb"') == 4
    assert url in page
    served = media.get(staff_client, url)
    assert served["Content-Type"] == "image/jpeg"
    assert "private, no-store" in served.portal["Cache-Control"]
    with photo.file.open("rb") as stored:
        assert served.content == stored.read()


def test_the_tune_page_cannot_be_edited_or_deleted_by_hand(staff_client, tune):
    page = staff_client.get(f"/admin/tunes/tune/{tune.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert staff_client.get(f"/admin/tunes/tune/{tune.pk}/delete/").status_code == 403
    assert staff_client.get("/admin/tunes/tune/add/").status_code == 403


def test_the_prompt_page_shows_its_images_as_thumbnails(media, staff_client, tune):
    prompt = tune.prompts.get()
    page = staff_client.get(f"/admin/prompts/prompt/{prompt.pk}/change/").content.decode()
    assert "ohwx woman on a red carpet" in page
    assert page.count('<img class="thumb"') == 2
    image = prompt.images.first()
    served = media.get(staff_client, f"/admin/prompts/generatedimage/{image.pk}/thumbnail/")
    assert served.content == b"\xff\xd8 thumbnail"
    assert served["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/tunes/tune/",
        "/admin/tunes/deletionrecord/",
        "/admin/prompts/prompt/",
        "/admin/prompts/prompt/?status__exact=done&q=carpet",
        "/admin/prompts/generatedimage/",
        "/admin/astria_portal/callbackreceipt/",
        "/admin/astria_portal/quota/",
        "/admin/astria_portal/usage/",
    ],
)
def test_every_list_answers_staff(staff_client, tune, url):
    DeletionRecord.objects.create(
        tune_code=tune.title, model_kind="sd15", test_mode=True, photos=1, prompts=0, images=0,
        reason="retention",
    )  # fmt: skip
    Quota.objects.create(user=tune.owner, tunes_per_month=3)
    Usage.objects.create(user=tune.owner, month=timezone.now().date().replace(day=1), tunes=1)
    assert staff_client.get(url).status_code == 200


def test_staff_set_a_users_quota(staff_client, owner):
    response = staff_client.post(
        "/admin/astria_portal/quota/add/",
        {"user": owner.pk, "tunes_per_month": "25", "images_per_month": "", "note": "pilot"},
    )
    assert response.status_code == 302
    quota = Quota.objects.get(user=owner)
    assert (quota.tunes_per_month, quota.images_per_month) == (25, None)
    page = staff_client.get(f"/admin/astria_portal/quota/{quota.pk}/change/").content.decode()
    assert "0 of 25 fine-tunes" in page


def test_deletion_records_are_read_only(staff_client):
    record = DeletionRecord.objects.create(
        tune_code="3f2b0f4e-5b8a-4c53-9a55-1c1c3c9e1f00", model_kind="sd15", test_mode=True,
        photos=4, prompts=1, images=2, reason="retention",
    )  # fmt: skip
    page = staff_client.get(f"/admin/tunes/deletionrecord/{record.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert staff_client.get(f"/admin/tunes/deletionrecord/{record.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/admin/dashboard/", "/admin/tunes/tune/{tune}/change/",
     "/admin/tunes/tune/{tune}/photos/{photo}/", "/admin/prompts/generatedimage/{image}/thumbnail/",
     "/admin/astria_portal/quota/"],
)  # fmt: skip
def test_users_who_are_not_staff_are_sent_to_the_admin_login(owner_client, tune, url):
    image = GeneratedImage.objects.first()
    url = url.format(tune=tune.pk, photo=tune.photos.first().code, image=image.pk)
    response = owner_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_deletion_records_show_the_models_labels_not_their_keys(staff_client):
    DeletionRecord.objects.create(
        tune_code="3f2b0f4e-5b8a-4c53-9a55-1c1c3c9e1f00", model_kind="flux-lora", test_mode=False,
        photos=4, prompts=1, images=2, reason="retention",
    )  # fmt: skip
    page = staff_client.get("/admin/tunes/deletionrecord/").content.decode()
    assert '<span title="Flux LoRA: best likeness">Flux LoRA</span>' in page
    assert "4 photos, 1 prompt, 2 images" in page
    assert "?model_kind__exact=sd15" in page  # the filter offers every model, by label
    assert ">SD 1.5 checkpoint: classic, fast to generate</a>" in page
    assert ">flux-lora<" not in page and ">sd15<" not in page


def visible_words(html):
    """The page's text as staff read it: no tags, scripts, styles or attribute values."""
    html = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/tunes/", "/admin/tunes/tune/", "/admin/tunes/tune/{tune}/change/",
     "/admin/tunes/deletionrecord/", "/admin/prompts/prompt/", "/admin/dashboard/",
     "/admin/astria_portal/quota/add/", "/admin/astria_portal/usage/"],
)  # fmt: skip
def test_staff_read_fine_tune_where_users_do(staff_client, tune, url):
    Usage.objects.create(user=tune.owner, month=timezone.now().date().replace(day=1), tunes=1)
    text = visible_words(staff_client.get(url.format(tune=tune.pk)).content.decode())
    assert re.findall(r"(?<![-\w])tunes?\b", text, flags=re.IGNORECASE) == []
    assert "fine-tune" in text.lower()


def test_the_actions_say_fine_tune(staff_client, tune):
    page = staff_client.get("/admin/tunes/tune/").content.decode()
    options = re.findall(r'<option value="\w+">([^<]*)</option>', page)
    assert "Send again to Astria…" in options
    assert not [o for o in options if re.search(r"(?<![-\w])tunes?\b", o)]
    assert "Select fine-tune to view" in page
