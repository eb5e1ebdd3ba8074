from django.contrib import admin
from django.urls import include, path

from astria_portal import callback_views, views

admin.site.site_header = "Astria Portal staff"
admin.site.site_title = "Astria Portal staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for it on pages that name no icon (the admin, plain error pages).
    path("favicon.ico", views.favicon),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("callbacks/<slug:kind>/<uuid:code>/", callback_views.callback, name="callback"),
    path("tunes/", include("tunes.urls")),
    path("prompts/", include("prompts.urls")),
    path("", include("monitoring.urls")),
    path("admin/", admin.site.urls),
]
