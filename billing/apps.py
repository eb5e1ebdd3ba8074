from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Credits and payments"

    def ready(self):
        from astria_portal import quota
        from billing import credits

        quota.register_backend("credits", credits)
