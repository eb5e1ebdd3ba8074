"""Response headers that Django's SecurityMiddleware and django-csp do not set, the
bucket's place in the Content-Security-Policy, and a page for a busy SQLite file."""

import gzip
import logging
import secrets

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, OperationalError
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

log = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again (Retry-After).
BUSY_RETRY_AFTER = 10
BUSY_TEXT = "The database is busy. Nothing was saved; try again in a few seconds.\n"


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


class CompressedPages(GZipMiddleware):
    """gzip for pages and fragments (HTML, JSON, text), nothing else: images and ZIP
    archives are compressed already, static files come compressed from whitenoise.

    BREACH, Django's way: the CSRF token in a page is masked afresh on every request
    and the middleware adds random bytes to each compressed body (Heal The Breach);
    the session cookie is SameSite=Lax, so another site cannot make the browser send
    the many cookie-carrying requests the attack needs.
    """

    TYPES = ("text/html", "text/plain", "application/json")
    # Django compresses at level 6. Level 2 measured 3x faster on a tune page of 130 KB
    # (0.5 against 1.6 ms) for a body 10% larger: the CPU is what a page waits for.
    LEVEL = 2

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(self.TYPES):
            return response
        if response.streaming or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        if len(response.content) < 200:
            return response
        # As Django's GZipMiddleware does it, at its own level.
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = self.compress(response.content)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response

    def compress(self, content):
        """gzip with 0 to 99 random bytes in the header's file name (Heal The Breach)."""
        body = memoryview(gzip.compress(content, compresslevel=self.LEVEL, mtime=0))
        header = bytearray(body[:10])
        header[3] = gzip.FNAME
        padding = b"a" * secrets.randbelow(self.max_random_bytes) + b"\0"
        return bytes(header) + padding + body[10:]


class DatabaseBusy:
    """SQLite (development) says "database is locked" when another process holds the file
    past the busy timeout: answer any view with a page saying so (503, Retry-After)
    instead of a server error. Production runs PostgreSQL, which never says this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        log.warning("The database was locked past its busy timeout: %s %s", request.method,
                    request.path)  # fmt: skip
        try:
            response = render(request, "503_busy.html", status=503)
        except DatabaseError:  # the page itself needed the database (the session, the user)
            response = HttpResponse(BUSY_TEXT, status=503, content_type="text/plain")
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
