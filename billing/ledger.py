"""Every change of a user's credits: one ledger entry and one balance update, together.

A charge is one conditional UPDATE (``... WHERE credits >= n``): two concurrent
submissions cannot both spend the last credits, the database serialises the updates
of the balance row and re-checks the condition (R32). Everything else adds or takes
unconditionally (a refunded payment may leave the balance below zero).
Call these inside the transaction that does the work, so a rollback undoes both.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum

from astria_portal.quota import QuotaExceeded
from billing.models import CreditBalance, CreditEntry, Price


def balance(user_id):
    row = CreditBalance.objects.filter(user_id=user_id).first()
    return row.credits if row else 0


def price_of_tune(model_kind):
    row = Price.objects.filter(item=model_kind).first()
    return row.credits if row else settings.CREDITS_PER_TUNE


def price_of_image():
    row = Price.objects.filter(item=Price.IMAGE).first()
    return row.credits if row else settings.CREDITS_PER_IMAGE


def tune_prices():
    """[(model kind, short label, credits)] for every fine-tune model."""
    from tunes.models import MODELS

    rows = dict(Price.objects.values_list("item", "credits"))
    return [
        (kind, model["label"].split(":")[0], rows.get(kind, settings.CREDITS_PER_TUNE))
        for kind, model in MODELS.items()
    ]


def _move(user_id, credits, kind, **fields):
    """Add credits (negative: take) and append the entry; the balance may go negative."""
    CreditBalance.objects.get_or_create(user_id=user_id)
    CreditBalance.objects.filter(user_id=user_id).update(credits=F("credits") + credits)
    after = CreditBalance.objects.get(user_id=user_id).credits
    return CreditEntry.objects.create(
        user_id=user_id, kind=kind, credits=credits, balance_after=after, **fields
    )


def spend(user_id, credits, kind, *, ref="", description=""):
    """Take credits for work, or raise QuotaExceeded with what is missing."""
    with transaction.atomic():
        CreditBalance.objects.get_or_create(user_id=user_id)
        taken = CreditBalance.objects.filter(user_id=user_id, credits__gte=credits).update(
            credits=F("credits") - credits
        )
        if not taken:
            have = balance(user_id)
            raise QuotaExceeded(
                f"This costs {credits} credits and you have {have}: "
                f"{credits - max(have, 0)} more needed. Buy credits on your account page."
            )
        after = CreditBalance.objects.get(user_id=user_id).credits
        return CreditEntry.objects.create(
            user_id=user_id,
            kind=kind,
            credits=-credits,
            balance_after=after,
            ref=ref,
            description=description[:200],
        )


def refund(user_id, ref):
    """Give back the latest charge of ref that was not given back yet: exactly once,
    however often a failure is reported (the refund entry is unique per charge)."""
    with transaction.atomic():
        # The balance row's lock orders concurrent reports: the second sees the first.
        CreditBalance.objects.get_or_create(user_id=user_id)
        CreditBalance.objects.select_for_update().get(user_id=user_id)
        charge = (
            CreditEntry.objects.filter(
                user_id=user_id,
                ref=ref,
                kind__in=[CreditEntry.Kind.TUNE, CreditEntry.Kind.IMAGES],
                refund__isnull=True,
            )
            .order_by("-pk")
            .first()
        )
        if charge is None:
            return None
        return _move(
            user_id,
            -charge.credits,
            CreditEntry.Kind.REFUND,
            ref=ref,
            refund_of=charge,
            description=charge.description,
        )


def grant(user_id, credits, granted_by=None, description=""):
    with transaction.atomic():
        return _move(
            user_id,
            credits,
            CreditEntry.Kind.GRANT,
            granted_by=granted_by,
            description=description[:200],
        )


def add(user_id, credits, kind, **fields):
    """For billing.payments: purchases (positive) and payments taken back (negative)."""
    with transaction.atomic():
        return _move(user_id, credits, kind, **fields)


def differences():
    """Users whose balance is not the sum of their entries: {user_id: (balance, sum)}."""
    sums = dict(
        CreditEntry.objects.values("user_id")
        .annotate(total=Sum("credits"))
        .values_list("user_id", "total")
    )
    rows = dict(CreditBalance.objects.values_list("user_id", "credits"))
    return {
        user: (rows.get(user, 0), sums.get(user, 0))
        for user in set(sums) | set(rows)
        if rows.get(user, 0) != sums.get(user, 0)
    }
