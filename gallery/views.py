"""Every image a user has, across fine-tunes; favourite marks; ZIPs of a chosen set."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_q.tasks import async_task

from gallery.forms import FavouriteForm, FilterForm, SelectionForm
from pages.keep import kept_page
from prompts import zips
from prompts.models import GeneratedImage, Prompt
from tunes.models import Tune

IMAGES_PER_PAGE = 48


def _images_of(user):
    """The user's downloaded images, newest first, leaving out those of prompts and
    fine-tunes being deleted (their files go any moment). Another user's are not here,
    so a code of theirs is a 404, as on the image URLs."""
    images = GeneratedImage.objects.exclude(file="").filter(prompt__tune__owner=user)
    images = images.exclude(prompt__status=Prompt.Status.DELETING)
    images = images.exclude(prompt__tune__status__in=Tune.CLOSED)
    return images.order_by("-prompt__created_at", "-prompt__id", "position")


@login_required
@require_GET
@kept_page
def image_list(request):
    tunes = Tune.objects.filter(owner=request.user).exclude(status__in=Tune.CLOSED)
    form = FilterForm(request.GET, tunes=tunes.only("code", "name").order_by("name"))
    form.is_valid()
    images = form.filter(_images_of(request.user)).select_related("prompt__tune")
    page = Paginator(images, IMAGES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "images": page.object_list,
        "query": query.urlencode(),
        "filtered": any(form.data.get(name) for name in form.fields),
        "has_favourites": _images_of(request.user).filter(favourite_at__isnull=False).exists(),
    }
    return render(request, "gallery/image_list.html", ctx)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def favourite(request):
    """Mark or unmark one image. Sets the state asked for, so a repeated click is harmless."""
    form = FavouriteForm(request.POST)
    if not form.is_valid():
        errors = [error for field in form.errors.values() for error in field]
        return HttpResponseBadRequest(" ".join(errors))
    images = _images_of(request.user).select_related("prompt")
    image = get_object_or_404(images, code=form.cleaned_data["image"])
    wanted = form.cleaned_data["favourite"]
    with transaction.atomic():
        changed = image.mark_favourite(wanted)
        prompt = image.prompt
        if changed and wanted and prompt.remote_id and prompt.liked_on_astria_at is None:
            async_task("gallery.tasks.like_prompt", prompt.pk)
    if _wants_json(request):
        return JsonResponse({"image": str(image.code), "favourite": image.is_favourite})
    # Back where the click came from: the page's own address, else the one it was on.
    for back in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            break
    else:
        back = prompt.get_absolute_url()
    return redirect(f"{back.split('#')[0]}#image-{image.code}")


def _zip_response(request, images, filename):
    images = list(images.select_related("prompt__tune"))
    if not images:
        return None
    response = StreamingHttpResponse(zips.stream_zip(images), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def favourites_zip(request):
    images = _images_of(request.user).filter(favourite_at__isnull=False)
    filename = f"favourites-{timezone.localdate():%Y-%m-%d}.zip"
    response = _zip_response(request, images, filename)
    if response is None:
        messages.info(request, "You have no favourites yet: mark an image with its star.")
        return redirect("gallery:list")
    return response


@login_required
@require_POST
def selection_zip(request):
    form = SelectionForm(request.POST)
    if not form.is_valid():
        for error in form.errors["image"]:
            messages.error(request, error)
        return redirect("gallery:list")
    images = _images_of(request.user).filter(code__in=form.cleaned_data["image"])
    filename = f"images-{timezone.localdate():%Y-%m-%d}.zip"
    response = _zip_response(request, images, filename)
    if response is None:
        messages.error(request, "None of the chosen images can be downloaded any more.")
        return redirect("gallery:list")
    return response
