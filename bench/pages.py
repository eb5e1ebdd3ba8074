"""Pages at scale: queries and median latency of the busiest pages, against the trivial view.

    .venv/bin/python -m bench.pages [--tunes 10000] [--prompts 100000] [--repeats 60]

One user owns every tune (the worst case for their list); one of the tunes has 25
prompts of 8 images each, 200 images with their files (its page shows 20 prompts, 160
images). Queries per page are counted, and latencies measured, with the data at a
hundredth of its size and at full size: neither may grow. The median latencies are
measured over HTTP against gunicorn (deploy/gunicorn.conf.py, as in production) on
PostgreSQL, one request at a time, the pages and the trivial view in turn, each asking
for gzip as browsers do. Targets, against the trivial view: the tune list within 3x,
the tune page within 5x, the admin tune list within 15x. The tune's status fragment,
the smallest signed-in page there is, is measured too: the floor under those figures.

The three pages are kept whole while nothing they show changes (pages/keep.py): the
targets are for those pages seen again. Each is also measured
rendered afresh (asked with Cache-Control: no-cache, as a browser's hard reload asks):
what a page costs right after something on it changed.
"""

import io
import time
from datetime import timedelta

from PIL import Image

from bench.common import (
    TRIVIAL,
    Call,
    arguments,
    compare_latencies,
    database,
    print_machine,
    running_stack,
    say,
    verdict,
)

FEATURED_PROMPTS = 25
IMAGES_EACH = 8
BATCH = 2000
TARGETS = {"tune list": 3, "tune page": 5, "admin tune list": 15}  # x the trivial view
FLOOR = "status fragment"
RENDERED = {
    "tune list, rendered": "tune list",
    "tune page, rendered": "tune page",
    "admin tune list, rendered": "admin tune list",
}
AFRESH = {"Cache-Control": "no-cache"}


def small_jpeg(seed, size=(96, 96)):
    out = io.BytesIO()
    Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, 160)).save(out, "JPEG")
    return out.getvalue()


def create_people():
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import User

    owner = User.objects.create_user("bench-owner", "owner@example.com")
    staff = User.objects.create_user("bench-staff", is_staff=True, is_superuser=True)
    # Production asks staff for a second factor before any admin page: they have one.
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "A" * 32}
    )
    return owner, staff


def create_featured(owner):
    """The tune whose page is measured: 4 training photos, 25 prompts, 200 images, files too."""
    from django.core.files.base import ContentFile

    from prompts.models import GeneratedImage, Prompt
    from tunes.models import TrainingImage, Tune

    now = _now()
    tune = Tune.objects.create(
        owner=owner, name="Featured", class_name="woman", model_kind="sd15",
        status=Tune.Status.TRAINED, remote_id=1, trained_at=now, created_at=now,
    )  # fmt: skip
    for position in range(4):
        photo = TrainingImage(tune=tune, position=position, sha256=f"{position:064d}")
        content = small_jpeg(position, (512, 640))
        photo.size, photo.width, photo.height = len(content), 512, 640
        photo.file.save("photo.jpg", ContentFile(content), save=False)
        photo.save()
    for n in range(FEATURED_PROMPTS):
        prompt = Prompt.objects.create(
            tune=tune, text=f"a portrait of a woman, take {n}", num_images=IMAGES_EACH,
            status=Prompt.Status.DONE, remote_id=10 + n, created_at=now - timedelta(minutes=n),
        )  # fmt: skip
        for position in range(IMAGES_EACH):
            image = GeneratedImage(
                prompt=prompt, position=position, remote_url="https://example.com/i.png",
                content_type="image/jpeg", width=96, height=96, downloaded_at=now,
            )  # fmt: skip
            content = small_jpeg(n * IMAGES_EACH + position)
            image.size = len(content)
            image.file.save("image.jpg", ContentFile(content), save=False)
            image.thumbnail.save("thumb.jpg", ContentFile(content), save=False)
            image.save()
    return tune


def grow(owner, tunes, prompts):
    """Add tunes (each with a cover photo row) and prompts spread over them, in bulk."""
    from prompts.models import Prompt
    from tunes.models import TrainingImage, Tune

    now = _now()
    first = Tune.objects.count()
    made = Tune.objects.bulk_create(
        (Tune(owner=owner, name=f"Tune {first + n}", class_name="woman", model_kind="sd15",
              status=Tune.Status.TRAINED, remote_id=100 + first + n, trained_at=now,
              created_at=now - timedelta(hours=1, seconds=first + n))
         for n in range(tunes)),
        batch_size=BATCH,
    )  # fmt: skip
    TrainingImage.objects.bulk_create(
        (TrainingImage(tune=tune, position=0, sha256="0" * 64, file="tunes/none.jpg",
                       size=1, width=512, height=640)
         for tune in made),
        batch_size=BATCH,
    )  # fmt: skip
    Prompt.objects.bulk_create(
        (Prompt(tune=made[n % len(made)], text=f"prompt {n}", num_images=4,
                status=Prompt.Status.DONE, remote_id=100_000 + n, created_at=now)
         for n in range(prompts)),
        batch_size=BATCH,
    )  # fmt: skip


def _now():
    from django.utils import timezone

    return timezone.now()


def pages(tune):
    return {
        "tune list": "/tunes/",
        "tune page": tune.get_absolute_url(),
        "admin tune list": "/admin/tunes/tune/",
        # No target: the least any signed-in page costs (the session, the user, one row
        # and a fragment of a template), the floor under the pages' figures.
        FLOOR: f"{tune.get_absolute_url()}status/",
    }


def calls(tune, headers):
    """name -> Call: the pages, then the kept ones again, rendered afresh each time."""
    paths = pages(tune)
    made = {name: Call(path, headers=headers(name)) for name, path in paths.items()}
    for name, page in RENDERED.items():
        made[name] = Call(paths[page], headers={**headers(page), **AFRESH})
    return made


def count_queries(owner, staff, tune):
    """Queries each page makes, counted in this process with Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, call in calls(tune, lambda name: {}).items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(staff if name.startswith("admin") else owner)
        client.get(call.path)  # the session is warm, as in a browsing user's later pages
        with CaptureQueriesContext(connection) as queries:
            response = client.get(call.path, headers=call.headers)
        assert response.status_code == 200, f"{call.path}: {response.status_code}"
        counts[name] = len(queries)
    return counts


def session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def measure_latency(base_url, owner, staff, tune, repeats):
    """Median latency of each page and of the trivial view, requested in turn."""
    from django.utils.crypto import get_random_string

    cookies = {"owner": session_cookie(owner), "staff": session_cookie(staff)}
    # The CSRF cookie a browser got with its first page and sends back with the others.
    csrf = f"csrftoken={get_random_string(32)}"

    def headers(name):
        cookie = cookies["staff" if name.startswith("admin") else "owner"]
        return {"Cookie": f"{cookie}; {csrf}", "Accept-Encoding": "gzip"}

    requests = {"trivial view": Call(TRIVIAL, expected=301), **calls(tune, headers)}
    return compare_latencies(base_url, requests, repeats)


def report(figures):
    """figures: size label -> (queries per page, latency samples)."""
    (small, (queries_small, latencies_small)), (large, (queries, latencies)) = figures.items()
    say(f"  {'page':>16} {'queries':>10} {'queries':>10} {'median':>9} {'median':>9}  ratio")
    say(f"  {'':>16} {small:>10} {large:>10} {small:>9} {large:>9}  {large}")
    trivial = latencies["trivial view"].median_ms
    say(f"  {'trivial view':>16} {0:>10} {0:>10} "
        f"{latencies_small['trivial view'].median_ms:6.1f} ms {trivial:6.1f} ms")  # fmt: skip
    ratios = {}
    for name in queries:
        sample = latencies[name]
        ratios[name] = ratio = sample.median_ms / trivial
        errors = f"  {len(sample.errors)} errors" if sample.errors else ""
        say(
            f"  {name:>16} {queries_small[name]:>10} {queries[name]:>10} "
            f"{latencies_small[name].median_ms:6.1f} ms {sample.median_ms:6.1f} ms "
            f"{ratio:5.1f}x{errors}"
        )
    constant = queries_small == queries
    say(f"  queries per page constant in the data size: {verdict(constant, 'the same count')}")
    say(f"  {FLOOR} / trivial view: {ratios.pop(FLOOR):.1f}x  (the floor of a signed-in page)")
    for name in RENDERED:
        say(f"  {name} / trivial view: {ratios.pop(name):.1f}x  (right after a change)")
    for name, ratio in ratios.items():
        target = TARGETS[name]
        say(f"  {name} / trivial view: {ratio:.1f}x  {verdict(ratio <= target, f'<= {target}x')}")
    return ratios


def main(argv=None):
    parser = arguments("python -m bench.pages", __doc__)
    parser.add_argument("--tunes", type=int, default=10_000)
    parser.add_argument("--prompts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=60, help="requests of each page")
    args = parser.parse_args(argv)
    with (
        database("bench_pages", args.sqlite) as url,
        running_stack("pages", url, gunicorn_conf=True) as stack,
    ):
        print_machine()
        from django.db import connection

        from pages.keep import compact
        from prompts.models import Prompt
        from tunes.models import Tune

        owner, staff = create_people()
        tune = create_featured(owner)
        figures = {}
        # A hundredth, but at least a full page of the admin list (100 rows).
        small = (max(100, args.tunes // 100), max(1000, args.prompts // 100))
        sizes = [small, (args.tunes, args.prompts)]
        for tunes, prompts in sizes:
            started = time.monotonic()
            have_tunes, have_prompts = Tune.objects.count(), Prompt.objects.count()
            grow(owner, tunes - have_tunes, prompts - have_prompts)
            compact()  # the record of changes, as its schedule keeps it (every 10 minutes)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would keep
            say(f"Seeded {tunes} tunes and {prompts} prompts in {time.monotonic() - started:.0f} s")
            figures[f"{tunes}/{prompts}"] = (
                count_queries(owner, staff, tune),
                measure_latency(stack.web_url, owner, staff, tune, args.repeats),
            )
        say(f"Pages ({args.repeats} requests each, one at a time; sizes are tunes/prompts):")
        report(figures)


if __name__ == "__main__":
    main()
