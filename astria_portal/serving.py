"""Hand a stored file to its owner: after a view's ownership check, or through a signed link.

On the local disk Django streams the file itself. From a private bucket the browser
is redirected to a pre-signed link that expires after MEDIA_LINK_SECONDS and makes
the bucket answer with the same type, disposition and caching headers.

Signed links (/files/...) are what the pages put in their <img> tags: each names one
stored file of one object and expires, and carries an HMAC of both made with
SECRET_KEY, so it is checked without the session. Anyone holding the link may open it
until it expires (at most IMAGE_URL_MAX_AGE seconds after the page was rendered); one
query per request then checks the object still exists, still has that file and may
still be shown, so a deleted or purged file is a 404 at once. A stored file's name is
never reused for other bytes, so the browser may keep it, unasked, for the link's
life ("immutable"), and revalidates with its ETag (304) after that.
"""

import os
import posixpath
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
    HttpResponseRedirect,
)
from django.urls import get_script_prefix
from django.utils.cache import get_conditional_response
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import content_disposition_header, http_date

NO_STORE = "private, no-store"
PREFIX = "files/"
SALT = "astria_portal.serving.signed_link"
# /files/<kind>/<pk>/<expires>/<signature>/<stored file's base name>
LINK = re.compile(
    r"^/files/([a-z])/([0-9]{1,18})/([0-9]{1,12})/([0-9a-f]{32})/([0-9a-zA-Z._-]{1,100})$"
)


def file_response(field, content_type, filename, as_attachment=False):
    storage = field.storage
    if hasattr(storage, "signed_url"):
        response = HttpResponseRedirect(
            storage.signed_url(
                field.name,
                ResponseContentType=content_type,
                ResponseContentDisposition=content_disposition_header(as_attachment, filename),
                ResponseCacheControl=NO_STORE,
            )
        )
    else:
        try:
            opened = field.open("rb")
        except FileNotFoundError:
            raise Http404("The file is gone.") from None
        response = FileResponse(
            opened, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    response["Cache-Control"] = NO_STORE
    return response


# Signed links


@dataclass(frozen=True)
class Stored:
    """What a kind's loader finds for a signed link: the file and how to serve it."""

    field: object  # a FieldFile
    content_type: str
    filename: str


_LOADERS = {}  # kind (one letter) -> function(pk) -> Stored, or None when not to be shown


def field_file(model, field_name, name):
    """The stored file `name` of a model's file field, as a row read with SQL has it."""
    field = model._meta.get_field(field_name)
    return field.attr_class(None, field, name)


def register(kind, loader):
    """Let signed links of this kind be served; loader(pk) makes the one query."""
    if not re.fullmatch(r"[a-z]", kind):
        raise ValueError("a kind is one lower-case letter")
    _LOADERS[kind] = loader


def expiry(now=None):
    """When links made now expire: the end of the next half of IMAGE_URL_MAX_AGE.

    Links made within the same half share it, so a page rendered again names the same
    URLs and the browser's copies serve; each link lives more than half the maximum
    and never more than the maximum.
    """
    half = max(1, settings.IMAGE_URL_MAX_AGE // 2)
    now = int(time.time() if now is None else now)
    return (now // half + 2) * half


def _signature(kind, pk, expires, base, secret):
    message = f"{kind}/{pk}/{expires}/{base}"
    return salted_hmac(SALT, message, secret=secret, algorithm="sha256").hexdigest()[:32]


def signed_url(kind, pk, name, expires=None):
    """The signed link to the stored file `name` of object pk, e.g. for an <img>."""
    expires = expiry() if expires is None else expires
    base = posixpath.basename(name)
    signature = _signature(kind, pk, expires, base, settings.SECRET_KEY)
    return f"{get_script_prefix()}{PREFIX}{kind}/{pk}/{expires}/{signature}/{base}"


def _verified(path):
    """(kind, pk, expires, base) of a well-formed, correctly signed, unexpired link, or None."""
    match = LINK.match(path)
    if not match:
        return None
    kind, pk, expires, signature, base = match.groups()
    if kind not in _LOADERS or int(expires) <= time.time():
        return None
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        if constant_time_compare(signature, _signature(kind, pk, expires, base, secret)):
            return kind, int(pk), int(expires), base
    return None


def signed_files(get_response):
    """Serve /files/... links before the session, login and page middleware run.

    Nothing below it is needed: the link is the proof of access, and the session would
    cost a read of the database per image. The security headers SecurityMiddleware
    adds (above this one) still apply.
    """
    prefix = "/" + PREFIX

    def middleware(request):
        if not request.path_info.startswith(prefix):
            return get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = serve_signed(request)
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["X-Frame-Options"] = "DENY"
        return response

    return middleware


def _not_found():
    response = HttpResponseNotFound(b"Not found\n", content_type="text/plain")
    response["Cache-Control"] = NO_STORE
    return response


def serve_signed(request):
    verified = _verified(request.path_info)
    if verified is None:
        return _not_found()
    kind, pk, expires, base = verified
    stored = _LOADERS[kind](pk)
    if stored is None or not stored.field or posixpath.basename(stored.field.name) != base:
        return _not_found()
    seconds = max(0, min(expires - int(time.time()), settings.IMAGE_URL_MAX_AGE))
    download = request.GET.get("download") == "1"
    disposition = content_disposition_header(download, stored.filename)
    storage = stored.field.storage
    if hasattr(storage, "signed_url"):
        # The bucket's own link; the browser may keep this redirect while both links live.
        seconds = min(seconds, storage.querystring_expire // 2)
        cache = f"private, max-age={seconds}, immutable"
        response = HttpResponseRedirect(
            storage.signed_url(
                stored.field.name,
                ResponseContentType=stored.content_type,
                ResponseContentDisposition=disposition,
                ResponseCacheControl=cache,
            )
        )
        response["Cache-Control"] = f"private, max-age={seconds}"
        return response
    try:
        path = stored.field.path
        modified = int(os.stat(path).st_mtime)
    except FileNotFoundError:
        return _not_found()
    etag = f'"{base}"'  # the name is never reused for other bytes
    headers = {
        "Cache-Control": f"private, max-age={seconds}, immutable",
        "ETag": etag,
        "Last-Modified": http_date(modified),
    }
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        try:
            opened = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
        except FileNotFoundError:
            return _not_found()
        response = FileResponse(opened, content_type=stored.content_type)
        response["Content-Disposition"] = disposition
    for header, value in headers.items():
        response[header] = value
    return response


# Reading a stored file a chunk at a time


class Chunks:
    """An open stored file, read a chunk at a time: iterate over it, then close it."""

    def __init__(self, chunks, close):
        self._chunks = chunks
        self.close = close

    def __iter__(self):
        return iter(self._chunks)


def open_chunks(field, chunk_size=File.DEFAULT_CHUNK_SIZE):
    """Open a stored file to read it a chunk at a time, never whole (a Chunks).

    Raises FileNotFoundError now if the file is gone.
    """
    storage = field.storage
    if hasattr(storage, "open_chunks"):
        return storage.open_chunks(field.name, chunk_size)
    source = storage.open(field.name, "rb")
    return Chunks(source.chunks(chunk_size), source.close)
