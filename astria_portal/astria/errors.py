"""The exceptions the Astria client raises, and how an HTTP answer maps onto them.

Each class says what the caller should do next:

* ``PermanentError``: the request itself is wrong (422, 402, 400...). Never retry.
  ``NotFound`` (404/410) means the object is gone remotely, ``Unauthorized``
  (401/403) is a configuration error for an operator.
* ``RetryLater``: the request did not take effect (500, 502, 503, 429, or it never
  reached Astria). Retry with backoff, honouring ``retry_after`` when set.
* ``Ambiguous``: the request may have taken effect (504, read timeout, connection
  dropped after sending). For a create, wait >= 60 s and re-POST the same title.

``InvalidResponse`` is a 2xx whose body is not what the contract promises. After a
POST it is also ``Ambiguous`` (Astria answered "success", so the object probably
exists); after any other method it is also ``RetryLater`` (reads, PATCH and DELETE
are idempotent, so asking again is safe).
"""

import email.utils
import json
import math
import re
from datetime import UTC, datetime

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

BODY_LIMIT = 2048
BODY_DEPTH = 20


class AstriaError(Exception):
    def __init__(self, message, *, status=None, body=None, method=None, path=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.method = method
        self.path = path

    def __str__(self):
        where = f"{self.method} {self.path}: " if self.method else ""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{where}{status}{self.message}"

    def __repr__(self):
        return f"{type(self).__name__}({str(self)!r})"


class PermanentError(AstriaError):
    """Astria refused the request; sending it again gives the same answer."""


class NotFound(PermanentError):
    """The object does not exist remotely (deleted, expired or never created)."""


class Unauthorized(PermanentError):
    """The API key is missing, wrong or lacks access: page an operator."""


class RetryLater(AstriaError):
    """The request did not take effect; retry with backoff."""

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Ambiguous(AstriaError):
    """The request may or may not have taken effect ("maybe done")."""


class InvalidResponse(AstriaError):
    """A 2xx answer whose body does not have the promised shape."""


class InvalidCreateResponse(InvalidResponse, Ambiguous):
    """A garbled success after a POST: the object probably exists."""


class InvalidReadResponse(InvalidResponse, RetryLater):
    """A garbled success after an idempotent call: ask again later."""


# 524 is Cloudflare's "origin timed out", the same situation as 504.
GATEWAY_TIMEOUTS = {504, 524}
# 408: the server gave up waiting for our request, so it never ran.
RETRYABLE = {408, 429}
# A bad ASTRIA_API_URL: no point retrying.
CONFIG_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
)


def error_for_response(response, method, path):
    """Build the exception for a non-2xx answer."""
    status = response.status_code
    body = response_body(response)
    message = error_message(body) or response.reason or f"HTTP {status}"
    kwargs = {"status": status, "body": body, "method": method, "path": path}
    if status in GATEWAY_TIMEOUTS:
        return Ambiguous(message, **kwargs)
    if status >= 500 or status in RETRYABLE:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RetryLater(message, retry_after=retry_after, **kwargs)
    if status in (401, 403):
        return Unauthorized(message, **kwargs)
    if status in (404, 410):
        return NotFound(message, **kwargs)
    if status >= 400:
        return PermanentError(message, **kwargs)
    return invalid_response(f"unexpected HTTP {status}", **kwargs)


def invalid_response(message, *, method, **kwargs):
    cls = InvalidCreateResponse if method == "POST" else InvalidReadResponse
    return cls(message, method=method, **kwargs)


def error_for_exception(exc, method, path):
    """Build the exception for a transport failure (no HTTP answer to read)."""
    kwargs = {"method": method, "path": path}
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, requests.ConnectTimeout) or never_connected(exc):
        return RetryLater(message, **kwargs)
    if isinstance(exc, CONFIG_ERRORS):
        return PermanentError(message, **kwargs)
    # Read timeouts, dropped connections, truncated bodies and anything unknown:
    # the request may have been processed.
    return Ambiguous(message, **kwargs)


def never_connected(exc):
    """Tell a refused connection or DNS failure from one dropped mid-request."""
    if isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.ProxyError)):
        return True
    if not isinstance(exc, requests.ConnectionError) or not exc.args:
        return False
    # requests wraps urllib3's MaxRetryError; its reason says why the connect failed.
    reason = getattr(exc.args[0], "reason", None)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


# An error may quote our callback URL back; its token must not reach a log or the admin.
CALLBACK_TOKEN = re.compile(r"(\btoken=)[^&\s\"'\\]+")


def response_body(response):
    """Return the parsed JSON body, else the text, cut to about 2 KB, without
    callback tokens."""
    text = CALLBACK_TOKEN.sub(r"\1[redacted]", response.text)
    if len(text) > BODY_LIMIT:
        return text[:BODY_LIMIT] + "…"
    try:
        body = json.loads(text) if text else ""
    except (ValueError, RecursionError):
        return text
    # Whatever reads the body next (error_message, json.dumps) recurses into it.
    return body if _shallow(body, BODY_DEPTH) else text


def _shallow(value, depth):
    if not isinstance(value, (dict, list)):
        return True
    items = value.values() if isinstance(value, dict) else value
    return depth > 0 and all(_shallow(item, depth - 1) for item in items)


def error_message(body):
    """Astria's message: ``error``, then ``message``, then a field → messages map."""
    if isinstance(body, str):
        # Plain text is worth showing; an HTML error page is not.
        return "" if body.lstrip().startswith("<") else body.strip()[:200]
    if isinstance(body, list):
        return "; ".join(error_message(item) for item in body if error_message(item))
    if not isinstance(body, dict):
        return ""
    for key in ("error", "message"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, (dict, list)) and value:
            return error_message(value)
    if isinstance(body.get("errors"), (dict, list)):
        return error_message(body["errors"])
    parts = []
    for field, messages in body.items():
        if isinstance(messages, str):
            messages = [messages]
        if isinstance(messages, list):
            parts.extend(f"{field} {msg}" for msg in messages if isinstance(msg, str))
    return "; ".join(parts)


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0, math.ceil((when - now).total_seconds()))
