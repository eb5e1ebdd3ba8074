import logging
import os
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test.signals import setting_changed
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from astria_emulator.testing import running_emulator
from astria_portal import fragments
from astria_portal.settings import storage_config
from pages import keep
from tests.helpers import API_KEY, EmulatorControl, Media, jpeg_bytes
from tunes.models import TrainingImage, Tune

# Fuzzing budgets (tests/*/test_*_fuzz.py). The autouse settings fixture below is
# function-scoped on purpose: it holds for every example of a test.
_FUZZ = {
    "deadline": timedelta(seconds=2),
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile("dev", max_examples=200, **_FUZZ)
# CI: more examples, and no example database in the fresh clone; about 10 s per
# fuzz test here, well under a minute together.
hypothesis_settings.register_profile("ci", max_examples=2000, database=None, **_FUZZ)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Fast password hashing and a throw-away media folder for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


# In production settings change only with a restart, which empties each process's
# kept parts; a test that changes them gets none kept from before.
def _forget_kept(setting=None, **kwargs):
    if setting == "CACHES":
        return  # Django makes the caches afresh
    fragments.cache().clear()
    keep.cache().clear()


setting_changed.connect(_forget_kept, weak=False)


@pytest.fixture(autouse=True)
def _no_kept_fragments():
    """Each test starts with no rendered pages or parts kept (astria_portal/fragments.py)."""
    _forget_kept()
    yield
    _forget_kept()


def verified_user(username, **fields):
    """A user whose e-mail address is verified, as after following the sign-up link."""
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


PASSWORD = "correct-horse-battery"  # noqa: S105


@pytest.fixture
def owner(db):
    return verified_user("alice")


@pytest.fixture
def outsider(db):
    return verified_user("bob")


@pytest.fixture
def staff(db):
    return verified_user("carol", is_staff=True, is_superuser=True)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture(scope="session")
def emulator_server():
    """One instant offline Astria for the whole run; tests reset it through their fixture."""
    with running_emulator(api_key=API_KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_server, settings):
    """A fresh, instant emulator that the portal's settings point at. Its files come
    from its media host, the one origin images may be downloaded from, as in production."""
    control = EmulatorControl(
        emulator_server.base_url, emulator_server.api_key, emulator_server.media_url
    )
    control.reset()
    control.config(train_seconds=0, prompt_seconds=0, callbacks_enabled=False)
    settings.ASTRIA_API_URL = emulator_server.base_url
    settings.ASTRIA_API_KEY = emulator_server.api_key
    settings.ASTRIA_MEDIA_HOSTS = [emulator_server.media_url]
    return control


@pytest.fixture
def make_tune(owner):
    def make(photos=4, user=None, **fields):
        fields.setdefault("name", "Me in summer")
        fields.setdefault("class_name", "woman")
        fields.setdefault("model_kind", "sd15")
        fields.setdefault("test_mode", True)
        tune = Tune.objects.create(owner=user or owner, **fields)
        for position in range(photos):
            content = jpeg_bytes(seed=position)
            image = TrainingImage(tune=tune, position=position, sha256=f"{position:064d}")
            image.size, image.width, image.height = len(content), 640, 800
            image.file.save("photo.jpg", ContentFile(content), save=False)
            image.save()
        return tune

    return make


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 API on a free loopback port for the whole run: a real HTTP server."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_server):
    """Media in a fresh private bucket on moto's S3 server, configured through the
    same STORAGE_URL parsing production uses."""
    media = Media("s3", s3_server)
    media.reset_bucket()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_config(
            f"s3://{media.bucket}?endpoint_url={s3_server}&region={media.region}",
            access_key=media.credentials[0],
            secret_key=media.credentials[1],
        ),
    }
    return media


@pytest.fixture(params=["disk", "s3"])
def media(request, settings):
    """Run a test with media on the local disk, then again in a bucket (see bucket)."""
    if request.param == "disk":
        return Media("disk", settings.MEDIA_ROOT)
    return request.getfixturevalue("bucket")
