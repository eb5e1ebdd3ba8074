"""What Astria charged for each tune and prompt, and the staff view of costs."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from astria_portal.astria import parse_prompt, parse_tune
from billing import ledger, payments
from billing.models import Checkout, CreditEntry
from monitoring.dashboard import BALANCE_CACHE_KEY
from prompts.models import Prompt
from tunes.models import Tune

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "astria" / "fixtures"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())["body"]


def test_a_tune_keeps_the_cost_astria_reports(make_tune):
    tune = make_tune(status=Tune.Status.TRAINING, remote_id=1, test_mode=False)
    tune.apply_remote(parse_tune(fixture("tune_lora_trained_mp.json")))
    tune.refresh_from_db()
    assert (tune.astria_cost_mc, tune.astria_cost_estimated) == (150_000, False)


def test_without_a_cost_the_price_list_is_used_and_marked_an_estimate(settings, make_tune):
    settings.ASTRIA_TUNE_COST_MC = 123_000
    tune = make_tune(status=Tune.Status.TRAINING, remote_id=1, test_mode=False)
    body = {"id": 1, "trained_at": "2026-11-01T10:00:00.000Z"}
    tune.apply_remote(parse_tune(body))
    tune.refresh_from_db()
    assert (tune.astria_cost_mc, tune.astria_cost_estimated) == (123_000, True)
    # A later answer with the real figure replaces the estimate, and is kept after.
    tune.apply_remote(parse_tune({**body, "cost_mc": 149_000}))
    tune.apply_remote(parse_tune(body))
    tune.refresh_from_db()
    assert (tune.astria_cost_mc, tune.astria_cost_estimated) == (149_000, False)


def test_a_prompt_keeps_its_cost_and_a_test_mode_one_costs_nothing(make_tune):
    tune = make_tune(status=Tune.Status.TRAINED, remote_id=1858416, test_mode=False)
    prompt = Prompt.objects.create(tune=tune, text="a portrait", num_images=4, remote_id=5)
    prompt.apply_remote(parse_prompt(fixture("prompt_lora_done_record.json")))
    prompt.refresh_from_db()
    assert (prompt.astria_cost_mc, prompt.astria_cost_estimated) == (11_500, False)
    fast = make_tune(status=Tune.Status.TRAINING, remote_id=2, test_mode=True)
    fast.apply_remote(parse_tune({"id": 2, "trained_at": "2026-11-01T10:00:00.000Z"}))
    fast.refresh_from_db()
    assert (fast.astria_cost_mc, fast.astria_cost_estimated) == (0, True)


def test_staff_see_per_user_month_bought_used_astria_and_margin(
    client, staff, owner, make_tune, pack
):
    cache.set(BALANCE_CACHE_KEY, {"usd": 3, "error": ""})
    with time_machine.travel(datetime(2026, 11, 5, tzinfo=UTC)):
        checkout = Checkout.objects.create(
            user=owner, pack=pack, credits=500, amount=1000, currency="usd"
        )
        payments.credit(checkout, {"id": "cs_test_1", "payment_intent": "pi_1"})
        ledger.spend(owner.id, 200, CreditEntry.Kind.TUNE)
        tune = make_tune(test_mode=False)
        Tune.objects.filter(pk=tune.pk).update(astria_cost_mc=150_000)
    client.force_login(staff)
    page = client.get(reverse("billing:staff_costs")).content.decode()
    # 200 credits used at 2 cents each: 4.00 paid, Astria $1.50, margin 2.50.
    row = "<td>Nov 2026</td><td>alice</td><td>500</td><td>200</td><td>4.00</td>"
    assert row in page
    assert "<td>$1.50</td>" in page and "<td>2.50</td>" in page
    assert "300 credits" in page and "Paid 6.00: more than the Astria balance" in page


def test_the_cost_view_is_for_staff_only(owner_client):
    response = owner_client.get(reverse("billing:staff_costs"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
