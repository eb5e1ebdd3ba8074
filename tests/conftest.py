import pytest
from django.contrib.auth.models import User

from astria_emulator.testing import running_emulator
from tests.helpers import API_KEY


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Fast password hashing and a throw-away media folder for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(db):
    return User.objects.create_user("alice", "alice@example.com", "correct-horse-battery")


@pytest.fixture
def outsider(db):
    return User.objects.create_user("bob", "bob@example.com", "correct-horse-battery")


@pytest.fixture
def staff(db):
    return User.objects.create_user(
        "carol", "carol@example.com", "correct-horse-battery", is_staff=True, is_superuser=True
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture(scope="session")
def emulator_server():
    """One instant offline Astria for the whole run; tests reset it through their fixture."""
    with running_emulator(api_key=API_KEY) as emulator:
        yield emulator
