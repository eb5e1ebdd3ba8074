from django.contrib import admin
from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("metrics", views.metrics, name="metrics"),
    path("admin/dashboard/", admin.site.admin_view(views.staff_dashboard), name="dashboard"),
]
