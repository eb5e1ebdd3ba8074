"""Credits mode: the allowance machinery charges and refunds credits instead."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from astria_portal import quota
from astria_portal.models import Usage
from billing import ledger
from billing.models import CreditBalance, CreditEntry, Price
from prompts.models import Prompt
from tests.prompts.test_create import FULL
from tunes.models import Tune

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained_tune(make_tune):
    return make_tune(status=Tune.Status.TRAINED, remote_id=1001, photos=1)


def post_prompt(client, tune, **fields):
    return client.post(f"/prompts/for/{tune.code}/new/", {**FULL, **fields})


def test_a_prompt_costs_its_images_in_credits(credits_mode, owner_client, owner, trained_tune):
    ledger.grant(owner.id, 10)
    response = post_prompt(owner_client, trained_tune)
    assert response.status_code == 302
    prompt = Prompt.objects.get()
    assert ledger.balance(owner.id) == 10 - 3 * 2
    entry = CreditEntry.objects.get(kind=CreditEntry.Kind.IMAGES)
    assert (entry.credits, entry.balance_after) == (-6, 4)
    assert entry.ref == f"prompt:{prompt.code}"
    assert "3 images: a studio portrait" in entry.description
    assert not Usage.objects.exists()  # the monthly allowance is not touched
    page = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert "Each image costs 2 credits; you have <strong>4</strong>." in page


def test_too_few_credits_says_what_is_missing_and_creates_nothing(
    credits_mode, owner_client, owner, trained_tune
):
    ledger.grant(owner.id, 5)
    page = post_prompt(owner_client, trained_tune).content.decode()
    assert "This costs 6 credits and you have 5: 1 more needed." in page
    assert not Prompt.objects.exists()
    assert ledger.balance(owner.id) == 5
    post_prompt(owner_client, trained_tune, num_images="2")  # 1 credit left
    page = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert "Not enough credits" in page
    assert f'href="{reverse("accounts:account")}#credits"' in page


def test_a_failed_prompt_gives_its_credits_back_exactly_once(
    credits_mode, owner_client, owner, trained_tune
):
    ledger.grant(owner.id, 10)
    post_prompt(owner_client, trained_tune)
    prompt = Prompt.objects.get()
    prompt.finished(Prompt.Status.FAILED)
    prompt.finished(Prompt.Status.FAILED)  # reported twice
    assert ledger.balance(owner.id) == 10
    # Sent again, it is charged again; failing again gives that charge back too.
    prompt.resubmitted()
    assert ledger.balance(owner.id) == 4
    prompt.finished(Prompt.Status.FAILED)
    prompt.finished(Prompt.Status.FAILED)
    assert ledger.balance(owner.id) == 10
    refunds = CreditEntry.objects.filter(kind=CreditEntry.Kind.REFUND)
    assert refunds.count() == 2
    assert {refund.refund_of.credits for refund in refunds} == {-6}
    assert ledger.differences() == {}


def test_a_tune_costs_its_models_price(credits_mode, owner, owner_client):
    Price.objects.create(item="flux-lora", credits=250)
    page = owner_client.get(reverse("tunes:create")).content.decode()
    assert "250 credits (Flux LoRA)" in page and "100 credits (SD 1.5 checkpoint)" in page
    assert "Not enough credits" in page
    ledger.grant(owner.id, 300)
    tune = Tune(owner=owner, name="Me", model_kind="flux-lora")
    quota.charge(owner.id, tunes=1, item=tune)
    assert ledger.balance(owner.id) == 50
    with pytest.raises(quota.QuotaExceeded, match="costs 250 credits and you have 50"):
        quota.charge(
            owner.id, tunes=1, item=Tune(owner=owner, name="Again", model_kind="flux-lora")
        )
    quota.give_back(owner.id, tune.created_at, tunes=1, item=tune)
    assert ledger.balance(owner.id) == 300


def test_allowance_mode_stays_as_it_was(owner, trained_tune):
    quota.charge(owner.id, images=3, item=trained_tune)
    assert quota.allowance(owner.id).images_used == 3
    assert not CreditEntry.objects.exists() and not CreditBalance.objects.exists()


def test_an_unknown_mode_is_a_configuration_error(settings, owner):
    settings.BILLING_MODE = "barter"
    with pytest.raises(ImproperlyConfigured):
        quota.charge(owner.id, images=1)


def test_the_account_page_shows_balance_history_and_packs(
    credits_mode, settings, owner_client, owner, pack
):
    ledger.grant(owner.id, 40, description="Welcome")
    ledger.spend(owner.id, 6, CreditEntry.Kind.IMAGES, description="3 images: a test")
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    page = owner_client.get(reverse("accounts:account")).content.decode()
    assert "Balance: <strong>34 credits</strong>" in page
    assert "<strong>+40</strong> Welcome" in page and "<strong>-6</strong> 3 images: a test" in page
    assert "Buy 500 credits · 10.00 USD" in page


def test_staff_grant_credits_in_the_admin(credits_mode, client, staff, owner):
    client.force_login(staff)
    response = client.post(
        reverse("admin:billing_creditentry_add"),
        {"user": owner.pk, "credits": 25, "description": "Apology"},
    )
    assert response.status_code == 302
    entry = CreditEntry.objects.get()
    assert (entry.kind, entry.granted_by, ledger.balance(owner.id)) == ("grant", staff, 25)


def test_staff_set_prices_and_packs_in_the_admin(credits_mode, client, staff, owner):
    client.force_login(staff)
    response = client.post(reverse("admin:billing_price_add"), {"item": "sd15", "credits": 80})
    assert response.status_code == 302
    assert ledger.price_of_tune("sd15") == 80
    bad = client.post(reverse("admin:billing_price_add"), {"item": "sdxl", "credits": 80})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    pack = {"name": "Big", "credits": 2000, "amount": 3000, "currency": "eur", "on_sale": "on"}
    assert client.post(reverse("admin:billing_creditpack_add"), pack).status_code == 302
    ledger.grant(owner.id, 5)
    for model in ["price", "creditpack", "creditentry", "creditbalance", "checkout", "stripeevent"]:
        assert client.get(reverse(f"admin:billing_{model}_changelist")).status_code == 200
