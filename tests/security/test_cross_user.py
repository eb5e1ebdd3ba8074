"""Another user's session gets 404 on every object-scoped URL and changes nothing (R29).

The URL patterns come from walking the resolver, so a new pattern with a
<uuid:...> part is covered as soon as it exists, and fails here until OBJECTS
says which of the owner's objects fill it.
"""

import os
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from accounts.models import DataExport
from tests.prompts.conftest import add_image
from tests.security.routes import routes
from tunes.models import Tune

pytestmark = pytest.mark.django_db

# Route name -> which of the owner's objects fill each <uuid:...> part.
OBJECTS = {
    "tunes:detail": {"code": "tune"},
    "tunes:status": {"code": "tune"},
    "tunes:photo": {"code": "tune", "photo_code": "photo"},
    "tunes:delete": {"code": "tune"},
    "tunes:retry": {"code": "tune"},
    "prompts:create": {"tune_code": "tune"},
    "prompts:tune_zip": {"tune_code": "tune"},
    "prompts:card": {"code": "prompt"},
    "prompts:again": {"code": "prompt"},
    "prompts:delete": {"code": "prompt"},
    "prompts:zip": {"code": "prompt"},
    "prompts:image": {"code": "image"},
    "prompts:image_file": {"code": "image"},
    "prompts:thumbnail": {"code": "image"},
    "accounts:export_download": {"code": "export"},
}
# Object-scoped, but not by the session: each has its own test of who gets in.
NOT_BY_SESSION = {
    "callback": "Astria's callback: a per-object token decides (tests/tunes/test_callback.py)",
    "admin:tunes_tune_photo": "staff only, like the whole admin (tests/tunes/test_admin*.py)",
    "packs:callback": "Astria's pack callback: a token decides (tests/packs/test_callback.py)",
}
PROMPT = {"text": "a portrait", "num_images": "1", "aspect_ratio": "1:1"}


def object_routes():
    return [route for route in routes() if route.uuid_parts]


@pytest.fixture
def world(make_tune):
    from prompts.models import Prompt

    tune = make_tune(status=Tune.Status.TRAINED, remote_id=1001, photos=2)
    prompt = Prompt.objects.create(tune=tune, text="a portrait", num_images=1, status="done")
    image = add_image(prompt, 0)
    export = DataExport(user=tune.owner)
    export.file.save("export.zip", ContentFile(b"PK"), save=False)
    export.save()
    export.mark_ready(export.file.name, 2)
    return {"tune": tune.code, "photo": tune.photos.first().code, "prompt": prompt.code,
            "image": image.code, "export": export.code}  # fmt: skip


def snapshot():
    """Every row of every table, and every stored file with its size."""
    rows = {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
    }
    files = sorted(
        (os.path.join(folder, name), os.path.getsize(os.path.join(folder, name)))
        for folder, _, names in os.walk(settings.MEDIA_ROOT)
        for name in names
    )
    return rows, files


def test_every_object_scoped_pattern_is_known():
    names = {route.name for route in object_routes()}
    unknown = names - set(OBJECTS) - set(NOT_BY_SESSION)
    assert not unknown, f"say in OBJECTS which of the owner's objects fill {sorted(unknown)}"
    for route in object_routes():
        if route.name in OBJECTS:
            assert set(OBJECTS[route.name]) == set(route.uuid_parts), route.route
            assert set(route.parts) == set(route.uuid_parts), route.route


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_another_user_gets_404_and_changes_nothing(name, world, owner, outsider):
    [route] = [route for route in object_routes() if route.name == name]
    url = route.url({part: world[kind] for part, kind in OBJECTS[name].items()})
    missing = route.url({part: uuid.uuid4() for part in route.parts})
    other = Client()
    other.force_login(outsider)
    before = snapshot()

    for method in ("get", "post"):
        response = getattr(other, method)(url, PROMPT)
        # A method the view does not take is refused before any look-up (405),
        # the same for every code: it tells nothing either.
        nowhere = getattr(other, method)(missing, PROMPT).status_code
        assert response.status_code == nowhere, f"{method.upper()} {url}"
        assert response.status_code in (404, 405), f"{method.upper()} {url}"
    assert 404 in {other.get(url).status_code, other.post(url, PROMPT).status_code}
    assert snapshot() == before

    # The same URL is real: its owner gets past the look-up.
    mine = Client()
    mine.force_login(owner)
    answers = {mine.get(url).status_code, mine.post(url, PROMPT).status_code}
    assert 404 not in answers, f"{url}: {answers}"
