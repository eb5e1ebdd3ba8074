"""Signed links to a tune's training photos (astria_portal/serving.py).

One query per request decides: the photo still has that file and its tune is not
being deleted (a closed tune shows no photos).
"""

from astria_portal import serving
from tunes.models import TrainingImage, Tune

PHOTO = "p"


def load_photo(pk):
    photos = TrainingImage.objects.filter(pk=pk).exclude(tune__status__in=Tune.CLOSED)
    photo = photos.only("file", "position").first()
    if photo is None:
        return None
    return serving.Stored(photo.file, "image/jpeg", f"photo-{photo.position + 1}.jpg")


def register():
    serving.register(PHOTO, load_photo)
