import pytest
from django.core.files.base import ContentFile

from tests.helpers import EmulatorControl, jpeg_bytes
from tunes.models import TrainingImage, Tune


@pytest.fixture
def emulator(emulator_server, settings):
    """A fresh, instant emulator that the portal's settings point at."""
    control = EmulatorControl(emulator_server.base_url, emulator_server.api_key)
    control.reset()
    control.config(train_seconds=0, prompt_seconds=0, callbacks_enabled=False)
    settings.ASTRIA_API_URL = emulator_server.base_url
    settings.ASTRIA_API_KEY = emulator_server.api_key
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
