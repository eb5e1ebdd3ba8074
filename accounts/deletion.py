"""Delete an account everywhere, at its owner's request or by staff.

start() locks the account at once: it can no longer log in, and every session it
had stops working (the password is made unusable, which changes the hash each
session is checked against). Every tune and prompt is marked "deleting" on the
path a user's deletion takes (RemoteJob.mark_deleting, tracking.delete), so that
nothing of the user is sent to Astria from then on: a submission still pending is
never claimed, one under way ends before the deletion looks the object up on
Astria, and callbacks find nothing in flight to change. run() is repeated by a
sweep until Astria has confirmed every deletion (404 counts as done); then the
rows, files, sessions and limits that name the user go, the admin log is made
anonymous, and the owner gets a confirmation. An AccountDeletion row remains:
counts and dates, and a random code.
"""

import logging
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import AccountDeletion, DataExport
from astria_portal import audit, notices, tracking
from astria_portal.models import CallbackReceipt, Quota, SentNotice, Throttle
from pages import keep
from prompts.models import Prompt
from tunes.models import DeletionReason, Tune, remove_empty_folder

log = logging.getLogger(__name__)

# Seconds between runs while Astria still has something of the user.
RETRY_SECONDS = 60


def start(user, *, by_staff=False):
    """Lock the account and queue its deletion; the AccountDeletion, new or already running."""
    with transaction.atomic():
        deletion, created = AccountDeletion.objects.get_or_create(
            user=user,
            defaults={
                "by_staff": by_staff,
                # Only a verified address hears of it: another could be anyone's.
                "notify_email": notices.verified_address(user) or "",
                "joined_at": user.date_joined,
                "tunes": Tune.objects.filter(owner=user).count(),
                "prompts": Prompt.objects.filter(tune__owner=user).count(),
                "exports": DataExport.objects.filter(user=user).count(),
                "next_attempt_at": timezone.now(),
            },
        )
        if created:
            get_user_model().objects.filter(pk=user.pk).update(
                is_active=False, password=make_password(None)
            )
            stop_work(user, by_staff)
            async_task("accounts.tasks.delete_account", deletion.pk)
    return deletion


def stop_work(user, by_staff):
    """Mark every prompt, then every tune, of the user as being deleted. run() deletes
    them, in that order, in one pass; the sweeps take over any it leaves."""
    reason = DeletionReason.STAFF if by_staff else DeletionReason.USER
    for prompt in Prompt.objects.filter(tune__owner=user).exclude(status=Prompt.Status.DELETING):
        prompt.mark_deleting(enqueue=False)
    live = Tune.objects.filter(owner=user).exclude(status__in=(Tune.Status.DELETING, *Tune.GONE))
    for tune in live:
        tune.mark_deleting(reason=reason, enqueue=False)


def run(deletion_id):
    """One pass: delete what is due on Astria; once nothing is left there, finish."""
    now = timezone.now()
    claimed = AccountDeletion.objects.filter(
        pk=deletion_id, status=AccountDeletion.Status.RUNNING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=RETRY_SECONDS), attempts=F("attempts") + 1)
    if not claimed:
        return "not due"
    deletion = AccountDeletion.objects.select_related("user").get(pk=deletion_id)
    user = deletion.user
    stop_work(user, deletion.by_staff)  # anything a request in flight created meanwhile
    prompts = Prompt.objects.filter(tune__owner=user, status=Prompt.Status.DELETING)
    for pk in prompts.values_list("pk", flat=True):
        tracking.delete(Prompt, pk)
    # A tune goes once its prompts are gone: Astria's copy of a prompt may be known
    # only to the prompt's own row (a create whose answer was lost).
    tunes = Tune.objects.filter(owner=user, status=Tune.Status.DELETING).exclude(
        prompts__status=Prompt.Status.DELETING
    )
    for pk in tunes.values_list("pk", flat=True).distinct():
        tracking.delete(Tune, pk)
    left = Tune.objects.filter(owner=user).exclude(status__in=Tune.GONE).count()
    left += Prompt.objects.filter(tune__owner=user).count()
    if left:
        log.info("Account deletion %s: %d objects still on their way out", deletion.code, left)
        return "waiting"
    finish(deletion)
    return "deleted"


def finish(deletion):
    """Everything of the user is gone from Astria: remove the rest here."""
    user = deletion.user
    tunes = list(Tune.objects.filter(owner=user))
    codes = [tune.code for tune in tunes]
    for export in DataExport.objects.filter(user=user):
        export.delete_file()
        remove_empty_folder(DataExport, f"exports/{export.code}")
    # The admin log outlives them all: its entries about the user's objects (Django's
    # own use str(obj): a username, a tune's name) name no one afterwards.
    audit.anonymise([user], lambda obj: f"deleted account {deletion.code}")
    others = [*tunes, *DataExport.objects.filter(user=user), *Quota.objects.filter(user=user)]
    audit.anonymise(others, lambda obj: f"{audit.label(obj)} of a deleted account")
    forget_sessions(user)
    AccessAttempt.objects.filter(username__in=[user.get_username(), user.email]).delete()
    Throttle.objects.filter(scope__in=("tunes", "prompts"), key=str(user.pk)).delete()
    CallbackReceipt.objects.filter(object_code__in=codes).delete()
    SentNotice.objects.filter(object_code__in=codes).delete()
    if deletion.notify_email:
        ctx = {"site_name": settings.SITE_NAME, "deletion": deletion}
        notices.send_once(
            "account deleted",
            deletion.code,
            f"Your {settings.SITE_NAME} account has been deleted",
            render_to_string("accounts/email_deleted.txt", ctx),
            [deletion.notify_email],
        )
    with transaction.atomic():
        user_id = user.pk
        user.delete()  # its tunes' rows, addresses, logins, 2FA, quota and usage with it
        keep.forget(user_id)  # what the database recorded of their changes, those included
        AccountDeletion.objects.filter(pk=deletion.pk).update(
            status=AccountDeletion.Status.DONE,
            notify_email="",
            finished_at=timezone.now(),
            next_attempt_at=None,
        )


def forget_sessions(user):
    """Delete the user's sessions (they no longer work: this removes what they hold)."""
    user_id = str(user.pk)
    mine = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            mine.append(session.pk)
    Session.objects.filter(pk__in=mine).delete()


def sweep():
    """Run the deletions that are due (a lost task, or Astria still deleting)."""
    due = AccountDeletion.objects.filter(
        status=AccountDeletion.Status.RUNNING, next_attempt_at__lte=timezone.now()
    )
    pks = list(due.values_list("pk", flat=True)[:20])
    for pk in pks:
        async_task("accounts.tasks.delete_account", pk)
    return len(pks)
