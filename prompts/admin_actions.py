"""What staff can do to generated images from the admin; each action asks first."""

from django.contrib import admin

from astria_portal.admin_actions import confirmation_page, confirmed, split
from prompts.models import Prompt


def _not_retryable(image):
    if image.is_ready:
        return "downloaded already"
    if not image.gave_up:
        return "its download is still on its way"
    if image.prompt.status != Prompt.Status.DONE:
        return f"its prompt is {image.prompt.get_status_display().lower()}"
    return ""


@admin.action(description="Download again from Astria…", permissions=["manage"])
def download_again(modeladmin, request, queryset):
    """For images whose download attempts ran out (or that were refused)."""
    chosen, skipped = split(queryset.select_related("prompt"), _not_retryable)
    if confirmed(request) and chosen:
        started = [image for image in chosen if image.download_again()]
        modeladmin.message_user(
            request, f"{len(started)} being downloaded again: {', '.join(map(str, started))}."
        )
        return None
    rows = [
        (
            image,
            [
                f"Failed after {image.attempts} attempts: {image.last_error or 'no reason kept'}",
                "Gets a fresh set of attempts, from the URL Astria gave (it keeps images 30 days).",
            ],
        )
        for image in chosen
    ]
    count = "1 image" if len(chosen) == 1 else f"{len(chosen)} images"
    return confirmation_page(
        modeladmin,
        request,
        action="download_again",
        title=f"Download {count} again?",
        button="Yes, download again",
        rows=rows,
        skipped=skipped,
    )
