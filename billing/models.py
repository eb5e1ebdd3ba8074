"""Credits: an append-only ledger per user, a balance kept beside it, prices, packs on
sale and the Stripe Checkouts that buy them (README: Credits and payments).

The balance changes only in billing.ledger, in the transaction that appends the entry,
so the two never disagree: the sum of a user's entries is their balance.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from tunes.models import MODELS


class Price(models.Model):
    """What staff charge: credits per fine-tune of a model, or per generated image."""

    IMAGE = "image"

    item = models.CharField(
        max_length=16,
        unique=True,
        choices=[(IMAGE, "Each generated image")]
        + [(kind, f"A fine-tune: {model['label']}") for kind, model in MODELS.items()],
    )
    credits = models.PositiveIntegerField()

    class Meta:
        ordering = ["item"]

    def __str__(self):
        return f"{self.item}: {self.credits} credits"


class CreditPack(models.Model):
    name = models.CharField(max_length=80)
    credits = models.PositiveIntegerField()
    amount = models.PositiveIntegerField(help_text="Price in the currency's smallest unit (cents).")
    currency = models.CharField(max_length=3, default="usd", help_text="ISO code, e.g. usd, eur.")
    on_sale = models.BooleanField(default=True)

    class Meta:
        ordering = ["amount"]

    def __str__(self):
        return f"{self.name} ({self.credits} credits, {self.price_text})"

    @property
    def price_text(self):
        return f"{self.amount / 100:.2f} {self.currency.upper()}"


class CreditBalance(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    credits = models.IntegerField(default=0, help_text="Below zero after a refund or dispute.")

    def __str__(self):
        return f"{self.credits} credits"


class Checkout(models.Model):
    """One Stripe Checkout Session for one pack: credited once, taken back once."""

    class Status(models.TextChoices):
        STARTED = "started", "Started"
        OPEN = "open", "Waiting for payment"
        CREDITED = "credited", "Paid and credited"
        FAILED = "failed", "Payment failed"
        EXPIRED = "expired", "Expired unpaid"
        REVERSED = "reversed", "Refunded or disputed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    pack = models.ForeignKey(CreditPack, on_delete=models.PROTECT)
    credits = models.PositiveIntegerField()
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTED)
    session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    payment_intent = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    credited_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} · {self.pack.name} · {self.get_status_display()}"

    @property
    def price_text(self):
        return f"{self.amount / 100:.2f} {self.currency.upper()}"


class CreditEntry(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Credits bought"
        TUNE = "tune", "Fine-tune"
        IMAGES = "images", "Images"
        REFUND = "refund", "Given back: the work failed"
        GRANT = "grant", "Granted by staff"
        PAYMENT_REFUNDED = "refunded", "Payment refunded"
        PAYMENT_DISPUTED = "disputed", "Payment disputed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    credits = models.IntegerField(help_text="Added (positive) or taken (negative).")
    balance_after = models.IntegerField()
    ref = models.CharField(max_length=64, blank=True, db_index=True, help_text="tune:<code>")
    description = models.CharField(max_length=200, blank=True)
    refund_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    checkout = models.ForeignKey(Checkout, null=True, blank=True, on_delete=models.PROTECT)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "credit entries"
        constraints = [
            # A Checkout is credited once and taken back once, whatever arrives twice.
            models.UniqueConstraint(
                fields=["checkout", "kind"],
                condition=Q(checkout__isnull=False),
                name="one_entry_of_each_kind_per_checkout",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.credits:+d} ({self.get_kind_display()})"


class StripeEvent(models.Model):
    """A webhook received: applied once, by its event id, in a task."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"
