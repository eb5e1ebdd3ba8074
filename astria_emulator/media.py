"""The media host: stored files and the mock checkpoint, on a port of their own.

Astria hands out file URLs on another host than its API (`https://mp.astria.ai/<key>`,
older records `https://sdbooth2-production.s3.amazonaws.com/<key>`), served like
a public bucket: no key, the 28-character object key is the secret. Nothing
else answers here: not the API, not the control surface. Fault rules apply.
"""

from . import faults
from .server import Handler, Server
from .wire import Response, not_found

MOCK_CHECKPOINT = b"astria-emulator mock checkpoint\n"


class MediaHandler(Handler):
    log_prefix = "media: "

    def respond(self, state, request, raw_path):
        return faults.answer(state, request, serve_file)


def media_server(address, state):
    return Server(address, state, MediaHandler)


def serve_file(state, request):
    if request.method not in ("GET", "HEAD"):
        return not_found()
    if request.path == "/mock":
        return Response(200, MOCK_CHECKPOINT, content_type="application/octet-stream")
    found = state.read_file(request.path.removeprefix("/"))
    if found is None:
        return not_found()
    data, content_type = found
    return Response(200, data, content_type=content_type)
