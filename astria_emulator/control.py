"""The `/_emulator/` control surface for tests and demos (not part of Astria; no auth)."""

import json
import re

from . import transitions
from .clock import now_ms
from .faults import FaultError
from .lifecycle import dependencies, tick
from .prompt_records import is_finished
from .render import CALLBACK_BODIES, prompt_json, tune_json
from .transitions import DEFAULT_MESSAGES, DEFAULT_SIGNALS, SIGNALS
from .wire import error, json_response, not_found

HELP = {
    "POST /_emulator/reset": "clear everything but the gallery tunes; restore config and balance",
    "GET|POST /_emulator/config": "train_seconds, prompt_seconds, idempotency, balance_mc, "
    "callbacks_enabled, callback_body (full|thin|bare|empty)",
    "GET|POST|DELETE /_emulator/faults": "list, add or clear fault rules",
    "POST /_emulator/tunes/<id>/fail|finish|expire": "force a tune's lifecycle; fail takes "
    '{"user_error": "...", "signal": "failed_at|user_error|both|silent"}',
    "POST /_emulator/prompts/<id>/fail|finish": "force a prompt's lifecycle (fail: as tunes)",
    "POST /_emulator/fail-next-tune": '{"title": "<substring or null>", "user_error": "...", '
    '"signal": "failed_at (default)|user_error|both|silent"}',
    "POST /_emulator/fail-next-prompt": '{"text": "<substring or null>", "user_error": "...", '
    '"signal": "both (default)|failed_at|user_error|silent"}',
    "GET|DELETE /_emulator/requests": "API requests received",
    "GET|DELETE /_emulator/callbacks": "callbacks sent (status answered, or error, or dropped)",
    "GET /_emulator/state": "counts of tunes and prompts, balance, pending failures",
}
_CONFIG_TYPES = {
    "train_seconds": (int, float),
    "prompt_seconds": (int, float),
    "idempotency": bool,
    "callbacks_enabled": bool,
    "callback_body": str,
    "balance_mc": int,
}


def handle(state, request):
    path = request.path.rstrip("/")
    try:
        data = json.loads(request.body) if request.body.strip() else {}
    except ValueError:
        return error(400, "Body is not valid JSON")
    if not isinstance(data, dict):
        return error(400, "Body must be a JSON object")
    route = (request.method, path)

    if path == "/_emulator":
        return json_response(200, HELP)
    if route == ("POST", "/_emulator/reset"):
        state.reset()
        return json_response(200, _config(state))
    if path == "/_emulator/config":
        return _update_config(state, data) if request.method == "POST" else _show_config(state)
    if path == "/_emulator/faults":
        return _faults(state, request.method, data)
    if route == ("POST", "/_emulator/fail-next-tune"):
        return _fail_next(state, "tune", data.get("title"), data)
    if route == ("POST", "/_emulator/fail-next-prompt"):
        return _fail_next(state, "prompt", data.get("text"), data)
    if path in ("/_emulator/requests", "/_emulator/callbacks"):
        log = state.request_log if path.endswith("requests") else state.callback_log
        with state.lock:
            if request.method == "DELETE":
                log.clear()
            return json_response(200, list(log))
    if path == "/_emulator/state":
        return _counts(state)

    match = re.fullmatch(r"/_emulator/(tunes|prompts)/(\d+)/(fail|finish|expire)", path)
    if match and request.method == "POST":
        kind, object_id, action = match.group(1), int(match.group(2)), match.group(3)
        signal = data.get("signal") or DEFAULT_SIGNALS[kind[:-1]]
        if signal not in SIGNALS:
            return error(400, f"signal must be one of {', '.join(SIGNALS)}")
        if kind == "tunes":
            return _force_tune(state, object_id, action, data.get("user_error"), signal)
        if action != "expire":
            return _force_prompt(state, object_id, action, data.get("user_error"), signal)
    return not_found()


def _config(state):
    with state.lock:
        return {**state.config, "balance_mc": state.balance_mc}


def _show_config(state):
    return json_response(200, _config(state))


def _update_config(state, data):
    for key, value in data.items():
        expected = _CONFIG_TYPES.get(key)
        if expected is None:
            return error(400, f"Unknown config key {key}")
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            return error(400, f"Bad value for {key}")
        if key == "callback_body":
            if value not in CALLBACK_BODIES:
                return error(400, f"callback_body must be one of {', '.join(CALLBACK_BODIES)}")
        elif expected is not bool and value < 0:
            return error(400, f"{key} must not be negative")
    with state.lock:
        for key, value in data.items():
            if key == "balance_mc":
                state.balance_mc = value
            else:
                state.config[key] = float(value) if key.endswith("_seconds") else value
        state.save()
    return _show_config(state)


def _faults(state, method, data):
    if method == "POST":
        try:
            return json_response(201, state.faults.add(data))
        except FaultError as exc:
            return error(400, str(exc))
    if method == "DELETE":
        state.faults.clear()
    return json_response(200, state.faults.list())


def _fail_next(state, kind, match, data):
    signal = data.get("signal") or DEFAULT_SIGNALS[kind]
    if signal not in SIGNALS:
        return error(400, f"signal must be one of {', '.join(SIGNALS)}")
    message = data.get("user_error") or DEFAULT_MESSAGES[kind]
    rule = {"kind": kind, "match": match or None, "user_error": message, "signal": signal}
    with state.lock:
        state.pending_failures.append(rule)
        return json_response(201, rule)


def _force_tune(state, tune_id, action, message, signal):
    with state.lock:
        tune = state.live_tune(tune_id)
        if tune is None or tune["gallery"]:
            return not_found()
        now = now_ms()
        if action == "expire":
            transitions.remove_tune(state, tune, now, expired=True)
            state.save()
            return json_response(200, {"id": tune_id, "expired": True})
        if tune["failed"]:
            return error(409, "Tune has already failed")
        if action == "fail":
            if tune["trained_at"] is not None:
                return error(409, "Tune is already trained")
            transitions.mark_tune_failed(state, tune, message, signal, now)
        else:
            tune["fail_with"] = None
            tune["start_due"] = min(tune["start_due"], now)
            tune["train_due"] = min(tune["train_due"], now)
    tick(state)
    with state.lock:
        return json_response(200, tune_json(state, tune))


def _force_prompt(state, prompt_id, action, message, signal):
    with state.lock:
        prompt = state.live_prompt(prompt_id)
        if prompt is None:
            return not_found()
        now = now_ms()
        if prompt["failed"]:
            return error(409, "Prompt has already failed")
        if action == "fail":
            if is_finished(prompt):
                return error(409, "Prompt is already done")
            transitions.mark_prompt_failed(state, prompt, message, signal, now)
        elif not is_finished(prompt):
            problem, ready = dependencies(state, prompt)
            if problem or not ready:
                return error(409, problem or "Prompt is still waiting for its tune to train")
            if prompt["started_training_at"] is None:
                transitions.start_prompt(prompt, 0, now)
            prompt["fail_with"] = None
            prompt["generate_due"] = min(prompt["generate_due"], now)
    tick(state)
    with state.lock:
        return json_response(200, prompt_json(state, prompt))


def _counts(state):
    with state.lock:
        tunes = [tune for tune in state.tunes.values() if not tune["gallery"]]
        prompts = list(state.prompts.values())
        body = {
            "tunes": {
                "total": len(tunes),
                "live": sum(1 for tune in tunes if state.live_tune(tune["id"])),
                "deleted": sum(1 for tune in tunes if tune["deleted_at"] is not None),
                "expired": sum(1 for tune in tunes if tune["expired"]),
                "failed": sum(1 for tune in tunes if tune["failed"]),
                "trained": sum(1 for tune in tunes if tune["trained_at"] is not None),
            },
            "prompts": {
                "total": len(prompts),
                "live": sum(1 for prompt in prompts if state.live_prompt(prompt["id"])),
                "deleted": sum(1 for prompt in prompts if prompt["deleted_at"] is not None),
                "failed": sum(1 for prompt in prompts if prompt["failed"]),
                "done": sum(1 for prompt in prompts if prompt["trained_at"] is not None),
            },
            "files": len(state.files),
            "balance_mc": state.balance_mc,
            "pending_failures": list(state.pending_failures),
        }
        return json_response(200, body)
