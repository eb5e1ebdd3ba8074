"""python -m drills.billing: people buy credits through Stripe on loopback, and spend them.

The portal runs as processes (web, worker, emulator) in credits mode, its Stripe on
loopback: localstripe, with Checkout Sessions from recorded payloads in front of it
(drills/stripe_checkout.py). Two runs, each with its own people:

- "dropped": every webhook is lost; only the reconciler (run here as its schedule
  runs it) can credit the payments and take back a refund.
- "tripled": every webhook is delivered three times, shuffled, several at once.

In each run everyone buys a pack, trains a test-mode fine-tune and then posts more
prompts at once than their credits pay for; one person's payment is refunded. The
counts: every paid session credited exactly once, every refund taken back once,
every balance equal to the sum of its ledger, no charge ever below zero.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from drills.drill import say, wait_for_trained
from drills.localstripe import running_localstripe
from drills.portal import Person
from drills.stack import Stack
from drills.stripe_checkout import CheckoutStandin, deliver

SECRET_KEY = "sk_test_drill"  # noqa: S105
WEBHOOK_SECRET = "whsec_drill"  # noqa: S105
PACK_CREDITS, TUNE_CREDITS, IMAGE_CREDITS = 500, 100, 50
# 500 - 100 for the tune leaves 400: four prompts of two images; seven are tried at once.
PROMPTS_TRIED = 7


def buy(person, standin, pack_id):
    response = person.post(f"/billing/buy/{pack_id}/", {}, form_path="/accounts/")
    assert response.status_code == 302, f"buy answered {response.status_code}"
    pay_page = response.headers["Location"]
    assert pay_page.startswith(f"{standin.base}/c/pay/"), pay_page
    # The person pays on the (stand-in) hosted page and comes back to the portal.
    paid = person.session.post(pay_page, allow_redirects=False, timeout=30)
    assert paid.status_code == 303, paid.status_code
    return pay_page.rsplit("/", 1)[1]


def spend(drill_people, limit):
    codes = {}
    for person in drill_people:
        codes[person] = person.create_tune(f"{person.username} credits")
        assert codes[person], f"{person.username}'s fine-tune was refused"
    wait_for_trained(None, limit)

    def one(args):
        person, n = args
        return person.create_prompt(codes[person], f"a portrait of a woman, take {n}")

    jobs = [(person, n) for person in drill_people for n in range(PROMPTS_TRIED)]
    with ThreadPoolExecutor(8) as pool:
        accepted = list(pool.map(one, jobs))
    return accepted.count(True)


def run(name, stack, standin, pack_id, people, limit):
    from billing import ledger, tasks
    from billing.models import Checkout, CreditEntry, StripeEvent

    say(f"== Run {name}: {people} people buy {PACK_CREDITS} credits each")
    crowd = [Person(stack.web_urls, f"{name}{n}") for n in range(people)]
    for person in crowd:
        person.sign_up(stack.mail_dir)
    sessions = [buy(person, standin, pack_id) for person in crowd]
    refunded = Checkout.objects.get(session_id=sessions[0])
    refunded_pi = standin.sessions[sessions[0]]["payment_intent"]
    users = [checkout.user_id for checkout in Checkout.objects.filter(session_id__in=sessions)]

    if name == "dropped":
        tasks.reconcile_payments()
        tasks.reconcile_payments()  # again: nothing twice
    else:
        events = [made for made in standin.events if made["data"]["object"]["id"] in sessions]
        deliveries = [made for made in events for _ in range(3)]
        random.shuffle(deliveries)
        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(lambda made: deliver(stack.webhook, made, WEBHOOK_SECRET),
                                     deliveries))  # fmt: skip
        assert set(statuses) == {200}, statuses
        wait_for(lambda: not StripeEvent.objects.filter(applied_at__isnull=True).exists(), limit)
        recorded = StripeEvent.objects.filter(event_id__in=[made["id"] for made in events])
        say(f"  {len(deliveries)} deliveries of {len(events)} events: {recorded.count()} recorded")
    credited = Checkout.objects.filter(session_id__in=sessions, status="credited").count()
    say(f"  {credited} of {len(sessions)} paid sessions credited")

    accepted = spend(crowd, limit)
    say(f"  {accepted} of {len(crowd) * PROMPTS_TRIED} prompts tried at once were taken")

    made = standin.refund(refunded_pi)
    if name == "dropped":
        tasks.reconcile_payments()
    else:
        for _ in range(3):
            deliver(stack.webhook, made, WEBHOOK_SECRET)
        wait_for(lambda: not StripeEvent.objects.filter(applied_at__isnull=True).exists(), limit)

    problems = []
    purchases = CreditEntry.objects.filter(kind="purchase", user_id__in=users)
    if purchases.count() != len(sessions) or credited != len(sessions):
        problems.append(f"{purchases.count()} purchases for {len(sessions)} paid sessions")
    taken = CreditEntry.objects.filter(kind="refunded", checkout=refunded).count()
    if taken != 1:
        problems.append(f"the refund was taken back {taken} times")
    if accepted != len(crowd) * 4:
        problems.append(f"{accepted} prompts taken, {len(crowd) * 4} paid for")
    if CreditEntry.objects.filter(kind__in=["tune", "images"], balance_after__lt=0).exists():
        problems.append("a charge overdrew a balance")
    if ledger.differences():
        problems.append(f"balances differ from their ledgers: {ledger.differences()}")
    balances = {user: ledger.balance(user) for user in users}
    say(f"  balances after the refund of {crowd[0].username}'s payment: {balances}")
    return problems


def wait_for(condition, limit, every=0.5):
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit:
            raise SystemExit("FAILED: the worker did not apply the webhooks in time")
        time.sleep(every)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m drills.billing", description=__doc__)
    parser.add_argument("--people", type=int, default=3)
    parser.add_argument("--limit", type=int, default=180, help="seconds to wait at most")
    args = parser.parse_args(argv)
    started = time.monotonic()
    folder = tempfile.mkdtemp(prefix="drill-billing-")
    with running_localstripe() as localstripe:
        standin = CheckoutStandin(localstripe, SECRET_KEY, WEBHOOK_SECRET).start()
        stack = Stack(folder, database_url=os.environ.get("DRILL_DATABASE_URL"))
        stack.env.update(
            BILLING_MODE="credits",
            CREDITS_PER_TUNE=str(TUNE_CREDITS),
            CREDITS_PER_IMAGE=str(IMAGE_CREDITS),
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_API_BASE=standin.base,
        )
        stack.webhook = f"{stack.web_url}/billing/stripe/webhook/"
        os.environ.update(stack.env)
        import django

        django.setup()
        say(f"== Billing drill (files in {folder})")
        with stack:
            from billing.models import CreditPack

            pack = CreditPack.objects.create(
                name="Drill pack", credits=PACK_CREDITS, amount=1000, currency="usd"
            )
            problems = []
            for name in ("dropped", "tripled"):
                problems += [f"{name}: {p}" for p in run(name, stack, standin, pack.pk,
                                                          args.people, args.limit)]  # fmt: skip
        standin.stop()
    say(f"  time: {time.monotonic() - started:.0f} s")
    if problems:
        say("FAILED: " + "; ".join(problems))
        return 1
    say("OK: every payment credited once, every refund taken back once, no overdraw")
    return 0


if __name__ == "__main__":
    sys.exit(main())
