"""python -m drills two-workers: several machines, one PostgreSQL, one bucket.

Two web servers and two django-q2 clusters, each with a media folder of its own as
on separate machines, share a throw-away PostgreSQL database and a bucket on moto's
S3 server. People post every form to the two web servers in turn while the drill
enqueues the tasks of all unfinished work again and again (an at-least-once queue
may deliver twice, and two clusters race for everything). Then half the tunes are
put past their retention and every periodic job is made due on both clusters and
enqueued three more times, while Astria's deletes are slow. Counted at the end:
remote objects, e-mails, quota charges, stored files, purge deletions and task
failures, each of which must be there exactly once (or not at all).
"""

import os
import secrets
import tempfile
import threading
import time
import zipfile
from collections import Counter
from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit, urlunsplit

from drills import tally
from drills.drill import Drill, say, wait_for_trained
from drills.stack import Stack

SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PERIODIC = [
    "tunes.tasks.sweep_tunes",
    "tunes.tasks.reconcile_tunes",
    "prompts.tasks.sweep_prompts",
    "prompts.tasks.reconcile_prompts",
    "tunes.tasks.purge_expired",
    "tunes.tasks.warn_expiring",
]
REDELIVER_EVERY = 0.5


def throwaway_database():
    """Create a database for this run on DRILL_DATABASE_URL's PostgreSQL server (or the
    local one); return its URL and a function that drops it."""
    import psycopg

    given = os.environ.get("DRILL_DATABASE_URL", "")
    server = urlsplit(given if given.startswith(("postgres://", "postgresql://")) else SERVER)
    admin = urlunsplit(server._replace(path="/postgres"))
    name = f"drill_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(server._replace(path=f"/{name}")), drop


class Redeliveries(threading.Thread):
    """Enqueue the task of every unfinished tune, prompt and download again every
    REDELIVER_EVERY seconds, and the sweeps: duplicates for both clusters to race on."""

    def __init__(self):
        super().__init__(daemon=True)
        self.halt = threading.Event()
        self.sent = 0

    def run(self):
        from django.db import connection
        from django_q.tasks import async_task

        try:
            while not self.halt.wait(REDELIVER_EVERY):
                for func, pk in self.due():
                    async_task(func, *([pk] if pk else []))
                    self.sent += 1
        finally:
            connection.close()

    @staticmethod
    def due():
        from prompts.models import GeneratedImage, Prompt
        from tunes.models import Tune

        def each(func, queryset):
            return [(func, pk) for pk in queryset.values_list("pk", flat=True)]

        return [
            *each("tunes.tasks.submit_tune", Tune.objects.filter(status__in=Tune.SUBMIT_STATUSES)),
            *each("tunes.tasks.refresh_tune", Tune.objects.filter(status__in=Tune.IN_FLIGHT)),
            *each("prompts.tasks.submit_prompt", Prompt.objects.filter(status__in=("pending", "submitting"))),  # noqa: E501
            *each("prompts.tasks.refresh_prompt", Prompt.objects.filter(status__in=Prompt.IN_FLIGHT)),  # noqa: E501
            *each("prompts.tasks.download_image", GeneratedImage.objects.filter(file="")),
            ("tunes.tasks.sweep_tunes", None),
            ("prompts.tasks.sweep_prompts", None),
        ]  # fmt: skip


def burst(drill, limit):
    """Tunes and prompts through both web servers, with every task delivered repeatedly."""
    stack = drill.stack
    # Astria answers creates after half a second: both clusters hold claims at once.
    slow = {"status": None, "delay": 0.5, "times": 100000}
    stack.control("POST", "faults", {"method": "POST", "path": "/tunes", **slow})
    stack.control("POST", "faults", {"method": "POST", "path": r"/tunes/\d+/prompts", **slow})
    redeliveries = Redeliveries()
    redeliveries.start()
    drill.create_tunes()
    wait_for_trained(drill, limit)
    drill.create_prompts()
    state, seconds = tally.wait_until_settled(limit, say=say)
    redeliveries.halt.set()
    redeliveries.join()
    say(f"  {redeliveries.sent} duplicate task deliveries enqueued")
    return seconds is not None


def check_quota(figures, problems):
    from django.db.models import Sum

    from astria_portal.models import Usage
    from prompts.models import Prompt
    from tunes.models import Tune

    used = Usage.objects.aggregate(tunes=Sum("tunes"), images=Sum("images"))
    images = Prompt.objects.aggregate(n=Sum("num_images"))["n"] or 0
    figures["quota charged"] = f"{used['tunes']} tunes, {used['images']} images"
    if (used["tunes"], used["images"]) != (Tune.objects.count(), images):
        problems.append(f"quota charged {used} for {Tune.objects.count()} tunes, {images} images")


def stored_names():
    """Every file name the database refers to."""
    from prompts.models import GeneratedImage
    from tunes.models import TrainingImage

    names = list(TrainingImage.objects.values_list("file", flat=True))
    for file, thumbnail in GeneratedImage.objects.values_list("file", "thumbnail"):
        names += [name for name in (file, thumbnail) if name]
    return sorted(names)


def check_files(stack, figures, problems):
    objects = stack.bucket_objects()
    expected = stored_names()
    figures["objects in the bucket"] = f"{len(objects)} for {len(expected)} stored files"
    if objects != expected:
        extra, missing = set(objects) - set(expected), set(expected) - set(objects)
        problems.append(f"bucket: {len(extra)} objects nobody refers to, {len(missing)} missing")
    local = [path for path in (stack.folder / "machines").rglob("*") if path.is_file()]
    figures["files on any machine's disk"] = len(local)
    if local:
        problems.append(f"{len(local)} files written to a machine's own disk")


def check_serving(drill, figures, problems):
    """An image and a ZIP, asked of the second web server, come from the bucket."""
    from prompts.models import GeneratedImage

    person = drill.people[0]
    image = GeneratedImage.objects.exclude(file="").filter(
        prompt__tune__owner__username=person.username
    )[0]
    web = drill.stack.web_urls[-1]
    response = person.session.get(f"{web}/prompts/images/{image.code}/file", timeout=30)
    with image.file.open("rb") as stored:
        same = response.content == stored.read()
    via_bucket = response.history and response.history[0].status_code == 302
    if response.status_code != 200 or not same or not via_bucket:
        problems.append(f"an image was not served from the bucket: {response.status_code}")
    tune = image.prompt.tune
    response = person.session.get(f"{web}/prompts/for/{tune.code}/images.zip", timeout=60)
    with zipfile.ZipFile(BytesIO(response.content)) as archive:
        members = len(archive.namelist())
    expected = GeneratedImage.objects.filter(prompt__tune=tune).exclude(file="").count()
    figures["ZIP from the bucket"] = f"{members} of {expected} images"
    if members != expected:
        problems.append(f"the ZIP held {members} of {expected} images")


def purge_together(drill, limit, figures, problems):
    """Put half the tunes past their retention; run every periodic job on both clusters
    at once, several times over, while Astria takes a second for each delete."""
    from django.conf import settings
    from django.utils import timezone
    from django_q.models import OrmQ, Schedule, Task
    from django_q.tasks import async_task

    from tunes.models import DeletionRecord, Tune

    stack = drill.stack
    trained = list(Tune.objects.filter(status="trained").order_by("pk"))
    doomed = trained[: max(1, len(trained) // 2)]
    prefixes = [f"tunes/{tune.code}/" for tune in doomed]
    for tune in doomed:
        prefixes += [f"prompts/{code}/" for code in tune.prompts.values_list("code", flat=True)]
    now = timezone.now()
    ended = now - timedelta(days=settings.RETENTION_DAYS, hours=1)
    Tune.objects.filter(pk__in=[tune.pk for tune in doomed]).update(trained_at=ended)
    stack.control("POST", "faults", {"method": "DELETE", "path": r"/tunes/\d+", "status": None,
                                     "delay": 1.0, "times": 100000})  # fmt: skip
    started = timezone.now()
    Schedule.objects.filter(func__in=PERIODIC).update(next_run=now - timedelta(seconds=1))
    for func in PERIODIC:
        for _ in range(3):
            async_task(func)
    say(f"Purging {len(doomed)} tunes past their retention: every periodic job due on both "
        "clusters and enqueued three more times, Astria's deletes taking a second.")  # fmt: skip

    # Until the tunes are gone, both schedulers have passed (every 30 s) and the queue is empty.
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        gone = Tune.objects.filter(pk__in=[t.pk for t in doomed], status="expired").count()
        due = Schedule.objects.filter(func__in=PERIODIC, next_run__lte=now).exists()
        if gone == len(doomed) and not due and not OrmQ.objects.exists():
            break
        time.sleep(2)
    time.sleep(5)  # the last runs record their results

    deletes = Counter(
        call["path"].removesuffix(".json")
        for call in stack.control("GET", "requests")
        if call["method"] == "DELETE"
    )
    expired = Tune.objects.filter(pk__in=[t.pk for t in doomed], status="expired").count()
    figures["tunes purged"] = f"{expired} of {len(doomed)}"
    figures["Astria deletes per purged tune"] = sorted(set(deletes.values())) or "none"
    figures["deletion records"] = DeletionRecord.objects.count()
    if expired != len(doomed):
        problems.append(f"{len(doomed) - expired} tunes past their retention not purged")
    for tune in doomed:
        if deletes[f"/tunes/{tune.remote_id}"] != 1:
            problems.append(f"tune {tune.remote_id} deleted on Astria "
                            f"{deletes[f'/tunes/{tune.remote_id}']} times")  # fmt: skip
    if DeletionRecord.objects.count() != len(doomed):
        problems.append(f"{DeletionRecord.objects.count()} deletion records for {len(doomed)}")
    left = [key for key in stack.bucket_objects() if key.startswith(tuple(prefixes))]
    if left:
        problems.append(f"{len(left)} objects of purged tunes still in the bucket")
    check_files(stack, figures, problems)

    runs = Task.objects.filter(func__in=PERIODIC, started__gte=started)
    for func in PERIODIC:
        results = [
            str(result) for result in runs.filter(func=func).values_list("result", flat=True)
        ]
        skipped = sum(result.startswith("skipped") for result in results)
        figures[func.rsplit(".", 1)[1]] = f"{len(results) - skipped} ran, {skipped} skipped"
    failed = Task.objects.filter(success=False)
    figures["failed tasks"] = failed.count()
    for worker in stack.workers:
        done = (stack.folder / f"{worker}.log").read_text(errors="replace").count("Processed '")
        figures[f"tasks run by {worker}"] = done
        if not done:
            problems.append(f"{worker} ran no task")
    for func, result in failed.values_list("func", "result")[:5]:
        problems.append(f"task {func} failed: {str(result)[:200]}")


def run(args):
    database_url, drop = throwaway_database()
    folder = tempfile.mkdtemp(prefix="drill-two-workers-")
    stack = Stack(folder, database_url=database_url, webs=2, workers=2, bucket=True)
    for worker in stack.workers:
        stack.overrides[worker] = {"LOG_LEVEL": "INFO"}  # django-q2 logs each task it ran
    os.environ.update(stack.env)
    import django

    django.setup()
    say(f"== Drill two-workers (files in {folder}, database {urlsplit(database_url).path[1:]})")
    say("Two web servers and two worker clusters on one PostgreSQL, media in one bucket.")
    started = time.monotonic()
    try:
        with stack:
            drill = Drill(stack, args.people, args.tunes, args.prompts)
            drill.sign_up()
            settled = burst(drill, args.limit)
            figures, problems = drill.finish(args.limit)
            if not settled:
                problems.append("not settled")
            subjects = tally.mails(stack.mail_dir)
            figures["e-mails sent"] = len(subjects)
            if len(subjects) != len(set(subjects)) or len(subjects) != len(drill.tune_codes):
                problems.append(f"{len(subjects)} e-mails for {len(drill.tune_codes)} tunes")
            check_quota(figures, problems)
            check_files(stack, figures, problems)
            check_serving(drill, figures, problems)
            purge_together(drill, args.limit, figures, problems)
    finally:
        drop()
    for label, value in figures.items():
        say(f"  {label:>30}: {value}")
    say(f"  {'time':>30}: {time.monotonic() - started:.0f} s")
    if problems:
        say("FAILED: " + "; ".join(problems))
        return False
    say("OK: nothing lost, nothing duplicated; periodic runs that met another one skipped")
    return True
