"""The tune list's cards, rendered once per process and kept (astria_portal/fragments.py).

A card's key holds every field of the tune, its image count and cover (the signed link
carries its own expiry), whether its test-mode badge is shown, and the countdown in the
words it is shown in, which is what changes with time alone.
"""

from django.db import connection
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from astria_portal import fragments, serving
from prompts.models import Prompt
from tunes.models import Tune

TEMPLATE = "tunes/_tune_card.html"
TEMPLATES = (TEMPLATE, "tunes/_badge.html")
KEPT_SECONDS = 3600

# A page of tunes' covers and image counts, in two plain SELECTs for the page's tunes:
# the ORM's correlated subqueries for the same took five times as long, most of it
# building the SQL (bench.pages). Shown images are downloaded images of prompts not
# being deleted; the cover is the newest prompt's first image with a thumbnail.
COVERS_SQL = """
SELECT tune_id, id, thumbnail, shown FROM (
    SELECT prompt.tune_id, image.id, image.thumbnail,
           COUNT(*) OVER (PARTITION BY prompt.tune_id) AS shown,
           ROW_NUMBER() OVER (
               PARTITION BY prompt.tune_id
               ORDER BY image.thumbnail = '', prompt.created_at DESC, image.position
           ) AS place
    FROM prompts_generatedimage image
    JOIN prompts_prompt prompt ON prompt.id = image.prompt_id
    WHERE prompt.tune_id IN ({tunes}) AND image.file <> '' AND prompt.status <> %s
) ranked WHERE place = 1
"""
PHOTOS_SQL = (
    "SELECT tune_id, id, file FROM tunes_trainingimage WHERE position = 0 AND tune_id IN ({tunes})"
)


def add_covers(tunes):
    """Set each tune's image_count and cover_link (a signed link: the browser keeps it):
    its newest image, else its first photo, else none. A closed tune (being deleted)
    loses its files any moment: no count and no cover that would 404."""
    shown = [tune for tune in tunes if tune.status not in Tune.CLOSED]
    images, photos = {}, {}
    if shown:
        ids = [tune.pk for tune in shown]
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(COVERS_SQL.format(tunes=marks), [*ids, Prompt.Status.DELETING.value])
            images = {tune_id: row for tune_id, *row in cursor.fetchall()}
            cursor.execute(PHOTOS_SQL.format(tunes=marks), ids)
            photos = {tune_id: row for tune_id, *row in cursor.fetchall()}
    for tune in tunes:
        image_id, thumbnail, tune.image_count = images.get(tune.pk, (None, "", 0))
        photo_id, photo = photos.get(tune.pk, (None, ""))
        if thumbnail:
            tune.cover_link = serving.signed_url("t", image_id, thumbnail)
        elif photo_id:
            tune.cover_link = serving.signed_url("p", photo_id, photo)
        else:
            tune.cover_link = ""


def _state(tune, test_badge):
    storage = tune.storage
    fields = [getattr(tune, field.attname) for field in tune._meta.concrete_fields]
    countdown = (storage.band, storage.label, storage.left, storage.ends_at)
    return (fields, tune.image_count, tune.cover_link, test_badge, countdown)


def render_cards(tunes, test_badge):
    """The cards' HTML, the kept ones from memory."""
    kept = fragments.cache()
    keys = [fragments.key("tune-card", TEMPLATES, _state(tune, test_badge)) for tune in tunes]
    found = kept.get_many(keys)
    template = get_template(TEMPLATE)
    new, html = {}, []
    for tune, key in zip(tunes, keys, strict=True):
        card = found.get(key)
        if card is None:
            card = new[key] = template.render({"tune": tune, "test_badge": test_badge})
        html.append(card)
    if new:
        kept.set_many(new, timeout=KEPT_SECONDS)
    return mark_safe("".join(html))  # noqa: S308 (rendered by the template engine)
