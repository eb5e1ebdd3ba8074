"""Admin actions that ask first, as Django's own "delete selected" does.

An action called from the change list answers with a confirmation page that
lists exactly the objects it will act on, what that does to each, and the ones
it leaves alone and why. The page posts the same action back with ``post=yes``;
only then does the action run, on the objects that still qualify. When none
qualifies there is nothing to ask: the change list says why, and nothing changes.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from astria_portal import audit
from astria_portal.admin_format import count
from astria_portal.quota import QuotaExceeded


def confirmed(request):
    return request.POST.get("post") == "yes"


def confirmation_page(
    modeladmin, request, *, action, title, button, rows, skipped, note="", destructive=False
):
    """rows: (object, [what happens to it]); skipped: (object, why it is left alone).

    With no rows it answers None (the change list again) and a message of why not.
    """
    opts = modeladmin.model._meta
    if not rows:
        nothing_to_do(modeladmin, request, skipped)
        return None
    ctx = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "action": action,
        "button": button,
        "rows": rows,
        "skipped": skipped,
        "note": note,
        "destructive": destructive,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/confirm_action.html", ctx)


def nothing_to_do(modeladmin, request, skipped):
    opts = modeladmin.model._meta
    if not skipped:
        text = f"Nothing to do: none of the selected {opts.verbose_name_plural} is left."
    else:
        reasons = "; ".join(f"“{obj}”: {why}" for obj, why in skipped)
        text = ngettext(
            "Nothing to do: the selected %(name)s is left alone (%(reasons)s).",
            "Nothing to do: none of the %(count)d selected %(name)s qualifies (%(reasons)s).",
            len(skipped),
        ) % {"count": len(skipped), "name": model_ngettext(opts, len(skipped)), "reasons": reasons}
    modeladmin.message_user(request, text, messages.WARNING)


def split(objects, reason):
    """Objects reason() has nothing against, and (object, reason) for the others."""
    chosen, skipped = [], []
    for obj in objects:
        why = reason(obj)
        if why:
            skipped.append((obj, why))
        else:
            chosen.append(obj)
    return chosen, skipped


def _resubmit_reason(job):
    if job.can_resubmit:
        return ""
    if job.remote_id is not None:
        return f"Astria has it already (#{job.remote_id})"
    return "only a job whose attempts to reach Astria ran out can be sent again"


@admin.action(description="Send again to Astria…", permissions=["manage"])
def resubmit(modeladmin, request, queryset):
    """For tunes and prompts whose create attempts ran out: a new series of attempts."""
    chosen, skipped = split(queryset, _resubmit_reason)
    if confirmed(request) and chosen:
        sent = []
        for job in chosen:
            try:
                if job.resubmit():
                    sent.append(job)
                    audit.record(request.user, job, "Send again to Astria", "sent")
                else:
                    audit.record(request.user, job, "Send again to Astria", "no longer qualifies")
            except QuotaExceeded as exc:
                audit.record(request.user, job, "Send again to Astria", f"refused: {exc.message}")
                modeladmin.message_user(request, f"“{job}” not sent: {exc.message}", messages.ERROR)
        if sent:
            modeladmin.message_user(
                request,
                f"{count(len(sent), modeladmin.model._meta)} sent to Astria again: "
                f"{', '.join(map(str, sent))}.",
            )
        return None
    rows = [
        (
            job,
            [
                f"Failed: {job.last_error}",
                "Becomes “waiting to be sent” with a fresh set of attempts; it is looked up "
                "on Astria first, in case an earlier attempt created it there.",
                "Charged to the owner's monthly allowance again.",
            ],
        )
        for job in chosen
    ]
    return confirmation_page(
        modeladmin,
        request,
        action="resubmit",
        title=f"Send {count(len(chosen), modeladmin.model._meta)} to Astria again?",
        button="Yes, send again",
        rows=rows,
        skipped=skipped,
    )
