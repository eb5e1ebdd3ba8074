"""allauth's sign-up and password reset, with the portal's limits (accounts.views):
included before allauth.urls, under the same names, so they take their place."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="account_signup"),
    path("password/reset/", views.PasswordResetView.as_view(), name="account_reset_password"),
]
