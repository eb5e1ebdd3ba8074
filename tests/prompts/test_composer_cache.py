"""The prompt form before anything is typed is kept once rendered, and never stale."""

import re

import pytest
from django.test import Client

from astria_portal import fragments, quota
from astria_portal.models import Quota
from billing import ledger
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def composer(client, tune, query=""):
    content = client.get(tune.get_absolute_url() + query).content.decode()
    return content[content.index('id="composer"') : content.index('id="gallery"')]


def test_the_form_is_kept_and_carries_each_requests_own_token(owner, trained_tune):
    tokens = []
    for _ in range(2):  # two browsers of the owner: the second gets the kept form
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(owner)
        form = composer(browser, trained_tune)
        assert fragments.CSRF_MARK not in form
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
        tokens.append(token)
        answer = browser.post(
            f"/prompts/for/{trained_tune.code}/new/",
            {"csrfmiddlewaretoken": token, "text": "a portrait", "num_images": 1,
             "aspect_ratio": "1:1"},
        )  # fmt: skip
        assert answer.status_code == 302
    assert tokens[0] != tokens[1]
    assert len(fragments.cache()._cache) >= 1


def test_the_allowance_shown_is_always_the_current_one(owner, owner_client, trained_tune):
    Quota.objects.create(user=owner, images_per_month=10)
    assert "<strong>10</strong> of 10 images left" in composer(owner_client, trained_tune)
    quota.charge(owner.id, images=3)
    assert "<strong>7</strong> of 10 images left" in composer(owner_client, trained_tune)


def test_a_preset_and_the_tunes_status_show_at_once(owner_client, trained_tune):
    plain = composer(owner_client, trained_tune)
    assert "not ready yet" not in plain
    slug = re.search(r'\?preset=([\w-]+)#new-prompt" data-preset="([^"]+)"', plain)
    chosen = composer(owner_client, trained_tune, f"?preset={slug[1]}")
    assert f">{slug[2]}</textarea>" in chosen.replace("\n", "")
    Tune.objects.filter(pk=trained_tune.pk).update(status=Tune.Status.TRAINING)
    assert "not ready yet" in composer(owner_client, trained_tune)


def test_credits_shown_are_the_current_balance(settings, owner, owner_client, trained_tune):
    settings.BILLING_MODE = "credits"
    settings.CREDITS_PER_IMAGE = 2
    ledger.grant(owner.id, 10, description="a test grant")
    assert "you have <strong>10</strong>" in composer(owner_client, trained_tune)
    ledger.grant(owner.id, 5, description="another")
    assert "you have <strong>15</strong>" in composer(owner_client, trained_tune)


def test_a_form_with_errors_is_rendered_afresh(owner_client, trained_tune):
    composer(owner_client, trained_tune)
    typed = {"text": "", "num_images": 99, "aspect_ratio": "1:1"}
    answer = owner_client.post(f"/prompts/for/{trained_tune.code}/new/", typed)
    assert "Choose between 1 and 8 images." in answer.content.decode()
