"""Send callbacks (§7): one POST per finished tune or prompt, never retried."""

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from .clock import iso, now_ms

TIMEOUT_SECONDS = 10


@dataclass
class Job:
    kind: str  # "tune" or "prompt"
    object_id: int
    url: str
    body: dict


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a second request; Astria sends exactly one.
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies: the emulator talks straight to the portal, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def dispatch(state, jobs):
    """Send each job on its own daemon thread so nothing waits for a slow receiver."""
    for job in jobs:
        threading.Thread(
            target=_send, args=(state, job), name="emulator-callback", daemon=True
        ).start()


def _send(state, job):
    entry = {
        "kind": job.kind,
        "object_id": job.object_id,
        "url": job.url,
        "time": iso(now_ms()),
        "status": None,
        "error": None,
        "dropped": False,
        "body": job.body,
    }
    with state.lock:
        enabled = state.config["callbacks_enabled"]
    if enabled:
        entry["status"], entry["error"] = _post(job.url, job.body)
    else:
        entry["dropped"] = True
    with state.lock:
        state.callback_log.append(entry)


def _post(url, body):
    """POST the JSON body once; return (status answered or None, error text or None)."""
    if not url.lower().startswith(("http://", "https://")):
        return None, "Callback URL must be http or https"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "astria-emulator"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(exc)
