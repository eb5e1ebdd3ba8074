from django import template

from billing import ledger, payments
from billing.models import Checkout, CreditEntry, CreditPack

register = template.Library()


@register.inclusion_tag("billing/_account_credits.html", takes_context=True)
def credits_section(context):
    """The account page's credits: balance, packs to buy, history, purchases."""
    user = context["request"].user
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "balance": ledger.balance(user.id),
        "packs": CreditPack.objects.filter(on_sale=True) if payments.enabled() else [],
        "entries": CreditEntry.objects.filter(user=user)[:20],
        "checkouts": Checkout.objects.filter(user=user).select_related("pack")[:10],
    }
