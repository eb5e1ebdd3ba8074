"""The first fine-tune waits for a verified address, and notices go to verified ones only."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail

from tests.accounts.helpers import confirm_email
from tests.helpers import photo_uploads
from tunes.models import Tune
from tunes.tasks import notify_owner

pytestmark = pytest.mark.django_db
TUNE = {"name": "Me", "class_name": "man", "model_kind": "sd15", "test_mode": "on"}


@pytest.fixture
def unverified(client):
    user = User.objects.create_user("erin", "erin@example.com", "correct-horse-battery")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)
    return user


def test_the_tune_form_says_what_to_do_and_offers_a_new_link(client, unverified):
    page = client.get("/tunes/new/").content.decode()
    assert "Confirm your e-mail address before your first fine-tune" in page
    assert "erin@example.com" in page
    assert 'action="/accounts/email/"' in page and 'name="action_send"' in page

    response = client.post("/accounts/email/", {"email": "erin@example.com", "action_send": ""})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["erin@example.com"]


def test_an_unverified_user_cannot_create_a_tune(client, unverified):
    response = client.post("/tunes/new/", {**TUNE, "photos": photo_uploads(4)})
    assert response.status_code == 200
    assert "Confirm your e-mail address first" in response.context["form"].non_field_errors()[0]
    assert not Tune.objects.exists()


def test_once_verified_the_first_tune_goes_through(client, unverified):
    client.post("/accounts/email/", {"email": "erin@example.com", "action_send": ""})
    confirm_email(client, mail.outbox[-1])
    response = client.post("/tunes/new/", {**TUNE, "photos": photo_uploads(4)})
    assert response.status_code == 302
    assert Tune.objects.get().owner == unverified
    assert "Confirm your e-mail" not in client.get("/tunes/new/").content.decode()


def test_notices_are_not_sent_to_an_unverified_address(make_tune, unverified):
    tune = make_tune(user=unverified, status=Tune.Status.TRAINED)
    assert notify_owner(tune.pk) == "no verified address"
    assert mail.outbox == []
