"""A tune's name is one line, and no name can break the e-mails that carry it."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from astria_portal import notices
from tests.helpers import photo_uploads
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db

INJECTION = "Mine\r\nBcc: victim@example.com"
MESSAGE = "Use one line of letters, digits, spaces and punctuation: no control characters."


def form_data(photos, **changes):
    return {"name": "Me in summer", "class_name": "woman", "model_kind": "sd15",
            "photos": photos, **changes}  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (INJECTION, "Mine Bcc: victim@example.com"),
        ("  Me,\tsummer\n2026  ", "Me, summer 2026"),
        ("Line\u2028separator", "Line separator"),
        ("Família 👨\u200d👩\u200d👧", "Família 👨\u200d👩\u200d👧"),  # joiners are kept
    ],
)
def test_the_form_keeps_a_name_on_one_line(owner_client, typed, kept):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4), name=typed))
    assert response.status_code == 302
    assert Tune.objects.get().name == kept


@pytest.mark.parametrize("typed", ["Mine\x07", "Mine\x1b[31m red", "Mine\u202egnp.exe", "a\x7fb"])
def test_the_form_refuses_control_characters(owner_client, typed):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4), name=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [MESSAGE]
    assert Tune.objects.count() == 0


def test_the_model_validates_names_the_same_way(owner):
    tune = Tune(owner=owner, name=INJECTION, class_name="woman", model_kind="sd15")
    tune.full_clean()
    assert tune.name == "Mine Bcc: victim@example.com"
    tune.name = "Mine\x1b"
    with pytest.raises(ValidationError) as caught:
        tune.full_clean()
    assert caught.value.message_dict == {"name": [MESSAGE]}


def saved_with_bad_name(make_tune, **fields):
    """A row saved before names were checked."""
    tune = make_tune(photos=0)
    Tune.objects.filter(pk=tune.pk).update(name=f"{INJECTION}\x1b", **fields)
    return tune


def test_an_existing_bad_name_still_gets_its_status_email(make_tune, owner):
    tune = saved_with_bad_name(make_tune, status=Tune.Status.TRAINED)
    assert tasks.notify_owner(tune.pk) == "sent"
    [message] = mail.outbox
    assert message.subject == "Your fine-tune “Mine Bcc: victim@example.com” is trained"
    assert message.recipients() == [owner.email]
    assert message.message()["Bcc"] is None


def test_an_existing_bad_name_still_gets_its_retention_warning(make_tune, owner):
    tune = saved_with_bad_name(make_tune, status=Tune.Status.TRAINED, trained_at=timezone.now())
    assert tasks.send_retention_warning(tune.pk) == "sent"
    [message] = mail.outbox
    assert message.subject.startswith("Your fine-tune “Mine Bcc: victim@example.com” will be")
    assert message.recipients() == [owner.email]


def test_every_subject_sent_is_one_clean_line(make_tune):
    tune = make_tune(photos=0)
    subject = "Line one\r\nTo: someone@example.com\n\tand\x1b more"
    assert notices.send_once("test", tune.code, subject, "body", ["a@example.com"]) == "sent"
    assert mail.outbox[0].subject == "Line one To: someone@example.com and more"
    assert mail.outbox[0].recipients() == ["a@example.com"]
