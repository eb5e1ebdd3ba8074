from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("buy/<int:pack_id>/", views.buy, name="buy"),
    path("stripe/webhook/", views.webhook, name="stripe_webhook"),
]
