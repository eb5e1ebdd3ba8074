"""Signed links to a tune's training photos (astria_portal/serving.py).

One query per request decides: the photo still has that file and its tune is not
being deleted (a closed tune shows no photos). A plain SELECT, as for thumbnails
(prompts/links.py).
"""

from django.db import connection

from astria_portal import serving
from tunes.models import TrainingImage, Tune

PHOTO = "p"

PHOTO_SQL = (
    "SELECT photo.file, photo.position FROM tunes_trainingimage photo "
    "JOIN tunes_tune tune ON tune.id = photo.tune_id "
    "WHERE photo.id = %s AND tune.status NOT IN (%s, %s, %s)"
)
assert len(Tune.CLOSED) == 3, "one placeholder per closed status"


def load_photo(pk):
    with connection.cursor() as cursor:
        cursor.execute(PHOTO_SQL, [pk, *(str(status) for status in Tune.CLOSED)])
        row = cursor.fetchone()
    if row is None:
        return None
    name, position = row
    field = serving.field_file(TrainingImage, "file", name)
    return serving.Stored(field, "image/jpeg", f"photo-{position + 1}.jpg")


def register():
    serving.register(PHOTO, load_photo)
