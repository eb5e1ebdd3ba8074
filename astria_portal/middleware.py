"""Response headers that Django's SecurityMiddleware and django-csp do not set, and the
bucket's place in the Content-Security-Policy."""

from django.conf import settings
from django.core.files.storage import default_storage


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # Other sites may not embed the portal's images, scripts or files.
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware


def bucket_images(get_response):
    """With media in a bucket, let pages show the images it serves: the photo, image and
    thumbnail views redirect there, and browsers check a redirected image against the
    page's img-src. On the local disk nothing changes."""

    def middleware(request):
        response = get_response(request)
        origin = getattr(default_storage, "origin", None)
        if origin:
            update = getattr(response, "_csp_update", None) or {}
            images = [*update.get("img-src", ()), origin]
            response._csp_update = {**update, "img-src": images}
        return response

    return middleware
