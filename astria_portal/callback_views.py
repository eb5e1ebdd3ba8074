"""The endpoint Astria calls when a tune or prompt finishes (RELIABILITY.md §1.5–1.7).

It answers fast and makes no outbound request: verify the per-object token,
record a receipt (one per distinct body), enqueue a refresh in the same
transaction, answer 204. The body is only a hint: the refresh task re-reads
the object from Astria with our key and applies that.
"""

import hashlib
import json
import logging

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from astria_portal.callbacks import KINDS, token_is_valid
from astria_portal.models import CallbackReceipt

log = logging.getLogger(__name__)


def _remote_id(body, kind):
    """The id the body claims, for the record only; never trusted for state."""
    try:
        data = json.loads(body)
        data = data.get(kind, data)
        return int(data["id"])
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return None


@csrf_exempt
@require_POST
def callback(request, kind, code):
    if kind not in KINDS:
        raise Http404
    model_label, refresh_task = KINDS[kind]
    model = apps.get_model(model_label)
    job = model.objects.filter(code=code).only("pk", "code", "callback_secret", "status").first()
    if job is None or not token_is_valid(kind, code, job.callback_secret, request.GET.get("token")):
        log.warning("Rejected a %s callback with a bad token", kind)
        raise Http404

    body = request.body
    digest = hashlib.sha256(body).hexdigest()
    act = job.status in model.AWAITING
    verdict = CallbackReceipt.Verdict.REFRESH if act else CallbackReceipt.Verdict.IGNORED
    try:
        # Insert first and let the unique constraint find a repeat: a new callback,
        # the usual case, then costs one INSERT and the task's, in one transaction.
        with transaction.atomic():
            CallbackReceipt.objects.create(
                kind=kind,
                object_code=code,
                body_sha256=digest,
                remote_id=_remote_id(body, kind),
                verdict=verdict,
            )
            if act:
                async_task(refresh_task, job.pk)
    except IntegrityError:
        # The same body again: count it and act on nothing.
        CallbackReceipt.objects.filter(kind=kind, object_code=code, body_sha256=digest).update(
            times_received=F("times_received") + 1, last_received_at=timezone.now()
        )
    return HttpResponse(status=204)
