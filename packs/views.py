"""Users' pages for packs: the packs on offer, a new fine-tune from one, a pack on a
trained fine-tune; and the URL Astria calls as a pack's prompts finish."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.tasks import async_task

from astria_portal import quota, serving, throttle
from astria_portal.callbacks import token_is_valid
from packs import discovery
from packs.models import Pack, PackOrder
from packs.tasks import request_discovery
from tunes import test_mode
from tunes.forms import TuneForm
from tunes.models import Tune
from tunes.views import (
    UploadRefused,
    _email_verified,
    _save_new_tune,
    checked_upload,
    photo_settings,
)

log = logging.getLogger(__name__)


def _offered(pk):
    pack = get_object_or_404(Pack, remote_id=pk, enabled=True, missing_since=None)
    if not pack.is_offered:
        raise Http404("This pack is not offered.")
    return pack


@login_required
@require_GET
def pack_list(request):
    packs = [pack for pack in Pack.objects.filter(enabled=True, missing_since=None) if pack.classes]
    trained = Tune.objects.filter(owner=request.user, status=Tune.Status.TRAINED)
    ctx = {"packs": packs, "trained": list(trained), "allowance": quota.allowance(request.user.id)}
    return render(request, "packs/pack_list.html", ctx)


@login_required
@require_GET
def pack_cover(request, pack_id):
    packs = Pack.objects.all() if request.user.is_staff else Pack.objects.filter(enabled=True)
    pack = get_object_or_404(packs, remote_id=pack_id)
    if not pack.cover:
        raise Http404("No cover kept for this pack.")
    kind = "image/png" if pack.cover.name.endswith(".png") else "image/jpeg"
    return serving.file_response(pack.cover, kind, f"pack-{pack.remote_id}{pack.cover.name[-4:]}")


def pack_form(pack, user, data=None, files=None):
    """The new fine-tune form, with the pack's classes and model, and its photos."""
    if data is not None:
        data = data.copy()
        data["model_kind"] = pack.model_kind
    initial = {"model_kind": pack.model_kind, "test_mode": settings.ASTRIA_TEST_MODE}
    form = TuneForm(data, files, initial=initial, choose_test_mode=test_mode.may_choose(user))
    form.fields["class_name"].choices = [(name, name.capitalize()) for name in pack.class_names]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def pack_create(request, pack_id):
    pack = _offered(pack_id)
    form = pack_form(pack, request.user, request.POST or None, request.FILES or None)
    refused = None
    if request.method == "POST" and not _email_verified(request.user):
        form.add_error(None, "Confirm your e-mail address first: follow the link we sent you.")
    elif request.method == "POST":
        try:
            valid = checked_upload(request, form)
        except UploadRefused as exc:
            refused, valid = exc, False
            form = pack_form(pack, request.user, request.POST)  # the photos not looked at
            form.add_error(None, refused.message)
        if valid:
            try:
                tune = create_tune_from_pack(request.user, pack, form.cleaned_data)
            except (quota.QuotaExceeded, throttle.Throttled) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"“{tune.name}” is on its way to Astria with {pack}.")
                if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                    return HttpResponse(status=201, headers={"Location": tune.get_absolute_url()})
                return redirect(tune)
    ctx = {"form": form, "pack": pack, "allowance": quota.allowance(request.user.id)}
    ctx["email_verified"] = _email_verified(request.user)
    ctx.update(photo_settings())
    # Said before anything is uploaded, as on the plain form (tunes/_form_limits.html).
    ctx["daily_limit"] = throttle.refusal(throttle.TUNES, request.user.id)
    ctx["trial_runs"] = settings.ASTRIA_TEST_MODE and not test_mode.may_choose(request.user)
    if refused is None:
        return render(request, "packs/pack_tune_form.html", ctx)
    response = render(request, "packs/pack_tune_form.html", ctx, status=refused.status)
    response["Retry-After"] = refused.retry_after
    return response


def create_tune_from_pack(user, pack, data):
    """The tune, its photos and its pack run, charged once (a fine-tune and the pack's
    images) in one transaction."""
    tune = Tune(owner=user, name=data["name"], class_name=data["class_name"])
    tune.model_kind = pack.model_kind
    tune.test_mode = data.get("test_mode", settings.ASTRIA_TEST_MODE)
    tune.characteristics = data.get("characteristics") or {}
    tune.pack_remote_id = pack.remote_id
    tune.pack_images = pack.cost
    with transaction.atomic():
        _save_new_tune(tune, data["photos"])
        PackOrder.objects.create(
            tune=tune,
            pack=pack,
            images_charged=pack.cost,
            expected_prompts=pack.expected_prompts(tune.class_name),
            next_check_at=timezone.now(),
        )
    return tune


@login_required
@require_POST
def pack_run(request, pack_id):
    """Run a pack on one of the user's trained fine-tunes (tune_ids, ASTRIA_API.md §3.3)."""
    pack = _offered(pack_id)
    if not _email_verified(request.user):
        messages.error(request, "Confirm your e-mail address first: follow the link we sent you.")
        return redirect("packs:list")
    tunes = Tune.objects.filter(owner=request.user, status=Tune.Status.TRAINED)
    tune = get_object_or_404(tunes, code=request.POST.get("tune") or None)
    if tune.class_name not in pack.class_names:
        messages.error(request, f"{pack} has no prompts for a {tune.class_name}.")
        return redirect("packs:list")
    try:
        with transaction.atomic():
            quota.charge(request.user.id, images=pack.cost)
            order = PackOrder.objects.create(
                tune=tune,
                pack=pack,
                with_tune=False,
                status=PackOrder.Status.SENDING,
                images_charged=pack.cost,
                expected_prompts=pack.expected_prompts(tune.class_name),
                next_check_at=timezone.now(),
            )
            async_task("packs.tasks.send_pack_order", order.pk)
    except quota.QuotaExceeded as exc:
        messages.error(request, exc.message)
        return redirect("packs:list")
    messages.success(request, f"{pack} is on its way to “{tune.name}”.")
    return redirect(tune)


@csrf_exempt
@require_POST
def pack_callback(request, code):
    """Astria calls here for each pack prompt and once when all are done. The body is
    only a hint: a discovery task reads the tune's prompts from the API."""
    tune = Tune.objects.filter(code=code).only("code", "callback_secret", "status").first()
    token = request.GET.get("token")
    if tune is None or not token_is_valid("pack", code, tune.callback_secret, token):
        log.warning("Rejected a pack callback with a bad token")
        raise Http404
    if tune.status not in Tune.CLOSED:
        for order in PackOrder.objects.filter(tune=tune, status__in=discovery.OPEN):
            request_discovery(order)
    return HttpResponse(status=204)
