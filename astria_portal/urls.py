from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from astria_portal import callback_views, views

admin.site.site_header = "Astria Portal staff"
admin.site.site_title = "Astria Portal staff"
# Staff log in through the portal's login, with its lockout and second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for it on pages that name no icon (the admin, plain error pages).
    path("favicon.ico", views.favicon),
    path("accounts/", include("accounts.allauth_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("callbacks/<slug:kind>/<uuid:code>/", callback_views.callback, name="callback"),
    path("tunes/", include("tunes.urls")),
    path("prompts/", include("prompts.urls")),
    path("images/", include("gallery.urls")),
    path("billing/", include("billing.urls")),
    path("packs/", include("packs.urls")),
    path("inspect/", include("inspection.urls")),
    path("", include("monitoring.urls")),
    path("admin/", admin.site.urls),
]
