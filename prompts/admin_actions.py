"""What staff can do to generated images from the admin; each action asks first."""

from django.contrib import admin

from astria_portal.admin_actions import confirmation_page, confirmed, split
from astria_portal.admin_format import counted
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
            request,
            f"{counted(len(started), 'image', 'images')} being downloaded again: "
            f"{', '.join(map(str, started))}.",
        )
        return None
    rows = [
        (
            image,
            [
                f"Failed after {counted(image.attempts, 'attempt', 'attempts')}: "
                f"{image.last_error or 'no reason kept'}",
                "Gets a fresh set of attempts, from the URL Astria gave (it keeps images 30 days).",
            ],
        )
        for image in chosen
    ]
    count = counted(len(chosen), "image", "images")
    return confirmation_page(
        modeladmin,
        request,
        action="download_again",
        title=f"Download {count} again?",
        button="Yes, download again",
        rows=rows,
        skipped=skipped,
    )
