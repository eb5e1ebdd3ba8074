"""Signed links to a generated image's file and thumbnail (astria_portal/serving.py).

One query per request decides: the image still has that file, its prompt is not being
deleted and its tune is not deleted, as for the owner's own image views.

Thumbnails are most of a tune page's requests: their query is one plain SELECT, not
built by the ORM, whose query building cost three times what the rest of the request
did (bench.browser). The full image's query reads the prompt for the file's name.
"""

from django.db import connection

from astria_portal import serving
from prompts import zips
from prompts.models import GeneratedImage, Prompt
from tunes.models import Tune

FILE = "i"
THUMBNAIL = "t"

THUMBNAIL_SQL = (
    "SELECT image.thumbnail, image.position FROM prompts_generatedimage image "
    "JOIN prompts_prompt prompt ON prompt.id = image.prompt_id "
    "JOIN tunes_tune tune ON tune.id = prompt.tune_id "
    "WHERE image.id = %s AND prompt.status <> %s AND tune.status <> %s"
)


def load_file(pk):
    images = (
        GeneratedImage.objects.filter(pk=pk)
        .exclude(prompt__status=Prompt.Status.DELETING)
        .exclude(prompt__tune__status=Tune.Status.DELETED)
        .select_related("prompt")
        .only("file", "content_type", "position", "prompt__text", "prompt__created_at",
              "prompt__code")
    )  # fmt: skip
    image = images.first()
    if image is None:
        return None
    content_type = image.content_type or "application/octet-stream"
    return serving.Stored(image.file, content_type, zips.image_filename(image))


def load_thumbnail(pk):
    with connection.cursor() as cursor:
        cursor.execute(THUMBNAIL_SQL, [pk, Prompt.Status.DELETING.value, Tune.Status.DELETED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    name, position = row
    field = serving.field_file(GeneratedImage, "thumbnail", name)
    return serving.Stored(field, "image/jpeg", f"image-{position + 1:02d}-small.jpg")


def register():
    serving.register(FILE, load_file)
    serving.register(THUMBNAIL, load_thumbnail)
