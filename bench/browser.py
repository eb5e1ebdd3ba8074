"""The tune page as a person waits for it: headless Chromium, first and second visit,
against the same page served as static files by the same gunicorn.

    .venv/bin/python -m bench.browser [--rounds 5] [--prompts 25] [--images 8]

The owner's tune has --prompts prompts of --images images each (thumbnails of 480 x
480, about 60 KB, as the portal makes them) and 4 training photos; its page shows 20
prompts. The baseline is that page's HTML as the portal rendered it, with every
image link pointing at a copy of the same file, served by whitenoise from the static
folder of the same gunicorn (deploy/gunicorn.conf.py, production settings).

A round loads the portal's page and the static copy in a fresh browser (empty cache,
the owner's session cookie), waits for the page and every image on it (lazy images are
made eager, so all of them count), then opens the same page again in the same browser:
the second visit. The order alternates between rounds. Figures are medians over the
rounds: time until the load event (Navigation Timing), requests that reached the
server and bytes transferred (Resource Timing: a copy from the browser's cache counts
none), and the CPU the web workers and PostgreSQL spent per visit (/proc).
Targets: first visit within 1.3x of static, second within 1.5x, CPU within 2x.
"""

import gzip
import io
import os
import re
import shutil
import signal
import statistics
import time
from datetime import timedelta
from pathlib import Path

from bench.common import arguments, database, print_machine, running_stack, say, verdict
from bench.procs import database_backends, remembering, tree_cpu_seconds

CHROMIUM = "/usr/bin/chromium"
VARIANTS = 10  # distinct pictures, each stored under many names
LINK = re.compile(r'"(/files/[a-z]/[0-9]+/[0-9]+/[0-9a-f]+/([0-9a-zA-Z._-]+))"')
# Lazy images far below the fold would not load at all: make every one count.
EAGER = """document.addEventListener("DOMContentLoaded", () => {
  for (const image of document.querySelectorAll("img[loading=lazy]")) image.loading = "eager";
});"""
MEASURE = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const entries = [navigation, ...performance.getEntriesByType("resource")];
  const fetched = entries.filter((entry) => entry.transferSize > 0);
  return {
    ms: navigation.loadEventEnd,
    requests: fetched.length,
    bytes: fetched.reduce((sum, entry) => sum + entry.transferSize, 0),
    images: document.images.length,
    complete: Array.from(document.images).every((image) => image.complete && image.naturalWidth),
  };
}"""


def picture(seed, size=(480, 480)):
    """A JPEG with the detail of a photo (it compresses like one: about 60 KB)."""
    from PIL import Image

    small = Image.effect_noise((60, 60), 90 + seed).convert("L")
    rgb = Image.merge("RGB", [small, small.rotate(90), small.rotate(180)])
    grain = Image.effect_noise(size, 18).convert("L")
    mixed = Image.blend(rgb.resize(size, Image.BICUBIC), Image.merge("RGB", [grain] * 3), 0.15)
    out = io.BytesIO()
    mixed.save(out, "JPEG", quality=85)
    return out.getvalue()


def create_tune(prompts, images_each):
    """The owner and their trained tune with its prompts, images and 4 photos, files too."""
    from django.contrib.auth.models import User
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from prompts.models import GeneratedImage, Prompt
    from tunes.models import TrainingImage, Tune

    owner = User.objects.create_user("bench-browser", "browser@example.com")
    now = timezone.now()
    pictures = [picture(seed) for seed in range(VARIANTS)]
    tune = Tune.objects.create(
        owner=owner, name="Featured", class_name="woman", model_kind="sd15",
        status=Tune.Status.TRAINED, remote_id=1, trained_at=now,
    )  # fmt: skip
    for position in range(4):
        photo = TrainingImage(tune=tune, position=position, sha256=f"{position:064d}")
        content = pictures[position]
        photo.size, photo.width, photo.height = len(content), 480, 480
        photo.file.save("photo.jpg", ContentFile(content), save=False)
        photo.save()
    for n in range(prompts):
        prompt = Prompt.objects.create(
            tune=tune, text=f"a portrait of a woman in a garden, take {n}", num_images=images_each,
            status=Prompt.Status.DONE, remote_id=10 + n, created_at=now - timedelta(minutes=n),
        )  # fmt: skip
        for position in range(images_each):
            content = pictures[(n * images_each + position) % VARIANTS]
            image = GeneratedImage(
                prompt=prompt, position=position, remote_url="https://example.com/i.jpg",
                content_type="image/jpeg", width=480, height=480, size=len(content),
                downloaded_at=now,
            )  # fmt: skip
            image.file.save("image.jpg", ContentFile(content), save=False)
            image.thumbnail.save("thumb.jpg", ContentFile(content), save=False)
            image.save()
    return owner, tune


def stored_files():
    """Base name -> path of every stored file the page may link to."""
    from prompts.models import GeneratedImage
    from tunes.models import TrainingImage

    fields = [photo.file for photo in TrainingImage.objects.all()]
    for image in GeneratedImage.objects.all():
        fields += [image.file, image.thumbnail]
    return {Path(field.name).name: Path(field.path) for field in fields}


def static_copy(html, folder, url_prefix):
    """Write the page and a copy of every file it links to into folder; the page's links
    point at the copies. Returns the number of files copied."""
    files = stored_files()
    folder.mkdir(parents=True)
    names = set()
    for _, name in LINK.findall(html):
        if name not in names:
            shutil.copyfile(files[name], folder / name)
            names.add(name)
    page = LINK.sub(lambda match: f'"{url_prefix}{match.group(2)}"', html)
    (folder / "index.html").write_text(page)
    # As collectstatic's compression would: whitenoise serves the .gz when asked.
    (folder / "index.html.gz").write_bytes(gzip.compress(page.encode(), 9))
    return len(names)


def server_cpu(stack, postgres):
    """CPU seconds of the web server (workers that were replaced included) and of
    PostgreSQL's backends (a bench.procs.remembering meter), so far."""
    return tree_cpu_seconds(stack.processes["web"].pid), postgres()


def visit(page, url, stack, meter):
    web, postgres = server_cpu(stack, meter)
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => Array.from(document.images).every((image) => image.complete)", timeout=60_000
    )
    figures = page.evaluate(MEASURE)
    web_after, postgres_after = server_cpu(stack, meter)
    figures["web cpu"] = web_after - web
    figures["database cpu"] = postgres_after - postgres
    figures["cpu"] = figures["web cpu"] + figures["database cpu"]
    if not figures["complete"]:
        raise RuntimeError(f"{url}: not every image loaded")
    return figures


def measure(browser, stack, urls, cookie, rounds):
    """urls: name -> URL. Returns (name, "first" | "second") -> list of figures."""
    from django.db import connection

    results = {(name, which): [] for name in urls for which in ("first", "second")}
    meter = remembering(database_backends) if connection.vendor == "postgresql" else float
    names = list(urls)
    for round_ in range(rounds + 1):  # round 0 warms up the server and the browser
        for name in names if round_ % 2 == 0 else reversed(names):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([cookie])
            context.add_init_script(EAGER)
            page = context.new_page()
            first = visit(page, urls[name], stack, meter)
            second = visit(page, urls[name], stack, meter)
            context.close()
            if round_:
                results[(name, "first")].append(first)
                results[(name, "second")].append(second)
    return results


def median(samples, key):
    return statistics.median(sample[key] for sample in samples)


def report(results):
    """Print the table and the verdicts; return the three ratios."""
    say(f"  {'':>24} {'load':>9} {'requests':>9} {'bytes':>10} {'server CPU':>11}"
        f" {'(web':>8} {'+ database)':>12}")  # fmt: skip
    for (name, which), samples in results.items():
        say(
            f"  {name + ', ' + which + ' visit':>24} {median(samples, 'ms'):6.0f} ms "
            f"{median(samples, 'requests'):9.0f} {median(samples, 'bytes') / 1024:7.0f} KB "
            f"{1000 * median(samples, 'cpu'):8.0f} ms {1000 * median(samples, 'web cpu'):5.0f} ms"
            f" {1000 * median(samples, 'database cpu'):9.0f} ms"
        )

    def ratio(which, key):
        static = median(results[("static", which)], key)
        return median(results[("portal", which)], key) / max(static, 1e-9)

    first, second, cpu = ratio("first", "ms"), ratio("second", "ms"), ratio("first", "cpu")
    say(f"  first visit, portal / static: {first:.2f}x  {verdict(first <= 1.3, '<= 1.3x')}")
    say(f"  second visit, portal / static: {second:.2f}x  {verdict(second <= 1.5, '<= 1.5x')}")
    say(f"  server CPU per first visit, portal / static: {cpu:.2f}x  "
        f"{verdict(cpu <= 2, '<= 2x')}")  # fmt: skip
    return first, second, cpu


def main(argv=None):
    parser = arguments("python -m bench.browser", __doc__)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of both pages, measured")
    parser.add_argument("--prompts", type=int, default=25)
    parser.add_argument("--images", type=int, default=8, help="images per prompt")
    args = parser.parse_args(argv)
    # Playwright's sync API runs an event loop in this thread; this process's own
    # queries (seeding, the meters) are made between its calls, never during one.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with (
        database("bench_browser", args.sqlite) as url,
        running_stack("browser", url, gunicorn_conf=True) as stack,
    ):
        print_machine()
        import requests
        from django.conf import settings

        from bench.pages import session_cookie

        owner, tune = create_tune(args.prompts, args.images)
        cookie = session_cookie(owner)
        page_url = f"{stack.web_url}{tune.get_absolute_url()}"
        html = requests.get(page_url, headers={"Cookie": cookie}, timeout=60).text
        name = f"bench-browser-{int(time.time())}"
        folder = Path(settings.STATIC_ROOT) / name
        try:
            copied = static_copy(html, folder, f"{settings.STATIC_URL}{name}/")
            # whitenoise finds its files as it starts: start the web server again.
            stack.kill("web", signal.SIGTERM)
            stack.start("web")
            urls = {"portal": page_url, "static": f"{stack.web_url}/static/{name}/index.html"}
            say(f"Tune page: {args.prompts} prompts of {args.images} images, {copied} files "
                f"on the page; {args.rounds} rounds, Chromium headless")  # fmt: skip
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                value = cookie.split("=", 1)[1]
                session = {"name": "sessionid", "value": value, "url": stack.web_url}
                results = measure(browser, stack, urls, session, args.rounds)
                browser.close()
            report(results)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
