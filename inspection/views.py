"""Photo inspection before training: Astria's ``POST /images/inspect``, proxied.

static/js/inspection.js sends each chosen photo here, one at a time, while the user
fills in the tune form, and shows the findings on the photo's tile. Astria's docs
say this call "needs to be proxied by your server to avoid exposing your API key".
Inspection is advice, never a gate: when it fails or is slow the answer says so
quietly (``"checked": false``), the failure is logged, and training goes on.
Without JavaScript nothing is inspected and the form works as before.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from astria_portal import astria, throttle
from astria_portal.astria import INSPECTION_FINDINGS

log = logging.getLogger(__name__)

# Connect fast; Astria inspects in a few seconds. Longer is "not checked", not an error.
TIMEOUT = (5, 20)
MAX_BYTES = 20 * 1024 * 1024
CLASS_WORD_MAX = 40
INSPECTIONS = throttle.Limit(
    "photo-inspections",
    "PHOTO_INSPECTIONS_PER_HOUR",
    timedelta(hours=1),
    "{limit} photos an hour are inspected; the rest are not checked.",
)


@login_required
@require_POST
def inspect_photo(request):
    upload = request.FILES.get("file")
    name = " ".join((request.POST.get("name") or "").split())[:CLASS_WORD_MAX].lower()
    if upload is None or not name or upload.size > getattr(settings, "PHOTO_MAX_BYTES", MAX_BYTES):
        return JsonResponse({"checked": False, "reason": "no photo or class"}, status=400)
    try:
        throttle.take(INSPECTIONS, request.user.id)
    except throttle.Throttled:
        return JsonResponse({"checked": False, "reason": "limit"})
    image = ("photo" + _extension(upload.name), upload.read(), upload.content_type or "image/jpeg")
    try:
        with astria.get_client(timeout=TIMEOUT) as client:
            result = client.inspect_image(name=name, image=image)
    except astria.AstriaError as exc:
        log.warning("Photo inspection failed for user %s: %s", request.user.id, exc)
        return JsonResponse({"checked": False})
    notes = [INSPECTION_FINDINGS[key] for key in result.findings]
    if result.name is not None and result.name in ("", "NONE"):
        notes.insert(0, f"no {name} found")
    return JsonResponse(
        {
            "checked": True,
            "findings": list(result.findings),
            "notes": notes,
            "characteristics": dict(result.characteristics),
        }
    )


def _extension(filename):
    dot = (filename or "").rfind(".")
    extension = filename[dot:].lower() if dot >= 0 else ""
    return extension if extension in (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif") else ""
