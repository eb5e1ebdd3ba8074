"""Response headers that Django's SecurityMiddleware and django-csp do not set."""

from django.conf import settings


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Other sites may not embed the portal's images, scripts or files.
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware
