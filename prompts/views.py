import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from astria_portal import quota, serving, throttle
from prompts import cards, zips
from prompts import text as prompt_text
from prompts.forms import PromptForm
from prompts.models import GeneratedImage, Prompt
from prompts.tasks import TUNE_GONE
from tunes.models import Tune
from tunes.views import render_tune_page

CLOSED_MESSAGE = "This fine-tune cannot make images any more."


def _get_tune_for_user(request, code):
    tunes = Tune.objects.exclude(status=Tune.Status.DELETED)
    return get_object_or_404(tunes, code=code, owner=request.user)


def _get_prompt_for_user(request, code):
    prompts = Prompt.objects.select_related("tune").exclude(tune__status=Tune.Status.DELETED)
    return get_object_or_404(prompts, code=code, tune__owner=request.user)


def _ready_images():
    """Downloaded images of prompts not being deleted, in the gallery's order."""
    images = GeneratedImage.objects.exclude(file="")
    images = images.exclude(prompt__status=Prompt.Status.DELETING)
    return images.order_by("-prompt__created_at", "-prompt__id", "position")


def _get_image_for_user(request, code):
    images = _ready_images().select_related("prompt__tune")
    images = images.exclude(prompt__tune__status=Tune.Status.DELETED)
    return get_object_or_404(images, code=code, prompt__tune__owner=request.user)


def _quoted(prompt):
    return f"“{Truncator(prompt.text).chars(60)}”"


def _on_its_way(prompt):
    count = "1 image" if prompt.num_images == 1 else f"{prompt.num_images} images"
    if prompt.tune.status == Tune.Status.TRAINED:
        return f"On the way: {count} of {_quoted(prompt)}."
    return f"Saved: {count} of {_quoted(prompt)} will be made as soon as training ends."


@login_required
@require_POST
def prompt_create(request, tune_code):
    tune = _get_tune_for_user(request, tune_code)
    if tune.status in TUNE_GONE or tune.past_retention:
        messages.error(request, CLOSED_MESSAGE)
        return redirect(tune)
    form = PromptForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                throttle.take(throttle.PROMPTS, request.user.id)
                prompt = Prompt(tune=tune)
                prompt.text = data["text"]
                prompt.negative_prompt = data["negative_prompt"]
                prompt.num_images = data["num_images"]
                prompt.aspect_ratio = data["aspect_ratio"]
                prompt.seed = data["seed"]
                prompt.cfg_scale = data["cfg_scale"]
                prompt.steps = data["steps"]
                prompt.super_resolution = data["super_resolution"]
                prompt.face_correct = data["face_correct"]
                prompt.inpaint_faces = data["inpaint_faces"]
                prompt.style = data["style"]
                prompt.color_grading = data["color_grading"]
                prompt.film_grain = data["film_grain"]
                prompt.save()
                prompt.submit()
        except (quota.QuotaExceeded, throttle.Throttled) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _on_its_way(prompt))
            return redirect(prompt)
    return render_tune_page(request, tune, form)


@login_required
@require_GET
def prompt_card(request, code):
    """The prompt's card, which the tune page polls until nothing more will change."""
    prompt = _get_prompt_for_user(request, code)
    prefetch_related_objects([prompt], "images")
    tune = prompt.tune
    can_prompt = tune.status not in TUNE_GONE and not tune.past_retention
    ctx = cards.card_context(prompt, tune, can_prompt)
    response = render(request, cards.TEMPLATE, ctx)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def prompt_again(request, code):
    prompt = _get_prompt_for_user(request, code)
    tune_closed = prompt.tune.status in TUNE_GONE or prompt.tune.past_retention
    if tune_closed or prompt.status == Prompt.Status.DELETING:
        messages.error(request, CLOSED_MESSAGE)
        return redirect(prompt.tune)
    refused = prompt_text.unsendable(prompt)  # saved before the form refused such text
    if refused:
        messages.error(request, refused)
        return redirect(prompt)
    try:
        with transaction.atomic():
            throttle.take(throttle.PROMPTS, request.user.id)
            again = prompt.copy()
            again.seed = secrets.randbelow(2**32)
            again.save()
            again.submit()
    except (quota.QuotaExceeded, throttle.Throttled) as exc:
        messages.error(request, exc.message)
        return redirect(prompt)
    messages.success(request, _on_its_way(again))
    return redirect(again)


@login_required
@require_http_methods(["GET", "POST"])
def prompt_delete(request, code):
    prompt = _get_prompt_for_user(request, code)
    if request.method == "POST":
        prompt.mark_deleting()
        messages.success(request, f"{_quoted(prompt)} and its images are being deleted.")
        return redirect(prompt.tune)
    ctx = {"prompt": prompt, "tune": prompt.tune, "images": prompt.images.exclude(file="")}
    return render(request, "prompts/prompt_confirm_delete.html", ctx)


def _zip_response(request, images, filename, back):
    images = list(images.select_related("prompt__tune"))
    if not images:
        messages.info(request, "There are no downloaded images to put in a ZIP file yet.")
        return redirect(back)
    response = StreamingHttpResponse(zips.stream_zip(images), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def tune_zip(request, tune_code):
    tune = _get_tune_for_user(request, tune_code)
    images = _ready_images().filter(prompt__tune=tune)
    return _zip_response(request, images, f"{zips.tune_slug(tune)}-images.zip", tune)


@login_required
@require_GET
def prompt_zip(request, code):
    prompt = _get_prompt_for_user(request, code)
    if prompt.status == Prompt.Status.DELETING:
        raise Http404("This prompt is being deleted.")
    images = _ready_images().filter(prompt=prompt)
    filename = f"{zips.tune_slug(prompt.tune)}-{zips.prompt_slug(prompt)}.zip"
    return _zip_response(request, images, filename, prompt)


@login_required
@require_GET
def image_detail(request, code):
    image = _get_image_for_user(request, code)
    prompt = image.prompt
    codes = list(_ready_images().filter(prompt__tune=prompt.tune).values_list("code", flat=True))
    index = codes.index(image.code)
    ctx = {
        "image": image,
        "prompt": prompt,
        "tune": prompt.tune,
        "previous": codes[index - 1] if index > 0 else None,
        "next": codes[index + 1] if index + 1 < len(codes) else None,
        "number": index + 1,
        "total": len(codes),
    }
    return render(request, "prompts/image_detail.html", ctx)


@login_required
@require_GET
def image_file(request, code):
    image = _get_image_for_user(request, code)
    content_type = image.content_type or "application/octet-stream"
    download = request.GET.get("download") == "1"
    return serving.file_response(image.file, content_type, zips.image_filename(image), download)


@login_required
@require_GET
def image_thumbnail(request, code):
    image = _get_image_for_user(request, code)
    if not image.thumbnail:
        raise Http404("This image has no thumbnail.")
    name = zips.image_filename(image).rsplit(".", 1)[0] + "-small.jpg"
    return serving.file_response(image.thumbnail, "image/jpeg", name)
