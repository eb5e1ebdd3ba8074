from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from astria_portal import quota, serving, throttle
from prompts.forms import PromptForm
from prompts.models import Prompt
from prompts.presets import presets_for
from prompts.tasks import TUNE_GONE
from tunes.forms import TuneForm
from tunes.models import TrainingImage, Tune

PROMPTS_PER_PAGE = 20


def _get_tune_for_user(request, code):
    tunes = Tune.objects.exclude(status=Tune.Status.DELETED)
    return get_object_or_404(tunes, code=code, owner=request.user)


@login_required
@require_GET
def tune_list(request):
    covers = Prefetch("photos", TrainingImage.objects.filter(position=0), to_attr="covers")
    tunes = (
        Tune.objects.filter(owner=request.user)
        .exclude(status=Tune.Status.DELETED)
        .prefetch_related(covers)
    )
    page = Paginator(tunes, 12).get_page(request.GET.get("page"))
    return render(request, "tunes/tune_list.html", {"page": page, "tunes": page.object_list})


@login_required
@require_http_methods(["GET", "POST"])
def tune_create(request):
    form = TuneForm(
        request.POST or None,
        request.FILES or None,
        initial={"test_mode": settings.ASTRIA_TEST_MODE},
    )
    # A fine-tune sends e-mails and spends money: only from a verified address.
    verified = EmailAddress.objects.filter(user=request.user, verified=True).exists()
    if request.method == "POST" and not verified:
        form.add_error(None, "Confirm your e-mail address first: follow the link we sent you.")
    elif request.method == "POST" and form.is_valid():
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
    ctx = {
        "form": form,
        "email_verified": verified,
        "allowance": quota.allowance(request.user.id),
        "settings_min": settings.TUNE_PHOTOS_MIN,
        "settings_min_faceid": settings.FACEID_PHOTOS_MIN,
        "settings_max": settings.TUNE_PHOTOS_MAX,
        "settings_max_bytes": settings.PHOTO_MAX_BYTES,
        "max_mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "tunes/tune_form.html", ctx)


def _create_tune(user, data):
    """Charge the allowance and the daily limit, and save the tune, its photos and its
    task, in one transaction."""
    with transaction.atomic():
        quota.charge(user.id, tunes=1)
        throttle.take(throttle.TUNES, user.id)
        tune = Tune(owner=user)
        tune.name = data["name"]
        tune.class_name = data["class_name"]
        tune.model_kind = data["model_kind"]
        tune.token = data["token"]
        tune.steps = data["steps"]
        tune.face_crop = data["face_crop"]
        tune.test_mode = data["test_mode"]
        tune.save()
        for position, photo in enumerate(data["photos"]):
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
@require_GET
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
    prompts = tune.prompts.exclude(status=Prompt.Status.DELETING).prefetch_related("images")
    page = Paginator(prompts, PROMPTS_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "tune": tune,
        "photos": tune.photos.all(),
        "form": prompt_form,
        "can_prompt": tune.status not in TUNE_GONE,
        "presets": presets_for(tune),
        "allowance": quota.allowance(request.user.id),
        "page": page,
        "prompts": page.object_list,
    }
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
    photo = get_object_or_404(TrainingImage, tune=tune, code=photo_code)
    return serving.file_response(photo.file, "image/jpeg", f"photo-{photo.position + 1}.jpg")


@login_required
@require_http_methods(["GET", "POST"])
def tune_delete(request, code):
    tune = _get_tune_for_user(request, code)
    if request.method == "POST":
        tune.mark_deleting()
        messages.success(request, f"“{tune.name}” is being deleted, on Astria and here.")
        return redirect("tunes:list")
    return render(request, "tunes/tune_confirm_delete.html", {"tune": tune})
