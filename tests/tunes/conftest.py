import pytest
from django.core.files.base import ContentFile

from astria_emulator.testing import running_emulator
from tests.helpers import EmulatorControl, jpeg_bytes
from tunes.models import TrainingImage, Tune


@pytest.fixture(scope="session")
def _emulator():
    with running_emulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(_emulator, settings):
    """A fresh, instant emulator that the portal's settings point at."""
    control = EmulatorControl(_emulator.base_url)
    control.reset()
    control.config(train_seconds=0, prompt_seconds=0, callbacks_enabled=False)
    settings.ASTRIA_API_URL = _emulator.base_url
    settings.ASTRIA_API_KEY = _emulator.api_key
    control.api_key = _emulator.api_key
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
