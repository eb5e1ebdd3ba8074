from django.contrib import admin
from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("buy/<int:pack_id>/", views.buy, name="buy"),
    path("stripe/webhook/", views.webhook, name="stripe_webhook"),
    path("staff/costs/", admin.site.admin_view(views.staff_costs), name="staff_costs"),
]
