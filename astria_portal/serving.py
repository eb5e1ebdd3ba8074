"""Hand a stored file to its owner, after the view's ownership check (RELIABILITY.md §3.4).

On the local disk Django streams the file itself. From a private bucket the browser
is redirected to a pre-signed link that expires after MEDIA_LINK_SECONDS and makes
the bucket answer with the same type, disposition and caching headers.
"""

from django.core.files import File
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

NO_STORE = "private, no-store"


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
