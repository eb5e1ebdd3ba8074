"""The portal's URLs and one view that fails the way a bug would."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from astria_portal.callbacks import callback_token

log = logging.getLogger("tunes.tasks")


@csrf_exempt
def fail(request):
    if request.user.is_authenticated and request.GET.get("code"):
        code = request.GET["code"]
        callback = f"{settings.PUBLIC_BASE_URL}/callbacks/tune/{code}/?token="
        callback += callback_token("tune", code, "nonce")
        api_key = settings.ASTRIA_API_KEY
        log.info("Asked Astria with %s to call back at %s", api_key, callback)
        raise RuntimeError(f"Astria was never told about {callback}")
    return HttpResponse("not failing")


urlpatterns = [path("fail/", fail), path("", include("astria_portal.urls"))]
