"""What staff can do to fine-tunes from the admin; each action asks first (admin_actions.py)."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from astria_portal import astria, audit
from astria_portal.admin_actions import confirmation_page, confirmed, split
from astria_portal.admin_format import counted, when
from prompts.models import GeneratedImage, Prompt
from tunes.models import DeletionReason, Tune

# Astria's support FAQ: extended storage costs about $0.50 per model per month.
EXTEND_NOTE = (
    "Astria charges extended storage to the account balance (about $0.50 per model for "
    "every further 30 days) until the fine-tune is deleted. While it is extended the "
    "portal keeps its photos and images too, for as long as Astria keeps the fine-tune."
)


def _contents(tune):
    photos = tune.photos.count()
    prompts = tune.prompts.count()
    images = GeneratedImage.objects.filter(prompt__tune=tune)
    stored = images.exclude(file="").count()
    return (
        f"{counted(photos, 'training photo', 'training photos')}, "
        f"{counted(prompts, 'prompt', 'prompts')} and "
        f"{counted(stored, 'generated image', 'generated images')} with their thumbnails"
    )


def _about(tune):
    status = tune.get_status_display().lower()
    if tune.trained_at is None:
        state = f"{status}, not trained"
    elif tune.status == Tune.Status.TRAINED:
        state = f"trained {when(tune.trained_at)}"
    else:
        state = f"{status}, trained {when(tune.trained_at)}"
    return f"Owner {tune.owner}, {state}; storage: {tune.storage.label}."


def _remote(tune):
    return f"Astria #{tune.remote_id}" if tune.remote_id else "the fine-tune on Astria, if any"


def _not_deletable(tune):
    if tune.status in (*Tune.GONE, Tune.Status.DELETING):
        return f"already {tune.get_status_display().lower()}"
    return ""


@admin.action(description="Delete on Astria and here…", permissions=["manage"])
def delete_everywhere(modeladmin, request, queryset):
    chosen, skipped = split(queryset.select_related("owner"), _not_deletable)
    if confirmed(request) and chosen:
        started = []
        for tune in chosen:
            done = tune.mark_deleting(reason=DeletionReason.STAFF)
            audit.record(request.user, tune, "Delete on Astria and here",
                         "started" if done else "not started: no longer deletable")  # fmt: skip
            if done:
                started.append(tune)
        if started:
            text = ngettext(
                "%(count)d fine-tune being deleted on Astria, then here: %(names)s. "
                "It shows as “Being deleted” until done.",
                "%(count)d fine-tunes being deleted on Astria, then here: %(names)s. "
                "They show as “Being deleted” until done.",
                len(started),
            ) % {"count": len(started), "names": ", ".join(map(str, started))}
            modeladmin.message_user(request, text)
        else:
            modeladmin.message_user(
                request,
                "Nothing deleted: none of them could be deleted any more.",
                messages.WARNING,
            )
        return None
    rows = [
        (
            tune,
            [
                _about(tune),
                f"On Astria: {_remote(tune)}, with its model, training photos and images "
                "(already gone there counts as done).",
                f"Here: {_contents(tune)}, files and rows.",
                "Kept: the fine-tune's row, marked deleted, and a deletion record "
                "(counts and dates, nothing personal).",
            ],
        )
        for tune in chosen
    ]
    return confirmation_page(
        modeladmin,
        request,
        action="delete_everywhere",
        title=f"Delete {_count(chosen)} on Astria and here?",
        button=ngettext("Yes, delete it", "Yes, delete them", len(chosen)),
        rows=rows,
        skipped=skipped,
        destructive=True,
    )


def _not_purgeable(tune):
    if tune.status not in (Tune.Status.TRAINED, Tune.Status.FAILED):
        return f"{tune.get_status_display().lower()}: only a finished fine-tune's files can go"
    if tune.prompts.filter(status__in=Prompt.AWAITING).exists():
        return "some of its prompts are still on their way"
    return ""


@admin.action(description="Purge local files only…", permissions=["manage"])
def purge_local_files(modeladmin, request, queryset):
    chosen, skipped = split(queryset.select_related("owner"), _not_purgeable)
    if confirmed(request) and chosen:
        for tune in chosen:
            tune.delete_files()
            audit.record(request.user, tune, "Purge local files", "files removed")
        modeladmin.message_user(
            request, f"Local files removed for {_count(chosen)}: {', '.join(map(str, chosen))}."
        )
        return None
    rows = [
        (
            tune,
            [
                _about(tune),
                f"Here: {_contents(tune)}, files and rows.",
                f"Kept: the fine-tune and its status here, and {_remote(tune)} as it is.",
            ],
        )
        for tune in chosen
    ]
    return confirmation_page(
        modeladmin,
        request,
        action="purge_local_files",
        title=f"Remove the local files of {_count(chosen)}?",
        button="Yes, remove the files",
        rows=rows,
        skipped=skipped,
        destructive=True,
    )


def _not_refreshable(tune):
    if tune.remote_id is None:
        return "not on Astria"
    if tune.status in (*Tune.GONE, Tune.Status.DELETING):
        return tune.get_status_display().lower()
    return ""


@admin.action(description="Refresh from Astria…", permissions=["manage"])
def refresh_from_astria(modeladmin, request, queryset):
    chosen, skipped = split(queryset.select_related("owner"), _not_refreshable)
    if confirmed(request) and chosen:
        client = astria.get_client()
        for tune in chosen:
            try:
                remote = client.get_tune(tune.remote_id)
            except astria.NotFound:
                if tune.status in Tune.IN_FLIGHT:
                    tune.mark_gone()
                level, text = messages.WARNING, "Astria no longer has it"
            except astria.AstriaError as exc:
                level, text = messages.ERROR, f"Astria did not answer: {exc}"
            else:
                tune.apply_remote(remote)
                tune.refresh_from_db()
                level, text = messages.SUCCESS, tune.get_status_display().lower()
            audit.record(request.user, tune, "Refresh from Astria", text)
            modeladmin.message_user(request, f"“{tune}”: {text}.", level)
        return None
    rows = [
        (
            tune,
            [
                _about(tune),
                f"Reads {_remote(tune)} and applies what Astria says (status, times, "
                "expiry). Nothing is deleted.",
            ],
        )
        for tune in chosen
    ]
    return confirmation_page(
        modeladmin,
        request,
        action="refresh_from_astria",
        title=f"Refresh {_count(chosen)} from Astria?",
        button="Yes, refresh",
        rows=rows,
        skipped=skipped,
    )


def _not_extendable(tune):
    if tune.status != Tune.Status.TRAINED or tune.remote_id is None:
        return "only a trained fine-tune on Astria can be extended"
    if tune.auto_extend:
        return "already extended"
    return ""


@admin.action(description="Extend storage on Astria (paid)…", permissions=["manage"])
def extend_storage(modeladmin, request, queryset):
    chosen, skipped = split(queryset.select_related("owner"), _not_extendable)
    if confirmed(request) and chosen:
        client = astria.get_client()
        for tune in chosen:
            try:
                remote = client.update_tune(tune.remote_id, auto_extend=True)
            except astria.AstriaError as exc:
                audit.record(request.user, tune, "Extend storage (paid)", f"failed: {exc}")
                modeladmin.message_user(request, f"“{tune}” not extended: {exc}", messages.ERROR)
                continue
            Tune.objects.filter(pk=tune.pk).update(auto_extend=True)
            tune.apply_remote(remote)
            audit.record(request.user, tune, "Extend storage (paid)", "extended on Astria")
            modeladmin.message_user(request, f"“{tune}”: storage extended on Astria.")
        return None
    rows = [
        (
            tune,
            [
                _about(tune),
                f"Sets auto_extend on {_remote(tune)}: Astria renews its storage every "
                "30 days instead of deleting it.",
                f"Today it would go on {when(tune.retention_ends_at)}.",
            ],
        )
        for tune in chosen
    ]
    return confirmation_page(
        modeladmin,
        request,
        action="extend_storage",
        title=f"Extend the storage of {_count(chosen)} on Astria?",
        button="Yes, extend and pay",
        rows=rows,
        skipped=skipped,
        note=EXTEND_NOTE,
    )


def _count(chosen):
    return counted(len(chosen), "fine-tune", "fine-tunes")
