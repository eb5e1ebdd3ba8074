import math

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from astria_portal import quota, serving, slots, throttle
from pages.keep import kept_page
from prompts import composer
from prompts.forms import PromptForm
from prompts.models import Prompt
from prompts.presets import presets_for
from prompts.tasks import TUNE_GONE
from tunes import cards as tune_cards
from tunes import test_mode
from tunes.forms import TuneForm
from tunes.models import TrainingImage, Tune
from tunes.photos import DEFAULT_MIN_SIDE

PROMPTS_PER_PAGE = 20


def _get_tune_for_user(request, code):
    tunes = Tune.objects.exclude(status=Tune.Status.DELETED)
    return get_object_or_404(tunes, code=code, owner=request.user)


@login_required
@require_GET
@kept_page
def tune_list(request):
    tunes = Tune.objects.filter(owner=request.user).exclude(status=Tune.Status.DELETED)
    page = Paginator(tunes, 12).get_page(request.GET.get("page"))
    tune_cards.add_covers(page.object_list)
    test_badge = test_mode.badge_shown(request.user)
    ctx = {
        "page": page,
        "tunes": page.object_list,
        "cards": tune_cards.render_cards(page.object_list, test_badge),
    }
    return render(request, "tunes/tune_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def tune_create(request):
    form = TuneForm(
        request.POST or None,
        request.FILES or None,
        initial={"test_mode": settings.ASTRIA_TEST_MODE},
        choose_test_mode=test_mode.may_choose(request.user),
    )
    # A fine-tune sends e-mails and spends money: only from a verified address.
    if request.method == "POST" and not _email_verified(request.user):
        form.add_error(None, "Confirm your e-mail address first: follow the link we sent you.")
    elif request.method == "POST":
        try:
            valid = checked_upload(request, form)
        except UploadRefused as refused:
            return _refused_form(request, refused)
        if valid:
            try:
                tune = _create_tune(request.user, form.cleaned_data)
            except (quota.QuotaExceeded, throttle.Throttled) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"“{tune.name}” is on its way to Astria.")
                if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                    # The upload script navigates itself, so the message is shown once.
                    return HttpResponse(status=201, headers={"Location": tune.get_absolute_url()})
                return redirect(tune)
    return _tune_form(request, form)


def _email_verified(user):
    return EmailAddress.objects.filter(user=user, verified=True).exists()


class UploadRefused(Exception):
    """A form of photos not taken: over a limit (429) or every decoding slot busy (503)."""

    BUSY = (
        "The portal is busy preparing other photos right now. "
        "Please send the form again in a moment."
    )

    def __init__(self, message, status, retry_after):
        super().__init__(message)
        self.message, self.status = message, status
        self.retry_after = str(max(1, math.ceil(retry_after)))  # seconds, for Retry-After


def checked_upload(request, form):
    """Count the attempt, then validate the form with its photos (form.is_valid()).

    Counted before the photos are looked at, valid or not: a refused form costs CPU
    too. Raises UploadRefused over the per-user or per-address limits, or when every
    slot that decodes photos is taken.
    """
    try:
        throttle.take(throttle.TUNE_UPLOADS_PER_IP, throttle.address_key(request))
        throttle.take(throttle.TUNE_UPLOADS, request.user.id)
        return form.is_valid()
    except throttle.Throttled as exc:
        raise UploadRefused(exc.message, 429, exc.retry_after.total_seconds()) from exc
    except slots.Busy as exc:
        raise UploadRefused(UploadRefused.BUSY, 503, exc.retry_after) from exc


def _refused_form(request, refused):
    """The form again with what was typed, not validated (its photos were not looked
    at, or not all), and why it was not taken, with Retry-After."""
    form = TuneForm(
        initial={"test_mode": False, **request.POST.dict()},
        choose_test_mode=test_mode.may_choose(request.user),
    )
    response = _tune_form(request, form, refusal=refused.message, status=refused.status)
    response["Retry-After"] = refused.retry_after
    return response


def photo_settings():
    """What the photo picker checks in the browser, as the server will
    (templates/tunes/_photo_field.html, static/js/tune_form.js)."""
    return {
        "settings_min": settings.TUNE_PHOTOS_MIN,
        "settings_min_faceid": settings.FACEID_PHOTOS_MIN,
        "settings_max": settings.TUNE_PHOTOS_MAX,
        "settings_max_bytes": settings.PHOTO_MAX_BYTES,
        "settings_min_side": getattr(settings, "PHOTO_MIN_SIDE", DEFAULT_MIN_SIDE),
        "max_mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
    }


def _tune_form(request, form, refusal=None, status=200):
    ctx = {
        "form": form,
        "email_verified": _email_verified(request.user),
        "allowance": quota.allowance(request.user.id),
        # Said before anything is uploaded: the form would be refused for it.
        "daily_limit": throttle.refusal(throttle.TUNES, request.user.id),
        "trial_runs": settings.ASTRIA_TEST_MODE and not test_mode.may_choose(request.user),
        "refusal": refusal,
        **photo_settings(),
    }
    return render(request, "tunes/tune_form.html", ctx, status=status)


def _create_tune(user, data):
    tune = Tune(owner=user)
    tune.name = data["name"]
    tune.class_name = data["class_name"]
    tune.model_kind = data["model_kind"]
    tune.token = data["token"]
    tune.steps = data["steps"]
    tune.face_crop = data["face_crop"]
    tune.preset = data["preset"]
    tune.test_mode = data.get("test_mode", settings.ASTRIA_TEST_MODE)
    tune.characteristics = data.get("characteristics") or {}
    return _save_new_tune(tune, data["photos"])


def _save_new_tune(tune, photos):
    """Charge the allowance and the daily limit, and save the tune, its photos and its
    task, in one transaction. photos are sanitised (tunes.photos.CleanPhoto)."""
    with transaction.atomic():
        quota.charge(tune.owner_id, tunes=1, images=tune.pack_images, item=tune)
        throttle.take(throttle.TUNES, tune.owner_id)
        tune.save()
        for position, photo in enumerate(photos):
            image = TrainingImage(tune=tune, position=position, sha256=photo.sha256)
            image.size, image.width, image.height = (
                len(photo.content),
                photo.width,
                photo.height,
            )
            image.file.save("photo.jpg", ContentFile(photo.content), save=False)
            image.save()
        tune.submit()
    return tune


@login_required
@require_POST
def tune_retry(request, code):
    """Train a failed tune again, as a new tune with the same photos and choices."""
    tune = _get_tune_for_user(request, code)
    if not tune.can_train_again:
        messages.error(request, "Only a failed fine-tune whose photos are kept can train again.")
        return redirect(tune)
    try:
        again = _save_new_tune(tune.copy(), tune.kept_photos())
    except (quota.QuotaExceeded, throttle.Throttled) as exc:
        messages.error(request, exc.message)
        return redirect(tune)
    messages.success(request, f"“{again.name}” is on its way to Astria again.")
    return redirect(again)


@login_required
@require_GET
@kept_page
def tune_detail(request, code):
    tune = _get_tune_for_user(request, code)
    presets = presets_for(tune)
    chosen = [text for slug, label, text in presets if slug == request.GET.get("preset")]
    form = PromptForm(initial={"text": chosen[0]} if chosen else None)
    return render_tune_page(request, tune, form)


def render_tune_page(request, tune, prompt_form):
    """The tune page: status, the prompt form, the gallery and the training photos.

    The prompt views render it too, to show their form's errors with what was typed.
    """
    # The cards read their images only when not kept (prompts/cards.py).
    prompts = tune.prompts.exclude(status=Prompt.Status.DELETING)
    page = Paginator(prompts, PROMPTS_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "tune": tune,
        "pack_runs": tune.pack_orders.exists(),
        "photos": [] if tune.status in Tune.CLOSED or tune.past_retention else tune.photos.all(),
        "form": prompt_form,
        "can_prompt": tune.status not in TUNE_GONE and not tune.past_retention,
        "presets": presets_for(tune),
        "allowance": quota.allowance(request.user.id),
        "test_badge": test_mode.badge_shown(request.user),
        "page": page,
        "prompts": page.object_list,
    }
    ctx["composer"] = composer.render(request, ctx)
    return render(request, "tunes/tune_detail.html", ctx)


@login_required
@require_GET
def tune_status(request, code):
    """The status fragment the tune page polls while the tune is in progress."""
    tune = _get_tune_for_user(request, code)
    response = render(request, "tunes/_status.html", {"tune": tune})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def tune_photo(request, code, photo_code):
    tune = _get_tune_for_user(request, code)
    if tune.status in Tune.CLOSED:
        raise Http404("The photos of this fine-tune are being deleted.")
    photo = get_object_or_404(TrainingImage, tune=tune, code=photo_code)
    return serving.file_response(photo.file, "image/jpeg", f"photo-{photo.position + 1}.jpg")


@login_required
@require_http_methods(["GET", "POST"])
def tune_delete(request, code):
    tune = _get_tune_for_user(request, code)
    if request.method == "POST" and tune.status == Tune.Status.EXPIRED:
        tune.forget()  # nothing of it is left to delete
        messages.success(request, f"“{tune.name}” is off your list.")
        return redirect("tunes:list")
    if request.method == "POST":
        tune.mark_deleting()
        messages.success(request, f"“{tune.name}” is being deleted, on Astria and here.")
        return redirect("tunes:list")
    return render(request, "tunes/tune_confirm_delete.html", {"tune": tune})
