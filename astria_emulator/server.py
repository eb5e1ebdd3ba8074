"""The API's HTTP server: routing, auth, body limits, fault rules, logging.

Stored files are not served here but by the media host (media.py), as Astria
serves them from mp.astria.ai rather than api.astria.ai.
"""

import hmac
import logging
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from . import control, faults, inspection, likes, packs, prompts, tunes, users
from .bodies import BadRequest, parse_query
from .clock import iso, now_ms
from .wire import Request, error, not_found

logger = logging.getLogger("astria_emulator")

MAX_BODY_BYTES = 64 * 1024 * 1024

ROUTES = [
    ("GET", r"/tunes", tunes.list_tunes),
    ("POST", r"/tunes", tunes.create_tune),
    ("GET", r"/tunes/(\d+)", tunes.get_tune),
    ("PATCH", r"/tunes/(\d+)", tunes.update_tune),
    ("PUT", r"/tunes/(\d+)", tunes.update_tune),
    ("DELETE", r"/tunes/(\d+)", tunes.delete_tune),
    ("GET", r"/tunes/(\d+)/prompts", prompts.list_tune_prompts),
    ("POST", r"/tunes/(\d+)/prompts", prompts.create_prompt),
    ("GET", r"/tunes/(\d+)/prompts/(\d+)", prompts.get_tune_prompt),
    ("DELETE", r"/tunes/(\d+)/prompts/(\d+)", prompts.delete_tune_prompt),
    ("GET", r"/prompts", prompts.list_prompts),
    ("GET", r"/prompts/(\d+)", prompts.get_prompt),
    ("DELETE", r"/prompts/(\d+)", prompts.delete_prompt),
    ("POST", r"/prompts/(\d+)/likes?", likes.like_prompt),
    ("GET", r"/users", users.show_user),
    ("GET", r"/packs", packs.list_packs),
    ("GET", r"/gallery/packs", packs.list_gallery_packs),
    ("GET", r"/p/(\d+|[a-z0-9][a-z0-9-]*)", packs.get_pack),
    ("POST", r"/p/(\d+|[a-z0-9][a-z0-9-]*)/tunes", packs.create_pack_tune),
    ("POST", r"/images/inspect", inspection.inspect_image),
]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, state, handler=None):
        self.state = state
        super().__init__(address, handler or ApiHandler)


class Handler(BaseHTTPRequestHandler):
    """Read a request into a `Request`, answer it with `respond`, log one line."""

    server_version = "AstriaEmulator/1.0"
    log_prefix = ""

    def do_GET(self):
        self._handle()

    do_HEAD = do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def log_message(self, format, *args):
        pass  # one line per request is written by _handle, without any headers

    def _handle(self):
        state = self.server.state
        raw_path, _, query_string = self.path.partition("?")
        path = unquote(raw_path)
        path = path[: -len(".json")] if path.endswith(".json") else path

        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            status = 400 if length < 0 else 413
            message = "Bad Content-Length" if length < 0 else "Request body too large"
            self._discard(length)
            self.close_connection = True
            logger.info("%s%s %s %s", self.log_prefix, self.command, raw_path, status)
            self._write(error(status, message))
            return

        request = Request(
            method=self.command,
            path=path,
            query=parse_query(query_string),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        try:
            response = self.respond(state, request, raw_path)
        except Exception:
            # A bug must still produce an answer; the traceback goes to the log.
            logger.exception("Unhandled error for %s %s", self.command, raw_path)
            response = error(500, "Internal server error")

        # Logged before answering, so the line exists by the time the client has the reply.
        outcome = "dropped" if response.drop else response.status
        logger.info("%s%s %s %s", self.log_prefix, self.command, raw_path, outcome)
        self._write(response)

    def respond(self, state, request, raw_path):
        raise NotImplementedError

    def _discard(self, length):
        """Read and drop an oversized body, so the client sees the 413 instead of a reset.

        A body far beyond the cap is not worth reading: the connection just closes.
        """
        if not MAX_BODY_BYTES < length <= 4 * MAX_BODY_BYTES:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1024 * 1024))
            if not chunk:
                return
            length -= len(chunk)

    def _write(self, response):
        if response.drop:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout was shorter than a fault's delay)


class ApiHandler(Handler):
    def respond(self, state, request, raw_path):
        if request.path == "/_emulator" or request.path.startswith("/_emulator/"):
            return control.handle(state, request)
        generation = state.generation
        response = faults.answer(state, request, _api)
        _record(state, request, raw_path, response, generation)
        return response


def _record(state, request, raw_path, response, generation):
    """Add an API call to the request log (/_emulator/requests) as the client saw it."""
    with state.lock:
        if state.generation != generation:
            return  # a reset came while a delayed answer was pending: that call is history
        state.request_log.append(
            {
                "method": request.method,
                "path": raw_path,
                "status": None if response.drop else response.status,
                "time": iso(now_ms()),
                "title": response.log.get("title"),
                "object_id": response.log.get("object_id"),
                "idempotent": response.log.get("idempotent", False),
                "fault": response.log.get("fault"),
            }
        )


def _route(request):
    """Return (handler, integer path arguments) for an API request, or (None, None)."""
    for method, pattern, handler in ROUTES:
        match = re.fullmatch(pattern, request.path)
        if match and method == request.method:
            # Ids are integers; a pack may also be named by its slug (`/p/:id`).
            return handler, [int(g) if g.isdigit() else g for g in match.groups()]
    return None, None


def _api(state, request):
    handler, arguments = _route(request)
    if handler is None:
        return not_found()
    if not _authorized(state, request):
        return error(401, "Unauthorized")
    try:
        return handler(state, request, *arguments)
    except BadRequest as exc:
        return error(400, str(exc))


def _authorized(state, request):
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return False
    return hmac.compare_digest(key.strip().encode(), state.api_key.encode())
