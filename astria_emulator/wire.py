"""The small request and response types the route handlers work with."""

import json
from dataclasses import dataclass, field

from .bodies import parse_body


@dataclass
class Request:
    method: str
    path: str  # without the query string and without a trailing ".json"
    query: dict
    headers: dict  # lower-cased names
    body: bytes = b""
    _params: dict = None

    def params(self):
        """Decode the body once (raises bodies.BadRequest)."""
        if self._params is None:
            self._params = parse_body(self.headers.get("content-type", ""), self.body)
        return self._params

    def is_json(self):
        return self.headers.get("content-type", "").lower().startswith("application/json")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    log: dict = field(default_factory=dict)  # extra fields for the request log


def json_response(status, data, **log):
    body = json.dumps(data).encode("utf-8")
    return Response(status, body, log=log)


def error(status, message):
    return json_response(status, {"error": message})


def not_found():
    return error(404, "Not found")


def root_object(request, key):
    """Return the hash under `key` (`tune`, `prompt`).

    Rails wraps a JSON body without its root key (ParamsWrapper), so a bare JSON
    object is taken as the hash itself; form bodies must use the bracketed keys.
    """
    params = request.params()
    value = params.get(key)
    if isinstance(value, dict):
        return value
    if request.is_json() and key not in params:
        return params
    return {}
