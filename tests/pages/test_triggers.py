"""Every change to a row a kept page shows is recorded for the user whose pages show it."""

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, transaction

from astria_portal import quota
from astria_portal.models import Quota
from billing import ledger
from billing.models import Price
from packs.models import Pack
from pages import triggers
from pages.keep import mark
from prompts.models import GeneratedImage, Prompt
from tunes.models import TrainingImage, Tune

pytestmark = pytest.mark.django_db


def triggers_made():
    """Watched table -> the number of its triggers."""
    if connection.vendor == "sqlite":
        sql = (
            "SELECT tbl_name, COUNT(*) FROM sqlite_master WHERE type = 'trigger' GROUP BY tbl_name"
        )
    else:
        sql = (
            "SELECT tgrelid::regclass::text, COUNT(*) FROM pg_trigger "
            "WHERE tgname = 'pages_change' GROUP BY 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def test_every_watched_table_exists_and_has_its_triggers():
    assert set(triggers.WATCHED) <= set(connection.introspection.table_names())
    each = 3 if connection.vendor == "sqlite" else 1
    assert triggers_made() == {table: each for table in triggers.WATCHED}


def test_making_them_again_leaves_one_set_and_brings_back_lost_ones():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "pages_change_tunes_tune_update"')
        else:
            cursor.execute('DROP TRIGGER "pages_change" ON "tunes_tune"')
    assert triggers_made().get("tunes_tune", 0) < (3 if connection.vendor == "sqlite" else 1)
    triggers.install(connection)
    triggers.install(connection)
    each = 3 if connection.vendor == "sqlite" else 1
    assert triggers_made() == {table: each for table in triggers.WATCHED}


def _photo(tune):
    TrainingImage.objects.create(
        tune=tune, position=9, sha256="9" * 64, file="x.jpg", size=1, width=512, height=512
    )


def _download(prompt):
    GeneratedImage.objects.filter(prompt=prompt).update(file="done.png")


CHANGES = {
    "a new fine-tune": lambda owner, tune, prompt: Tune.objects.create(
        owner=owner, name="New", class_name="man", model_kind="sd15"
    ),
    "a status moved by update()": lambda owner, tune, prompt: Tune.objects.filter(
        pk=tune.pk
    ).update(status=Tune.Status.FAILED),
    "a renamed fine-tune": lambda owner, tune, prompt: Tune.objects.filter(pk=tune.pk).update(
        name="Renamed"
    ),
    "a photo added": lambda owner, tune, prompt: _photo(tune),
    "a photo deleted": lambda owner, tune, prompt: tune.photos.all().delete(),
    "a new prompt": lambda owner, tune, prompt: Prompt.objects.create(tune=tune, text="again"),
    "a prompt deleted": lambda owner, tune, prompt: prompt.delete(),
    "an image downloaded": lambda owner, tune, prompt: _download(prompt),
    "a favourite": lambda owner, tune, prompt: prompt.images.first().mark_favourite(True),
    "an image gone": lambda owner, tune, prompt: prompt.images.first().delete(),
    "a new allowance": lambda owner, tune, prompt: Quota.objects.create(
        user=owner, tunes_per_month=1, images_per_month=2
    ),
    "the month's use": lambda owner, tune, prompt: quota.charge(owner.id, images=4),
    "credits granted": lambda owner, tune, prompt: ledger.grant(owner.id, 5, description="a gift"),
    "an address verified": lambda owner, tune, prompt: EmailAddress.objects.filter(
        user=owner
    ).update(verified=False),
    "the user renamed": lambda owner, tune, prompt: (
        type(owner).objects.filter(pk=owner.pk).update(username="alicia")
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_is_recorded_for_its_owner_and_no_one_else(
    change, owner, outsider, trained_tune, make_prompt
):
    prompt = make_prompt(images=2)
    before, theirs = mark(owner.pk), mark(outsider.pk)
    CHANGES[change](owner, trained_tune, prompt)
    assert mark(owner.pk) != before
    assert mark(outsider.pk) == theirs


@pytest.mark.parametrize(
    "change",
    [
        lambda: Price.objects.update_or_create(item=Price.IMAGE, defaults={"credits": 3}),
        lambda: Pack.objects.update(title="Renamed pack"),
    ],
    ids=["a price", "a pack on offer"],
)
def test_a_change_shown_to_everyone_is_recorded_for_everyone(change, owner, outsider):
    Pack.objects.create(remote_id=7, slug="corporate", title="Corporate")
    before = mark(owner.pk), mark(outsider.pk)
    change()
    after = mark(owner.pk), mark(outsider.pk)
    assert after[0] != before[0] and after[1] != before[1]


def test_a_change_rolled_back_is_not_recorded(owner, trained_tune):
    before = mark(owner.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        Tune.objects.filter(pk=trained_tune.pk).update(name="Never")
        raise RuntimeError
    assert mark(owner.pk) == before
