"""A user's data, as one ZIP: built in the background, downloaded by its owner only.

The archive holds account.json (the account, its addresses, sign-in methods,
allowance and usage), and for every fine-tune a folder with tune.json (the tune
and its prompts, Astria's ids and dates included), the training photos still
stored and every generated image. Files are read a chunk at a time from the disk
or the bucket (serving.open_chunks) into a temporary file, then stored; the link
works for EXPORT_LINK_HOURS and the hourly purge deletes the file after that.
"""

import json
import logging
import tempfile
import zipfile
from contextlib import closing

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import DataExport
from astria_portal import notices, serving
from astria_portal.models import Quota, Usage
from prompts.models import Prompt
from prompts.zips import prompt_slug, tune_slug
from tunes.models import Tune, remove_empty_folder

log = logging.getLogger(__name__)

TUNE_FIELDS = (
    "code", "remote_id", "name", "class_name", "model_kind", "token", "steps", "face_crop",
    "test_mode", "status", "created_at", "submitted_at", "eta", "started_training_at",
    "trained_at", "expires_at", "auto_extend", "last_error", "preset",
)  # fmt: skip
PROMPT_FIELDS = (
    "code", "remote_id", "remote_tune_id", "text", "sent_text", "negative_prompt", "num_images",
    "aspect_ratio", "seed", "cfg_scale", "steps", "super_resolution", "face_correct",
    "inpaint_faces", "status", "created_at", "submitted_at", "started_at", "finished_at",
    "last_error", "style", "color_grading", "film_grain",
)  # fmt: skip


def request_export(user, *, by_staff=False):
    """Queue a new export, or return the one already being built: (export, created)."""
    with transaction.atomic():
        building = DataExport.objects.filter(user=user, status=DataExport.Status.BUILDING).first()
        if building:
            return building, False
        export = DataExport.objects.create(user=user, requested_by_staff=by_staff)
        async_task("accounts.tasks.build_export", export.pk)
    return export, True


def _fields(obj, names):
    return {name: getattr(obj, name) for name in names}


def _dump(data):
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def account_data(user):
    return {
        "exported_at": timezone.now(),
        "site": settings.SITE_NAME,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "has_password": user.has_usable_password(),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user)
        ],
        "social_logins": [
            {"provider": s.provider, "uid": s.uid, "date_joined": s.date_joined}
            for s in SocialAccount.objects.filter(user=user)
        ],
        "two_factor": [
            {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
            for a in Authenticator.objects.filter(user=user)
        ],
        "quota": [
            {"tunes_per_month": q.tunes_per_month, "images_per_month": q.images_per_month}
            for q in Quota.objects.filter(user=user)
        ],
        "usage": [
            {"month": u.month, "tunes": u.tunes, "images": u.images}
            for u in Usage.objects.filter(user=user)
        ],
    }


def members(user):
    """(name in the archive, bytes or a stored file) for everything of the user."""
    yield "account.json", _dump(account_data(user))
    tunes = Tune.objects.filter(owner=user).exclude(status__in=Tune.GONE)
    for tune in tunes.prefetch_related("photos"):
        folder = f"tunes/{tune_slug(tune)}-{tune.code.hex[:8]}"
        prompts = list(
            Prompt.objects.filter(tune=tune).order_by("created_at").prefetch_related("images")
        )
        data = _fields(tune, TUNE_FIELDS)
        data["photos"] = [f"photos/{p.position + 1:02d}.jpg" for p in tune.photos.all()]
        data["prompts"] = []
        for prompt in prompts:
            entry = _fields(prompt, PROMPT_FIELDS)
            entry["images"] = [
                {
                    "file": f"prompts/{prompt_slug(prompt)}/{i.position + 1:02d}.{i.extension}"
                    if i.is_ready
                    else None,
                    "remote_url": i.remote_url,
                    "downloaded_at": i.downloaded_at,
                    "favourite_at": i.favourite_at,
                }
                for i in prompt.images.all()
            ]
            data["prompts"].append(entry)
        yield f"{folder}/tune.json", _dump(data)
        for photo in tune.photos.all():
            yield f"{folder}/photos/{photo.position + 1:02d}.jpg", photo.file
        for prompt in prompts:
            for image in prompt.images.all():
                if image.is_ready:
                    name = f"{image.position + 1:02d}.{image.extension}"
                    yield f"{folder}/prompts/{prompt_slug(prompt)}/{name}", image.file


def write_zip(target, user):
    """Write the archive to an open binary file, one storage chunk at a time."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members(user):
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            try:
                chunks = serving.open_chunks(content)
            except FileNotFoundError:
                continue  # deleted meanwhile
            # Photos and images are compressed already.
            info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with closing(chunks), archive.open(info, "w", force_zip64=True) as out:
                for chunk in chunks:
                    out.write(chunk)


def build(export_id):
    export = (
        DataExport.objects.select_related("user")
        .filter(pk=export_id, status=DataExport.Status.BUILDING)
        .first()
    )
    if export is None:
        return "nothing to build"
    try:
        with tempfile.TemporaryFile() as spool:
            write_zip(spool, export.user)
            size = spool.tell()
            spool.seek(0)
            export.file.save("export.zip", File(spool), save=False)
    except Exception:
        # Said on the account page, where a new one can be asked for.
        log.exception("Data export %s failed", export.code)
        export.delete_file()
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED, file="")
        return "failed"
    if not export.mark_ready(export.file.name, size):
        export.delete_file()
        return "no longer wanted"
    export.refresh_from_db()
    notify(export)
    return "ready"


def notify(export):
    address = notices.verified_address(export.user)
    if not address:
        return "no verified address"
    ctx = {
        "site_name": settings.SITE_NAME,
        "export": export,
        "url": f"{settings.PUBLIC_BASE_URL}{export.get_absolute_url()}",
        "account_url": f"{settings.PUBLIC_BASE_URL}/accounts/",
    }
    subject = f"Your {settings.SITE_NAME} data is ready to download"
    body = render_to_string("accounts/email_export.txt", ctx)
    return notices.send_once("data export", export.code, subject, body, [address])


def purge(now=None):
    """Delete the files of exports past their link's expiry; the rows say they expired."""
    now = now or timezone.now()
    expired = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
    count = 0
    for export in expired:
        export.delete_file()
        remove_empty_folder(DataExport, f"exports/{export.code}")
        count += DataExport.objects.filter(pk=export.pk, status=DataExport.Status.READY).update(
            status=DataExport.Status.EXPIRED, file=""
        )
    return count
