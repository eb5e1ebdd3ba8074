"""The endpoint Astria calls when a tune or prompt finishes (RELIABILITY.md §1.5–1.7).

It answers fast and makes no outbound request: verify the per-object token,
record a receipt, enqueue a refresh in the same transaction, answer 204. The
body is only a hint: the refresh task re-reads the object from Astria with our
key and applies that. However many callbacks come, and whatever their bodies,
the cost stays bounded and the answer is never a 5xx (RemoteJob.receive_callback).
"""

import hashlib
import logging

from django.apps import apps
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from astria_portal import astria
from astria_portal.callbacks import KINDS, token_is_valid

log = logging.getLogger(__name__)

PARSERS = {"tune": astria.parse_tune, "prompt": astria.parse_prompt}


def _remote_id(body, kind):
    """The id the body claims, for the record only; never trusted for state."""
    try:
        return PARSERS[kind](body).id
    except astria.InvalidResponse:
        return None


@csrf_exempt
@require_POST
def callback(request, kind, code):
    if kind not in KINDS:
        raise Http404
    model = apps.get_model(KINDS[kind])
    job = model.for_callback(code)
    if job is None or not token_is_valid(kind, code, job.callback_secret, request.GET.get("token")):
        log.warning("Rejected a %s callback with a bad token", kind)
        raise Http404
    if not job.takes_callbacks:
        # Being deleted or gone: there is nothing to record and nothing to refresh.
        return HttpResponse(status=204)
    body = request.body
    job.receive_callback(hashlib.sha256(body).hexdigest(), _remote_id(body, kind))
    return HttpResponse(status=204)
