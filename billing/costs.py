"""Per user and per month: credits bought and used, what Astria charged, the margin.

Money is in the packs' currency and Astria's dollars alike (one currency assumed):
credits used are valued at what the user paid per credit on average, and the margin
is that value less what Astria charged for the same month's tunes and prompts.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from billing.models import Checkout, CreditBalance, CreditEntry
from prompts.models import Prompt
from tunes.models import Tune

USED = [CreditEntry.Kind.TUNE, CreditEntry.Kind.IMAGES, CreditEntry.Kind.REFUND]
MC_PER_DOLLAR = Decimal(100_000)


def _by_user_month(queryset, user_field, value):
    rows = (
        queryset.annotate(month=TruncMonth("created_at"))
        .values(user_field, "month")
        .annotate(total=Sum(value))
        .values_list(user_field, "month", "total")
    )
    return {(user, month.date()): total or 0 for user, month, total in rows}


def price_per_credit():
    """{user_id: Decimal}: what each user paid per credit, over all kept payments."""
    paid = Checkout.objects.filter(status=Checkout.Status.CREDITED).values("user_id")
    rows = paid.annotate(amount=Sum("amount"), credits=Sum("credits"))
    return {
        row["user_id"]: Decimal(row["amount"]) / 100 / row["credits"]
        for row in rows
        if row["credits"]
    }


def monthly(limit_months=12):
    """Rows, newest month first: user, month, bought, used, astria_usd, estimated, margin."""
    bought = _by_user_month(
        CreditEntry.objects.filter(kind=CreditEntry.Kind.PURCHASE), "user_id", "credits"
    )
    used = _by_user_month(CreditEntry.objects.filter(kind__in=USED), "user_id", "credits")
    tunes = _by_user_month(Tune.objects.all(), "owner_id", "astria_cost_mc")
    prompts = _by_user_month(Prompt.objects.all(), "tune__owner_id", "astria_cost_mc")
    guessed = set(
        _by_user_month(Tune.objects.filter(astria_cost_estimated=True), "owner_id", "id")
    ) | set(
        _by_user_month(Prompt.objects.filter(astria_cost_estimated=True), "tune__owner_id", "id")
    )
    astria = defaultdict(int)
    for key, value in [*tunes.items(), *prompts.items()]:
        astria[key] += value
    rates = price_per_credit()
    names = dict(get_user_model().objects.values_list("id", "username"))
    keys = sorted(set(bought) | set(used) | set(astria), key=lambda k: (k[1], k[0]), reverse=True)
    months = sorted({month for _, month in keys}, reverse=True)[:limit_months]
    rows = []
    for user, month in keys:
        if month not in months:
            continue
        credits_used = -used.get((user, month), 0)
        astria_usd = Decimal(astria[(user, month)]) / MC_PER_DOLLAR
        value = credits_used * rates.get(user, Decimal(0))
        rows.append(
            {
                "user": names.get(user, f"#{user}"),
                "month": month,
                "bought": bought.get((user, month), 0),
                "used": credits_used,
                "astria_usd": astria_usd,
                "estimated": (user, month) in guessed,
                "value": value,
                "margin": value - astria_usd,
            }
        )
    return rows


def unused_liability():
    """Credits paid for and not used yet, and what they were paid."""
    rates = price_per_credit()
    total_credits, total_money = 0, Decimal(0)
    for user, credits in CreditBalance.objects.filter(credits__gt=0).values_list(
        "user_id", "credits"
    ):
        total_credits += credits
        total_money += credits * rates.get(user, Decimal(0))
    return {"credits": total_credits, "money": total_money}
