"""Buying credits with Stripe Checkout, and Stripe's webhook."""

import json
import logging

import stripe
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from billing import costs, payments
from billing.models import CreditPack, StripeEvent
from monitoring.dashboard import account_balance

log = logging.getLogger(__name__)


@login_required
@require_POST
def buy(request, pack_id):
    if not payments.enabled():
        raise Http404
    pack = get_object_or_404(CreditPack, pk=pack_id, on_sale=True)
    account = request.build_absolute_uri(reverse("accounts:account"))
    try:
        checkout = payments.start(
            request.user,
            pack,
            success_url=f"{account}?paid=1#credits",
            cancel_url=f"{account}#credits",
        )
    except stripe.StripeError:
        log.exception("Stripe refused a Checkout Session")
        messages.error(request, "Payments are not available right now; please try again later.")
        return redirect(f"{account}#credits")
    return redirect(checkout.session_url, permanent=False)


@csrf_exempt
@require_POST
def webhook(request):
    """Verify Stripe's signature, record the event once by its id, answer at once; a
    task applies it (billing.tasks.apply_stripe_event)."""
    if not payments.enabled():
        raise Http404
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except (ValueError, stripe.SignatureVerificationError):
        log.warning("Rejected a Stripe webhook with a bad signature or body")
        return HttpResponseBadRequest("bad signature")
    payload = json.loads(request.body)
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], payload=payload
            )
            # The ORM broker queues it in this transaction: recorded and queued together.
            async_task("billing.tasks.apply_stripe_event", row.pk)
    except IntegrityError:
        pass  # delivered before: already recorded, applied or about to be
    return HttpResponse(status=200)


def staff_costs(request):
    """Staff only (wrapped in admin_view): what each user costs, per month."""
    if not request.user.has_perm("billing.view_creditentry"):
        raise PermissionDenied
    ctx = {
        **admin.site.each_context(request),
        "title": "What each user costs",
        "subtitle": None,
        "rows": costs.monthly(),
        "unused": costs.unused_liability(),
        "balance": account_balance(),
    }
    return render(request, "billing/staff_costs.html", ctx)
