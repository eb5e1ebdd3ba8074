"""Where files live: STORAGE_URL's parsing, and what a private bucket promises."""

from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from astria_portal import serving
from tests.portal.test_settings import load_settings, manage

BUCKET = "s3://portal-media/private?endpoint_url=https://minio.internal:9000&region=eu-west-3"


def test_without_storage_url_files_stay_on_the_local_disk(monkeypatch):
    conf = load_settings(monkeypatch)
    assert conf["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_storage_url_names_a_private_bucket(monkeypatch):
    conf = load_settings(
        monkeypatch,
        STORAGE_URL=BUCKET,
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret/with+slashes",
        MEDIA_LINK_SECONDS="120",
    )
    storage = conf["STORAGES"]["default"]
    assert storage["BACKEND"] == "astria_portal.storage.PrivateS3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "portal-media",
        "location": "private",
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "eu-west-3",
        "addressing_style": None,
        "access_key": "AKIAEXAMPLE",
        "secret_key": "secret/with+slashes",
        "querystring_expire": 120,
    }
    assert conf["CONFIG_ERRORS"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/srv/media",
        "gs://bucket",
        "s3://",
        "s3://key:secret@bucket",
        "s3://bucket?acl=public-read",
        "s3://bucket?endpoint_url=minio.internal:9000",
        "s3://bucket?addressing_style=sideways",
    ],
)
def test_a_bad_storage_url_is_collected_and_the_disk_kept(monkeypatch, url):
    conf = load_settings(monkeypatch, STORAGE_URL=url)
    assert [error[0] for error in conf["CONFIG_ERRORS"]] == ["STORAGE_URL"]
    assert conf["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_bad_storage_url_stops_the_checks_without_a_traceback():
    result = manage("check", STORAGE_URL="gs://media")
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "STORAGE_URL: only s3:// URLs are supported" in result.stderr
    assert "Traceback" not in result.stderr


# Against moto's S3 server


def test_objects_are_private_and_never_overwritten(bucket):
    first = default_storage.save("tunes/x/photo.jpg", ContentFile(b"one"))
    second = default_storage.save("tunes/x/photo.jpg", ContentFile(b"two"))
    assert first == "tunes/x/photo.jpg" and second != first
    assert bucket.files() == sorted([first, second])
    grants = bucket.client().get_object_acl(Bucket=bucket.bucket, Key=first)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group


def test_links_are_signed_and_short_lived(bucket, settings):
    name = default_storage.save("prompts/y/image.png", ContentFile(b"\x89PNG"))
    link = default_storage.signed_url(name, ResponseContentType="image/png")
    assert "X-Amz-Signature=" in link and "X-Amz-Expires=300&" in link
    assert "response-content-type=image%2Fpng" in link


def test_a_bucket_file_is_read_a_chunk_at_a_time_never_whole(bucket):
    """S3Storage.open() downloads a whole object first; the ZIPs must not use it."""
    name = default_storage.save("prompts/z/big.png", ContentFile(b"x" * 200_000))
    field = mock.Mock(storage=default_storage, name="field")
    field.name = name
    with mock.patch("storages.backends.s3.S3File", side_effect=AssertionError("whole")):
        chunks = serving.open_chunks(field, chunk_size=64 * 1024)
        sizes = [len(chunk) for chunk in chunks]
        chunks.close()
    assert sizes == [65536, 65536, 65536, 3392]


def test_a_file_gone_from_the_bucket_is_not_found(bucket):
    field = mock.Mock(storage=default_storage)
    field.name = "prompts/none/gone.png"
    with pytest.raises(FileNotFoundError):
        serving.open_chunks(field)


def img_src(response):
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return policy["img-src"].split()


@pytest.mark.django_db
def test_pages_may_show_images_from_the_bucket_and_nowhere_else(bucket, client, s3_server):
    assert img_src(client.get("/")) == ["'self'", "data:", "blob:", s3_server]


@pytest.mark.django_db
def test_on_the_local_disk_pages_show_their_own_images_only(client):
    assert img_src(client.get("/")) == ["'self'", "data:", "blob:"]
