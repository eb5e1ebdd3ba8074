"""Fault rules: make the next N matching calls fail in a chosen way.

Rules apply to API calls and to downloads from the media host (/<key>, /mock),
never to the /_emulator/ control surface.

A rule is a dict:

    {"method": "POST",        # or "*" for any method
     "path": "/tunes",        # regex, re.fullmatch'ed against the path without ".json"
     "status": 504,           # status to answer; null = answer the real response
     "times": 1,              # how many matching calls it applies to
     "probability": 1.0,      # chance that a matching call is hit (0.05: about 1 in 20)
     "after_commit": false,   # process the request for real first, then answer `status`
     "delay": 0.0,            # seconds to sleep before answering
     "drop": false,           # close the connection without any response
     "retry_after": null,     # adds a Retry-After header when set
     "body": null}            # JSON body; defaults to {"error": "<reason phrase>"}
"""

import random
import re
import threading
import time
from http import HTTPStatus

from .wire import Response, json_response

DEFAULTS = {
    "method": "*",
    "path": ".*",
    "status": 500,
    "times": 1,
    "probability": 1.0,
    "after_commit": False,
    "delay": 0.0,
    "drop": False,
    "retry_after": None,
    "body": None,
}


class FaultError(ValueError):
    """The rule sent to /_emulator/faults is malformed."""


def make_rule(data, rule_id):
    if not isinstance(data, dict):
        raise FaultError("A fault rule must be a JSON object")
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise FaultError(f"Unknown fault fields: {', '.join(sorted(unknown))}")
    rule = {**DEFAULTS, **data, "id": rule_id}
    rule["method"] = str(rule["method"]).upper()
    try:
        re.compile(rule["path"])
    except (re.error, TypeError) as exc:
        raise FaultError(f"Bad path pattern: {exc}") from None
    if rule["status"] is not None and not _is_status(rule["status"]):
        raise FaultError("status must be an HTTP status code or null")
    if not isinstance(rule["times"], int) or rule["times"] < 1:
        raise FaultError("times must be a positive integer")
    probability = rule["probability"]
    if isinstance(probability, bool) or not isinstance(probability, (int, float)):
        raise FaultError("probability must be a number between 0 and 1")
    if not 0 < probability <= 1:
        raise FaultError("probability must be a number between 0 and 1")
    if not isinstance(rule["delay"], (int, float)) or rule["delay"] < 0:
        raise FaultError("delay must be a non-negative number of seconds")
    rule["remaining"] = rule["times"]
    return rule


def _is_status(value):
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def fault_body(rule):
    if rule["body"] is not None:
        return rule["body"]
    try:
        phrase = HTTPStatus(rule["status"]).phrase
    except ValueError:
        phrase = "Error"
    return {"error": phrase}


class FaultBook:
    def __init__(self):
        self._random = random.Random()
        self._lock = threading.Lock()
        self._rules = []
        self._next_id = 1

    def add(self, data):
        with self._lock:
            rule = make_rule(data, self._next_id)
            self._next_id += 1
            self._rules.append(rule)
            return dict(rule)

    def list(self):
        with self._lock:
            return [dict(rule) for rule in self._rules]

    def clear(self):
        with self._lock:
            self._rules.clear()

    def take(self, method, path):
        """Use up one application of the first rule matching this call, if any."""
        with self._lock:
            for rule in self._rules:
                if rule["method"] not in ("*", method):
                    continue
                if not re.fullmatch(rule["path"], path):
                    continue
                if rule["probability"] < 1 and self._random.random() >= rule["probability"]:
                    continue
                rule["remaining"] -= 1
                if rule["remaining"] <= 0:
                    self._rules.remove(rule)
                return dict(rule)
        return None


def answer(state, request, handler):
    """Answer through handler, unless a fault rule says otherwise."""
    rule = state.faults.take(request.method, request.path)
    if rule is None:
        return handler(state, request)
    passthrough = rule["after_commit"] or (rule["status"] is None and not rule["drop"])
    response = handler(state, request) if passthrough else Response(0)

    time.sleep(rule["delay"])  # no lock is held here
    log = {**response.log, "fault": rule["id"]}
    if rule["drop"]:
        response = Response(0, drop=True)
    elif rule["status"] is not None:
        response = json_response(rule["status"], fault_body(rule))
    response.log = log
    if rule["retry_after"] is not None:
        response.headers["Retry-After"] = str(rule["retry_after"])
    return response
