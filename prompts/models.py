import re
import uuid
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from astria_portal import astria, costs, quota, serving
from astria_portal.astria import faceid_tag, lora_tag
from astria_portal.callbacks import callback_url
from astria_portal.models import RemoteJob
from prompts.text import unsendable
from tunes.models import Tune, remove_empty_folder

# How far back a tune's newest prompts are searched after an ambiguous create.
LOOKUP_DEPTH = 200

ASPECT_RATIOS = [
    ("1:1", "Square 1:1"),
    ("5:4", "Portrait 5:4"),
    ("4:5", "Portrait 4:5"),
    ("3:4", "Portrait 3:4"),
    ("2:3", "Portrait 2:3"),
    ("9:16", "Tall 9:16"),
    ("9:21", "Very tall 9:21"),
    ("4:3", "Landscape 4:3"),
    ("3:2", "Landscape 3:2"),
    ("16:9", "Wide 16:9"),
    ("21:9", "Very wide 21:9"),
]
# The looks Astria's prompt API lists (astria-docs docs/api/1-prompt/1-create.md).
STYLES = [
    ("", "None"),
    ("Photographic", "Photographic"),
    ("Cinematic", "Cinematic"),
    ("Enhance", "Enhance"),
    ("Animated", "Animated"),
    ("Digital Art", "Digital art"),
    ("Fantasy art", "Fantasy art"),
    ("Neonpunk", "Neonpunk"),
    ("Comic book", "Comic book"),
    ("Lowpoly", "Low poly"),
    ("Line art", "Line art"),
]
COLOR_GRADINGS = [
    ("", "None"),
    ("Film Portra", "Film Portra: warm, soft skin tones"),
    ("Film Velvia", "Film Velvia: vivid, saturated"),
    ("Ektar", "Ektar: bright, punchy colour"),
]


def astria_text(tune, text):
    """The prompt as Astria needs it: the tune's trigger put in for its model.

    Checkpoints (and every test-mode tune) are addressed by token and class ("ohwx
    man"); a Flux LoRA is a ``<lora:ID:1>`` tag on the base tune followed by the
    same; FaceID is a ``<faceid:ID:1>`` tag with the class word right after it, as
    Astria's docs write it ("<faceid:ID:1> woman trekking in the alps").
    """
    text = " ".join(text.split())
    if tune.uses_adapter_tag and tune.spec["model_type"] == "faceid":
        leading = re.compile(rf"^(?:an? )?{re.escape(tune.class_name)}\b[ ,]*", re.IGNORECASE)
        return f"{faceid_tag(tune.remote_id)} {tune.class_name} {leading.sub('', text)}".strip()
    subject = f"{tune.trigger_token} {tune.class_name}"
    if subject.lower() not in text.lower():
        word = re.compile(rf"\b(?:an? )?{re.escape(tune.class_name)}\b", re.IGNORECASE)
        text, found = word.subn(subject, text, count=1)
        if not found:
            text = f"{subject}, {text}"
    if tune.uses_adapter_tag:
        return f"{lora_tag(tune.remote_id)} {text}"
    return text


def image_path(image, filename):
    return f"prompts/{image.prompt.code}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class Prompt(RemoteJob):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SUBMITTING = "submitting", "Sending to Astria"
        QUEUED = "queued", "Queued"
        GENERATING = "generating", "Generating"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        DELETING = "deleting", "Being deleted"

    RANK = {
        "pending": 0,
        "submitting": 1,
        "queued": 2,
        "generating": 3,
        "done": 4,
        "failed": 4,
        "deleting": 5,
    }
    IN_FLIGHT = (Status.QUEUED, Status.GENERATING)
    AWAITING = (Status.PENDING, Status.SUBMITTING, *IN_FLIGHT)
    ADOPTED = Status.QUEUED
    KIND = "prompt"
    SUBMIT_TASK = "prompts.tasks.submit_prompt"
    REFRESH_TASK = "prompts.tasks.refresh_prompt"
    DELETE_TASK = "prompts.tasks.delete_prompt"
    GONE_MESSAGE = "Astria no longer has this prompt."
    GAVE_UP_MESSAGE = (
        "Astria did not finish these images, long after it should have, and reported no "
        "error. They are back in your monthly allowance: try again."
    )

    tune = models.ForeignKey(Tune, on_delete=models.CASCADE, related_name="prompts")
    text = models.TextField(max_length=1500, help_text="What the user wrote.")
    negative_prompt = models.CharField(max_length=1000, blank=True)
    num_images = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    aspect_ratio = models.CharField(max_length=8, choices=ASPECT_RATIOS, default="1:1")
    seed = models.PositiveBigIntegerField(null=True, blank=True)
    cfg_scale = models.FloatField(null=True, blank=True)
    steps = models.PositiveSmallIntegerField(null=True, blank=True)
    super_resolution = models.BooleanField(default=True)
    face_correct = models.BooleanField(default=False)
    inpaint_faces = models.BooleanField(default=False)
    style = models.CharField(max_length=16, choices=STYLES, blank=True)
    color_grading = models.CharField(max_length=16, choices=COLOR_GRADINGS, blank=True)
    film_grain = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    remote_tune_id = models.BigIntegerField(
        null=True, blank=True, help_text="The tune posted to: the base model for LoRA and FaceID."
    )
    sent_text = models.TextField(blank=True, help_text="The text as sent, trigger included.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    liked_on_astria_at = models.DateTimeField(
        null=True, blank=True, help_text="When a favourite among its images was sent as a like."
    )
    astria_cost_mc = models.PositiveIntegerField(
        null=True, blank=True, help_text="What Astria charged, in millicents (100,000 = $1)."
    )
    astria_cost_estimated = models.BooleanField(
        default=False, help_text="From the price list: Astria's answer named no cost."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tune", "-created_at"])]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return f"{self.tune.get_absolute_url()}#prompt-{self.code}"

    @classmethod
    def for_callback(cls, code):
        prompts = cls.objects.select_related("tune").only(*cls.CALLBACK_FIELDS, "tune__status")
        return cls._for_callback(prompts, code)

    @property
    def takes_callbacks(self):
        # A prompt goes with its tune: once the tune is being deleted, so is the prompt.
        return super().takes_callbacks and self.tune.status not in Tune.CLOSED

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_settled(self):
        """Nothing more will change on the page: final, and every image downloaded or given up."""
        if self.status == self.Status.DONE:
            images = self.images.all()
            return all(image.is_ready or image.next_attempt_at is None for image in images)
        return self.status in (self.Status.FAILED, self.Status.DELETING)

    def astria_fields(self):
        """The options sent to Astria, the same on every attempt (its idempotency compares them)."""
        fields = {
            "text": self.sent_text,
            "negative_prompt": self.negative_prompt or None,
            "num_images": self.num_images,
            "aspect_ratio": self.aspect_ratio,
            "seed": self.seed,
            "cfg_scale": self.cfg_scale,
            "steps": self.steps,
            "super_resolution": self.super_resolution,
            "face_correct": self.face_correct,
            "inpaint_faces": self.inpaint_faces if self.super_resolution else False,
            # Sent only when chosen, so prompts without them go out as they always did.
            "style": self.style or None,
            "color_grading": self.color_grading or None,
            "film_grain": self.film_grain or None,
        }
        return {key: value for key, value in fields.items() if value is not None}

    def copy(self):
        """An unsaved prompt with the same settings, for "generate again"."""
        fields = [
            "tune",
            "text",
            "negative_prompt",
            "num_images",
            "aspect_ratio",
            "cfg_scale",
            "steps",
            "super_resolution",
            "face_correct",
            "inpaint_faces",
            "style",
            "color_grading",
            "film_grain",
        ]
        return Prompt(**{name: getattr(self, name) for name in fields})

    # Transitions

    def submit(self):
        """Charge the owner's allowance, make the prompt due and enqueue it, in the
        caller's transaction. Raises quota.QuotaExceeded."""
        quota.charge(self.tune.owner_id, images=self.num_images, now=self.created_at, item=self)
        self.next_attempt_at = timezone.now()
        self.save(update_fields=["next_attempt_at", "updated_at"])
        async_task("prompts.tasks.submit_prompt", self.pk)

    def fix_target(self):
        """Decide, once, the remote tune and text sent: both must not change between attempts.

        A prompt whose words Astria would read as settings (saved before the forms
        refused them) is failed instead, its images given back; returns False then.
        """
        tune = self.tune
        refused = unsendable(self)
        if refused:
            self.mark_failed(refused)
            return False
        if self.sent_text:
            return True
        if tune.remote_id is None:
            return False
        self.sent_text = astria_text(tune, self.text)
        self.remote_tune_id = tune.prompt_target_id
        return bool(
            Prompt.objects.filter(pk=self.pk, sent_text="").update(
                sent_text=self.sent_text, remote_tune_id=self.remote_tune_id
            )
        )

    def wait_for_tune(self, seconds):
        self._cas([self.PENDING], next_attempt_at=timezone.now() + timedelta(seconds=seconds))

    def fetch_remote(self, client):
        """Read the prompt from Astria and check it is the user's tune's (LoRA and FaceID
        prompts live on a shared base tune; the tag in the text names the user's)."""
        remote = client.get_prompt(self.remote_id, tune_id=self.remote_tune_id)
        if remote.user_tune_id != self.tune.remote_id:
            raise astria.InvalidResponse(
                f"prompt {remote.id} belongs to tune {remote.user_tune_id}, "
                f"not {self.tune.remote_id}"
            )
        return remote

    def apply_remote(self, remote):
        """Apply the state Astria reports; never moves backwards. Returns True on a change."""
        costs.record(self, remote)
        if remote.is_done:
            with transaction.atomic():
                changed = self._finish(
                    self.Status.DONE,
                    started_at=remote.started_training_at or remote.trained_at,
                    finished_at=remote.trained_at,
                    next_check_at=None,
                )
                if changed:
                    self._add_images(remote.images)
            return changed
        if remote.is_failed:
            return self.mark_failed(remote.failure)
        if remote.started_training_at:
            return self._forward(self.Status.GENERATING, started_at=remote.started_training_at)
        return False

    def _add_images(self, urls):
        now = timezone.now()
        for position, url in enumerate(urls):
            image, created = GeneratedImage.objects.get_or_create(
                prompt=self, position=position, defaults={"remote_url": url, "next_attempt_at": now}
            )
            if created:
                async_task("prompts.tasks.download_image", image.pk)

    def find_remote(self, client):
        """The prompt on Astria with our callback URL: it is byte-identical on every
        attempt, so it identifies a create we lost the answer to."""
        if self.remote_tune_id is None:
            return None
        url = callback_url(self.KIND, self)
        for remote in islice(client.iter_prompts(self.remote_tune_id, page_size=100), LOOKUP_DEPTH):
            if remote.callback == url:
                return remote
        return None

    def delete_remote(self, client, remote_id):
        client.delete_prompt(remote_id, tune_id=self.remote_tune_id)

    def expected_end(self):
        # A prompt sent while its tune trains waits on Astria until training ends.
        sent = super().expected_end()
        return max(sent, self.tune.eta) if self.tune.eta else sent

    def give_up_after(self):
        return settings.PROMPT_GIVE_UP_AFTER

    def price_list_mc(self):
        return costs.image_price_mc(self.tune.test_mode, self.num_images)

    def delete_local(self):
        self.delete_files()
        self.delete()

    def finished(self, status):
        if status == self.Status.FAILED:
            quota.give_back(self.tune.owner_id, self.created_at, images=self.num_images, item=self)

    def resubmitted(self):
        # The failure gave the images back; this attempt takes them again.
        quota.charge(self.tune.owner_id, images=self.num_images, now=self.created_at, item=self)

    def delete_files(self):
        for image in self.images.all():
            image.delete_files()
        remove_empty_folder(GeneratedImage, f"prompts/{self.code}")


class ImageQuerySet(models.QuerySet):
    def update(self, **changes):
        """Every change counts one more version of the rows it changes (see version)."""
        changes.setdefault("version", models.F("version") + 1)
        return super().update(**changes)


class GeneratedImage(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="images")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveSmallIntegerField()
    remote_url = models.URLField(max_length=2000, help_text="Where Astria serves it (30 days).")
    file = models.FileField(upload_to=image_path, blank=True)
    thumbnail = models.FileField(upload_to=image_path, blank=True)
    content_type = models.CharField(max_length=32, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    favourite_at = models.DateTimeField(
        null=True, blank=True, help_text="When its owner marked it a favourite; empty if not."
    )
    # One more on every change of the row, in the statement that makes it (update() and
    # save() both): a page can tell from the count and the sum of its prompts' image
    # versions that nothing changed, without reading the images (prompts/cards.py).
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["prompt", "position"], name="unique_image_position")
        ]

    def __str__(self):
        return f"Image {self.position + 1} of “{self.prompt}”"

    def save(self, *args, update_fields=None, **kwargs):
        if not self._state.adding:
            self.version = models.F("version") + 1
            update_fields = None if update_fields is None else {*update_fields, "version"}
        super().save(*args, update_fields=update_fields, **kwargs)
        if not isinstance(self.version, int):
            self.refresh_from_db(fields=["version"])

    def get_absolute_url(self):
        return reverse("prompts:image", args=[self.code])

    # Signed links for pages (astria_portal/serving.py, prompts/links.py): no reverse().

    def file_link(self):
        return serving.signed_url("i", self.pk, self.file.name) if self.file else ""

    def thumbnail_link(self):
        return serving.signed_url("t", self.pk, self.thumbnail.name) if self.thumbnail else ""

    @property
    def size_label(self):
        """The file's size as "117.2 KB" or "1.3 MB" (filesizeformat's cost is per image)."""
        size = self.size or 0
        if size < 1024 * 1024:
            return f"{size / 1024:.1f}\xa0KB"
        return f"{size / 1024 / 1024:.1f}\xa0MB"

    @property
    def is_ready(self):
        return bool(self.file)

    @property
    def extension(self):
        return {"image/png": "png", "image/webp": "webp"}.get(self.content_type, "jpg")

    @property
    def gave_up(self):
        """Not downloaded, and no attempt is due: its attempts ran out or it was refused."""
        return not self.file and self.next_attempt_at is None

    @property
    def is_favourite(self):
        return self.favourite_at is not None

    def mark_favourite(self, favourite):
        """Set or clear the mark, in the caller's transaction; returns True if it changed.

        The image's version moves with it, so a cached card is never shown with a stale
        mark.
        """
        now = timezone.now()
        images = GeneratedImage.objects.filter(pk=self.pk, favourite_at__isnull=favourite)
        if images.update(favourite_at=now if favourite else None) != 1:
            return False
        self.favourite_at = now if favourite else None
        return True

    def download_again(self):
        """Start a fresh series of download attempts for an image that was given up."""
        with transaction.atomic():
            rows = GeneratedImage.objects.filter(
                pk=self.pk, file="", next_attempt_at__isnull=True
            ).update(attempts=0, next_attempt_at=timezone.now(), last_error="")
            if rows:
                async_task("prompts.tasks.download_image", self.pk)
        return rows == 1

    def delete_files(self):
        for field in (self.file, self.thumbnail):
            if field:
                field.delete(save=False)
