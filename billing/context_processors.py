from django.conf import settings
from django.utils.functional import SimpleLazyObject


def credits(request):
    """billing_mode for every template; in credits mode the user's balance and prices."""
    if settings.BILLING_MODE != "credits":
        return {"billing_mode": settings.BILLING_MODE}
    from billing import ledger

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"billing_mode": "credits"}

    def looked_up():
        prices = ledger.tune_prices()
        return {
            "balance": ledger.balance(user.id),
            "per_image": ledger.price_of_image(),
            "tune_prices": prices,
            "cheapest_tune": min(price for _, _, price in prices),
            "one_tune_price": len({price for _, _, price in prices}) == 1,
        }

    # Looked up only by a page that shows it.
    return {"billing_mode": "credits", "credits": SimpleLazyObject(looked_up)}
