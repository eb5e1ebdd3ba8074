"""Credits mode in a real browser: not enough credits, Stripe's page, credits shown.

A stack of its own, in credits mode, its Stripe on loopback: localstripe behind the
recorded Checkout Sessions (drills/stripe_checkout.py), whose payment page plays
Stripe's and delivers the signed webhook as the payment is made.
"""

import re

import pytest
from playwright.sync_api import expect

from drills.localstripe import running_localstripe
from drills.stack import Stack
from drills.stripe_checkout import CheckoutStandin
from tests.browser.conftest import open_page
from tests.browser.test_staff import staff_log_in
from tests.browser.test_tune_journey import photos, sign_up

SECRET_KEY, WEBHOOK_SECRET = "sk_test_browser", "whsec_browser"  # noqa: S105
PACK = "from billing.models import CreditPack; CreditPack.objects.create(name='Starter', credits=500, amount=1000, currency='usd')"  # noqa: E501


@pytest.fixture(scope="module")
def credits_stack(tmp_path_factory):
    with running_localstripe() as localstripe:
        standin = CheckoutStandin(localstripe, SECRET_KEY, WEBHOOK_SECRET).start()
        stack = Stack(tmp_path_factory.mktemp("credits-stack"), train_seconds=2, prompt_seconds=1)
        stack.env.update(
            BILLING_MODE="credits",
            CREDITS_PER_TUNE="120",
            CREDITS_PER_IMAGE="5",
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_API_BASE=standin.base,
            STRIPE_CHECKOUT_ORIGIN=standin.base,
        )
        standin.webhook_url = f"{stack.web_url}/billing/stripe/webhook/"
        with stack as running:
            running.manage("shell", "-c", PACK)
            running.standin = standin
            yield running
        standin.stop()


@pytest.fixture
def credits_page(chromium, credits_stack, request):
    context, page = open_page(chromium, credits_stack, request)
    yield page
    context.close()
    assert page.errors == [], f"console errors: {page.errors}"


def test_not_enough_credits_then_checkout_then_credits_shown(credits_page, credits_stack):
    page = credits_page
    sign_up(page, "penny")
    page.goto("/tunes/new/")
    cost = page.locator(".credits-cost")
    expect(cost).to_contain_text("A fine-tune costs 120 credits")
    expect(cost).to_contain_text("You have 0 credits. Not enough credits: buy credits.")
    page.shot("new tune without credits")

    cost.locator("text=buy credits").click()
    expect(page.page).to_have_url(re.compile(r"/accounts/#credits$"))
    page.click("text=Buy 500 credits · 10.00 USD")
    expect(page.page).to_have_url(re.compile(rf"^{credits_stack.standin.base}/c/pay/cs_test_"))
    expect(page.locator("body")).to_contain_text("10.00 USD")
    page.shot("stripe checkout page")
    page.click('button:has-text("Pay")')

    expect(page.page).to_have_url(re.compile(r"/accounts/\?paid=1#credits$"))
    balance = page.locator(".credits-balance")
    for _ in range(20):  # the worker applies the webhook within a second or two
        if "500 credits" in balance.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(balance).to_contain_text("Balance: 500 credits")
    expect(page.locator(".purchases")).to_contain_text("Starter, 500 credits for 10.00 USD")
    page.shot("credits after payment")

    page.goto("/tunes/new/")
    expect(page.locator(".credits-cost")).to_contain_text("You have 500 credits.")
    page.fill("input[name=name]", "Penny paid")
    page.set_input_files("input[type=file]", photos(4, start=60))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    page.fill("textarea[name=text]", "a portrait of a woman in a sunny park")
    expect(page.locator(".allowance")).to_contain_text("Each image costs 5 credits; you have 380.")
    page.click("text=Generate images")
    expect(page.locator("main")).to_contain_text("On the way")
    page.goto("/accounts/")
    history = page.locator(".credit-history")
    expect(history).to_contain_text("-120 Fine-tune “Penny paid”")
    expect(history).to_contain_text("+500 Starter: 500 credits")
    page.shot("account page")

    page.context.clear_cookies()
    staff_log_in(page, credits_stack, "stan")
    page.goto("/billing/staff/costs/")
    expect(page.locator("table.costs")).to_contain_text("penny")
    expect(page.locator("#content-main")).to_contain_text("Paid for, not used yet")
    page.shot("staff costs")
