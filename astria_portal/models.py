import json
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task


class Heartbeat(models.Model):
    """The worker's last sign of life; one row, written by a schedule every minute."""

    beat_at = models.DateTimeField()

    def __str__(self):
        return f"Worker heartbeat at {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls):
        cls.objects.update_or_create(pk=1, defaults={"beat_at": timezone.now()})

    @classmethod
    def age(cls):
        """Seconds since the last heartbeat, or None if there never was one."""
        last = cls.objects.filter(pk=1).values_list("beat_at", flat=True).first()
        if last is None:
            return None
        return (timezone.now() - last).total_seconds()


def new_secret():
    return secrets.token_hex(16)


class RemoteJob(models.Model):
    """What tunes and prompts share: an object created on Astria and followed to the end.

    The row is the durable intent. Submission state (attempts, next_attempt_at,
    posted_at) and follow-up state (next_check_at) live here so that a sweep and a
    reconciler can pick up whatever a lost task or a lost callback left behind.
    Subclasses define ``status``, ``RANK`` (statuses only move forward),
    ``IN_FLIGHT``, ``AWAITING``, ``ADOPTED`` and the names below.
    """

    PENDING = "pending"
    SUBMITTING = "submitting"
    FAILED = "failed"
    DELETING = "deleting"
    SUBMIT_STATUSES = (PENDING, SUBMITTING)
    CLOSED = (DELETING,)  # callbacks for these are dropped: nothing is left to follow
    # What the callback intake reads (for_callback).
    CALLBACK_FIELDS = (
        "code",
        "callback_secret",
        "status",
        "callback_receipts",
        "refresh_waiting_since",
    )
    KIND = ""  # the callback kind, "tune" or "prompt"
    SUBMIT_TASK = ""
    REFRESH_TASK = ""
    DELETE_TASK = ""
    GONE_MESSAGE = "Astria no longer has this object."
    GAVE_UP_MESSAGE = "Astria did not finish it and reported no error."

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    remote_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    callback_secret = models.CharField(max_length=64, default=new_secret, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posted_at = models.DateTimeField(
        null=True, blank=True, help_text="When a create request may first have reached Astria."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checks = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_body = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    refresh_waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="A refresh task is queued: callbacks add no other."
    )
    callback_receipts = models.PositiveSmallIntegerField(
        default=0, help_text="Callback bodies with a receipt of their own (CallbackReceipt.BODIES)."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _cas(self, from_statuses, **changes):
        """Apply changes only if the status is still one of from_statuses."""
        changes.setdefault("updated_at", timezone.now())
        rows = type(self).objects.filter(pk=self.pk, status__in=from_statuses).update(**changes)
        if rows:
            for name, value in changes.items():
                if not hasattr(value, "resolve_expression"):
                    setattr(self, name, value)
        return rows == 1

    def _forward(self, status, **changes):
        """Move to status if that is forward from where the row is now."""
        before = [s for s, rank in self.RANK.items() if rank < self.RANK[status]]
        return self._cas(before, status=status, **changes)

    def record_error(self, exc, at=None, **changes):
        body = exc.body if isinstance(exc.body, str) else json.dumps(exc.body)
        return self._cas(
            self.SUBMIT_STATUSES,
            last_error=exc.message[:2000],
            last_error_body=(body or "")[:4000],
            last_error_at=at or timezone.now(),
            **changes,
        )

    # Transitions shared by tunes and prompts

    def adopt(self, remote):
        """Astria accepted the object: keep its id and follow it from here."""
        now = timezone.now()
        with transaction.atomic():
            # Keep the id even if the user deleted the object meanwhile: the deletion needs it.
            type(self).objects.filter(pk=self.pk, remote_id__isnull=True).update(
                remote_id=remote.id
            )
            if self._forward(
                self.ADOPTED,
                remote_id=remote.id,
                submitted_at=now,
                next_attempt_at=None,
                next_check_at=self.first_check(remote, now),
            ):
                self.adopted()
                self.apply_remote(remote)
                if CallbackReceipt.objects.filter(kind=self.KIND, object_code=self.code).exists():
                    # Astria called back before we knew the remote id: act on it now.
                    self.request_refresh()

    def adopted(self):
        """Hook run once, in the transaction that records the remote id."""

    def first_check(self, remote, now):
        """When to poll if no callback arrives: after the expected end plus a grace period."""
        expected = max(getattr(remote, "eta", None) or now, now)
        return expected + timedelta(seconds=settings.CALLBACK_GRACE)

    def fail_submission(self, exc, gave_up=False):
        message = exc.message
        if gave_up:
            message = f"Astria could not be reached after {self.attempts + 1} attempts: {message}"
        self.record_error(exc)
        self.mark_failed(message)

    def mark_failed(self, message, **changes):
        return self._finish(
            self.FAILED,
            last_error=message[:2000],
            last_error_at=timezone.now(),
            next_attempt_at=None,
            next_check_at=None,
            **changes,
        )

    def _finish(self, status, **changes):
        with transaction.atomic():
            changed = self._forward(status, **changes)
            if changed:
                self.finished(status)
        return changed

    def finished(self, status):
        """Hook run once, in the transaction that made the job final."""

    def mark_gone(self):
        """Astria answers 404: the object was deleted or expired there."""
        return self.mark_failed(self.GONE_MESSAGE)

    def mark_stalled(self):
        return False

    def expected_end(self):
        """When Astria should have finished: polls and give-up times count from here."""
        return self.submitted_at or self.created_at

    def give_up_after(self):
        """Seconds past expected_end() after which silence from Astria is a failure."""
        raise NotImplementedError

    def give_up(self):
        """Fail a job Astria never finished nor failed, so its owner knows and is refunded."""
        return self.mark_failed(self.GAVE_UP_MESSAGE)

    def delete_after(self, now):
        """When deletion may start: now, or once a create that may be in flight has ended."""
        if self.status == self.SUBMITTING and self.next_attempt_at:
            return max(now, self.next_attempt_at)
        return now

    def mark_deleting(self, enqueue=True, **changes):
        """Start deleting: on Astria first (a task, unless the caller runs it), then
        the local files."""
        now = timezone.now()
        due = self.delete_after(now)
        with transaction.atomic():
            changed = self._forward(self.DELETING, next_attempt_at=due, **changes)
            if changed and enqueue and due <= now:
                async_task(self.DELETE_TASK, self.pk)
        return changed

    def resubmit(self):
        """Send a job whose create attempts ran out again, as a new series of attempts.

        Only a job that never reached Astria qualifies (no remote id, attempts made).
        posted_at is kept, so the first attempt looks the object up before posting.
        Returns False if the job does not qualify (any more).
        """
        now = timezone.now()
        with transaction.atomic():
            rows = (
                type(self)
                .objects.filter(
                    pk=self.pk, status=self.FAILED, remote_id__isnull=True, attempts__gt=0
                )
                .update(
                    status=self.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    next_check_at=None,
                    last_error="",
                    last_error_body="",
                    notified_at=None,
                    updated_at=now,
                )
            )
            if rows:
                self.resubmitted()
                async_task(self.SUBMIT_TASK, self.pk)
        if rows:
            self.refresh_from_db()
        return rows == 1

    def resubmitted(self):
        """Hook run once, in the transaction that made the job pending again."""

    @property
    def can_resubmit(self):
        return self.status == self.FAILED and self.remote_id is None and self.attempts > 0

    # Callbacks (astria_portal/callback_views.py)

    @classmethod
    def for_callback(cls, code):
        """The object a callback names, with only what the intake reads, or None."""
        return cls._for_callback(cls.objects.only(*cls.CALLBACK_FIELDS), code)

    @classmethod
    def _for_callback(cls, queryset, code):
        try:
            return queryset.get(code=code)
        except cls.DoesNotExist:
            return None

    @property
    def takes_callbacks(self):
        return self.status not in self.CLOSED

    def receive_callback(self, digest, remote_id):
        """Record a callback and enqueue a refresh if it may tell something new.

        However many callbacks come, an object costs a bounded amount: a repeated
        body only counts on its receipt, at most CallbackReceipt.PER_OBJECT receipts
        are kept, and at most one refresh waits at a time. One transaction of a few
        statements, no outbound request (RELIABILITY.md §1.6–1.7). Works from the
        row as for_callback read it, after the callback arrived: a refresh queued
        then and not yet started will read what this callback announces.
        """
        act = self.status in self.AWAITING
        verdict = CallbackReceipt.Verdict.REFRESH if act else CallbackReceipt.Verdict.IGNORED
        try:
            with transaction.atomic():
                slot, refresh = self._claim(
                    slot=self.callback_receipts < CallbackReceipt.BODIES,
                    refresh=act and self.refresh_waiting_since is None,
                )
                # A repeated body raises IntegrityError here, rolling back what was claimed.
                CallbackReceipt.keep(self, slot, digest, remote_id, verdict)
                if refresh:
                    async_task(self.REFRESH_TASK, self.pk)
        except IntegrityError:
            CallbackReceipt.count(self.KIND, self.code, digest)

    def request_refresh(self):
        """Enqueue a refresh in the caller's transaction, unless one is queued already."""
        if self._claim(slot=False, refresh=True)[1]:
            async_task(self.REFRESH_TASK, self.pk)

    def _claim(self, *, slot, refresh):
        """Take a receipt slot and the refresh mark, as asked; return which were taken.

        The refresh clears the mark before it reads Astria (refresh_started), so a
        callback after that takes it again and the last news is never lost; the
        reconciler clears the mark of a refresh that never ran (lost_refreshes).
        There is no status condition: a refresh of a job that has just ended does
        nothing.
        """
        job = type(self).objects.filter(pk=self.pk)
        now = timezone.now()
        # The first callback, the usual case, takes both in one statement, unless
        # another callback changed the row since it was read.
        count = self.callback_receipts
        if slot and refresh:
            both = job.filter(callback_receipts=count, refresh_waiting_since=None)
            if both.update(callback_receipts=count + 1, refresh_waiting_since=now):
                return True, True
        if slot:
            slots = job.filter(callback_receipts__lt=CallbackReceipt.BODIES)
            slot = slots.update(callback_receipts=F("callback_receipts") + 1) == 1
        if refresh:
            refresh = job.filter(refresh_waiting_since=None).update(refresh_waiting_since=now) == 1
        return slot, refresh

    @classmethod
    def refresh_started(cls, pk):
        """Let callbacks from now on enqueue a refresh again: this one reads too early."""
        cls.objects.filter(pk=pk, refresh_waiting_since__isnull=False).update(
            refresh_waiting_since=None
        )

    @classmethod
    def lost_refreshes(cls, now):
        """Clear refresh marks older than the broker's redelivery time: their task was
        lost (it failed before it started, or its queue row was removed)."""
        stale = now - timedelta(seconds=settings.Q_CLUSTER["retry"])
        return cls.objects.filter(refresh_waiting_since__lt=stale).update(
            refresh_waiting_since=None
        )


class CallbackReceipt(models.Model):
    """One callback Astria sent us: kept for staff, never the token or the body.

    An object keeps at most PER_OBJECT receipts, so a replayed token cannot fill the
    table: one for each of its first BODIES bodies (Astria sends one callback, now
    and then a repeat), and one, with LATER for a digest, counting all after those.
    """

    PER_OBJECT = 10
    BODIES = PER_OBJECT - 1
    LATER = "later"

    class Verdict(models.TextChoices):
        REFRESH = "refresh", "Refresh enqueued"
        IGNORED = "ignored", "Ignored: already final"

    kind = models.CharField(max_length=16)
    object_code = models.UUIDField(db_index=True)
    remote_id = models.BigIntegerField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_received_at = models.DateTimeField(default=timezone.now)
    times_received = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_code", "body_sha256"], name="unique_callback_body"
            )
        ]
        ordering = ["-received_at"]

    def __str__(self):
        from astria_portal.admin_format import when  # staff read receipts in the admin only

        return f"{self.kind} callback for {self.object_code} at {when(self.received_at)}"

    @classmethod
    def keep(cls, job, slot, digest, remote_id, verdict):
        """Record a callback for job: a receipt of its own if it took a slot (a repeated
        body raises IntegrityError), else one more on the receipt of later callbacks."""
        receipt = cls(kind=job.KIND, object_code=job.code, remote_id=remote_id, verdict=verdict)
        if slot:
            receipt.body_sha256 = digest
            receipt.save(force_insert=True)
        elif not cls.count(job.KIND, job.code, cls.LATER):
            receipt.body_sha256 = cls.LATER
            try:
                with transaction.atomic():
                    receipt.save(force_insert=True)
            except IntegrityError:
                cls.count(job.KIND, job.code, cls.LATER)  # a concurrent callback made it first

    @classmethod
    def count(cls, kind, code, digest):
        """Count one more delivery of a body already received; False if there is none."""
        return cls._counted(cls.objects.filter(kind=kind, object_code=code, body_sha256=digest))

    @staticmethod
    def _counted(receipts):
        now = timezone.now()
        return receipts.update(times_received=F("times_received") + 1, last_received_at=now) > 0


class Quota(models.Model):
    """A staff-set monthly allowance for one user; empty fields use the site defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    tunes_per_month = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the default from QUOTA_TUNES_PER_MONTH."
    )
    images_per_month = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the default from QUOTA_IMAGES_PER_MONTH."
    )
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"Quota of {self.user}"


class Usage(models.Model):
    """What one user has drawn in one calendar month (UTC): charged on submit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    month = models.DateField(help_text="The first day of the month.")
    tunes = models.PositiveIntegerField(default=0)
    images = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="unique_usage")]
        ordering = ["-month"]
        verbose_name_plural = "usage"

    def __str__(self):
        return f"{self.user} in {self.month:%B %Y}"


class Throttle(models.Model):
    """How often one thing was done in one fixed time window (astria_portal.throttle).

    The key is a user id, a keyed hash of an address, or "all"; never a raw address.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="unique_throttle")
        ]

    def __str__(self):
        return f"{self.scope} {self.key} from {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class SentNotice(models.Model):
    """One e-mail that went out: a task delivered twice finds it and sends nothing."""

    kind = models.CharField(max_length=32)
    object_code = models.UUIDField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_code"], name="unique_sent_notice")
        ]

    def __str__(self):
        return f"{self.kind} for {self.object_code}"
