"""The new fine-tune form: validation, sanitised storage, one transaction with the task."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_q.models import OrmQ
from PIL import Image

from tests.helpers import jpeg_bytes, photo_uploads, queued_funcs
from tunes.models import TrainingImage, Tune

pytestmark = pytest.mark.django_db


def form_data(photos, **fields):
    data = {"name": "Me in summer", "class_name": "woman", "model_kind": "sd15", "photos": photos}
    data.update(fields)
    return data


def test_the_form_renders(owner_client):
    response = owner_client.get("/tunes/new/")
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"Drop photos here" in response.content


def test_it_creates_the_tune_its_photos_and_its_task_together(owner_client, owner):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(5), test_mode="on"))
    tune = Tune.objects.get()
    assert response.status_code == 302
    assert response["Location"] == tune.get_absolute_url()
    assert (tune.owner, tune.name, tune.class_name, tune.model_kind) == (
        owner,
        "Me in summer",
        "woman",
        "sd15",
    )
    assert tune.test_mode is True
    assert tune.status == Tune.Status.PENDING
    assert tune.photos.count() == 5
    assert queued_funcs() == ["tunes.tasks.submit_tune"]
    assert OrmQ.objects.get().task["args"] == (tune.pk,)


def test_stored_photos_are_clean_jpegs_under_random_names(media, owner_client):
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    upload = SimpleUploadedFile(
        "../../evil.php.jpg", jpeg_bytes(seed=9, exif=exif, comment=b"hello"), "image/jpeg"
    )
    owner_client.post("/tunes/new/", form_data([upload, *photo_uploads(3)]))
    photo = TrainingImage.objects.get(position=0)
    assert photo.file.name.startswith(f"tunes/{photo.tune.code}/")
    assert "evil" not in photo.file.name
    with photo.file.open("rb") as f:
        content = f.read()
    assert b"secret description" not in content and b"hello" not in content
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert (photo.width, photo.height, photo.size) == (image.width, image.height, len(content))
    names = TrainingImage.objects.values_list("file", flat=True)
    assert media.files() == sorted(names) and len(names) == 4


def test_a_custom_class_is_used(owner_client):
    owner_client.post(
        "/tunes/new/", form_data(photo_uploads(4), class_name="other", custom_class="Sneaker")
    )
    assert Tune.objects.get().class_name == "sneaker"


def test_faceid_needs_only_one_photo(owner_client):
    owner_client.post("/tunes/new/", form_data(photo_uploads(1), model_kind="faceid"))
    assert Tune.objects.get().model_kind == "faceid"


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        (lambda: photo_uploads(3), "Choose between 4 and 20 photos; you chose 3."),
        (lambda: photo_uploads(21), "Choose between 4 and 20 photos; you chose 21."),
        (
            lambda: [*photo_uploads(3), SimpleUploadedFile("cv.pdf.jpg", b"%PDF-1.7 ...")],
            "cv.pdf.jpg is not a JPEG, PNG, WebP or HEIC image",
        ),
        (
            lambda: [*photo_uploads(4), SimpleUploadedFile("again.jpg", jpeg_bytes(seed=1))],
            "again.jpg is the same picture as photo-1.jpg.",
        ),
        (
            lambda: [
                *photo_uploads(3),
                SimpleUploadedFile("tiny.jpg", jpeg_bytes(size=(300, 300))),
            ],
            "tiny.jpg is 300×300 pixels",
        ),
    ],
    ids=["too few", "too many", "not an image", "duplicate", "too small"],
)
def test_bad_photos_are_refused_with_a_message_naming_the_problem(owner_client, photos, message):
    response = owner_client.post("/tunes/new/", form_data(photos()))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert message in errors
    assert b'value="Me in summer"' in response.content  # what was typed is kept
    assert Tune.objects.count() == 0
    assert TrainingImage.objects.count() == 0
    assert OrmQ.objects.count() == 0


def test_a_missing_custom_class_is_refused(owner_client):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4), class_name="other"))
    assert "custom_class" in response.context["form"].errors
    assert Tune.objects.count() == 0


def test_the_form_needs_a_login(client, db):
    response = client.post("/tunes/new/", form_data(photo_uploads(4)))
    assert response.status_code == 302
    assert Tune.objects.count() == 0


def test_the_form_shows_the_fine_tunes_left_this_month(owner_client, settings):
    settings.QUOTA_TUNES_PER_MONTH = 3
    response = owner_client.get("/tunes/new/")
    assert b"3 of 3 fine-tunes left this month" in response.content


def test_a_user_at_their_monthly_limit_gets_a_message_and_nothing_is_created(
    owner_client, settings
):
    from astria_portal.models import Usage

    settings.QUOTA_TUNES_PER_MONTH = 1
    data = {"name": "One", "class_name": "man", "model_kind": "sd15"}
    assert owner_client.post("/tunes/new/", {**data, "photos": photo_uploads(4)}).status_code == 302
    response = owner_client.post("/tunes/new/", {**data, "name": "Two", "photos": photo_uploads(4)})
    assert response.status_code == 200
    assert "allowance of 1 fine-tune; it renews" in response.content.decode()
    assert list(Tune.objects.values_list("name", flat=True)) == ["One"]
    assert TrainingImage.objects.count() == 4
    assert Usage.objects.get().tunes == 1
    assert queued_funcs() == ["tunes.tasks.submit_tune"]


def test_the_upload_script_gets_201_and_the_location_so_the_message_is_kept(owner_client):
    data = {"name": "Me", "class_name": "man", "model_kind": "sd15", "photos": photo_uploads(4)}
    response = owner_client.post(
        "/tunes/new/", data, headers={"X-Requested-With": "XMLHttpRequest"}
    )
    tune = Tune.objects.get()
    assert response.status_code == 201
    assert response["Location"] == tune.get_absolute_url()
    page = owner_client.get(response["Location"])
    assert "is on its way to Astria" in page.content.decode()
