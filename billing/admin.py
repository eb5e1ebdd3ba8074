from django import forms
from django.contrib import admin

from billing import ledger
from billing.models import Checkout, CreditBalance, CreditEntry, CreditPack, Price, StripeEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    """Credits per fine-tune of each model and per image; an item without a row costs
    CREDITS_PER_TUNE or CREDITS_PER_IMAGE."""

    list_display = ("item", "credits")
    list_editable = ("credits",)


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = ("name", "credits", "amount", "currency", "on_sale")
    list_editable = ("on_sale",)


@admin.register(CreditBalance)
class CreditBalanceAdmin(ReadOnlyAdmin):
    list_display = ("user", "credits")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")


class GrantForm(forms.ModelForm):
    class Meta:
        model = CreditEntry
        fields = ("user", "credits", "description")


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    """The ledger: read only. Adding an entry grants credits (or takes, if negative)."""

    list_display = ("created_at", "user", "kind", "credits", "balance_after", "description")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("user__username", "ref", "description")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = GrantForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "credits", "description")
        return [field.name for field in CreditEntry._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [field.name for field in CreditEntry._meta.fields]

    def save_model(self, request, obj, form, change):
        entry = ledger.grant(
            obj.user_id, obj.credits, granted_by=request.user, description=obj.description
        )
        obj.pk = entry.pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "pack", "credits", "amount", "currency", "status")
    list_filter = ("status",)
    list_select_related = ("user", "pack")
    search_fields = ("user__username", "session_id", "payment_intent", "code")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "type", "event_id", "applied_at")
    list_filter = ("type",)
    search_fields = ("event_id",)
