"""Signed links to a generated image's file and thumbnail (astria_portal/serving.py).

One query per request decides: the image still has that file, its prompt is not being
deleted and its tune is not deleted, as for the owner's own image views.
"""

from astria_portal import serving
from prompts import zips
from prompts.models import GeneratedImage, Prompt
from tunes.models import Tune

FILE = "i"
THUMBNAIL = "t"


def _image(pk):
    images = (
        GeneratedImage.objects.filter(pk=pk)
        .exclude(prompt__status=Prompt.Status.DELETING)
        .exclude(prompt__tune__status=Tune.Status.DELETED)
        .select_related("prompt")
        .only("file", "thumbnail", "content_type", "position", "prompt__text",
              "prompt__created_at", "prompt__code")
    )  # fmt: skip
    return images.first()


def load_file(pk):
    image = _image(pk)
    if image is None:
        return None
    content_type = image.content_type or "application/octet-stream"
    return serving.Stored(image.file, content_type, zips.image_filename(image))


def load_thumbnail(pk):
    image = _image(pk)
    if image is None:
        return None
    name = zips.image_filename(image).rsplit(".", 1)[0] + "-small.jpg"
    return serving.Stored(image.thumbnail, "image/jpeg", name)


def register():
    serving.register(FILE, load_file)
    serving.register(THUMBNAIL, load_thumbnail)
