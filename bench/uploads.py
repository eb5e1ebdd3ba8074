"""Uploads: memory of the web process while it takes a tune of 20 photos of 8 MB each,
and the bytes that reach Astria against the bytes uploaded.

    .venv/bin/python -m bench.uploads [--photos 20] [--megabytes 8] [--format jpeg]

The photos are 24-megapixel JPEGs, a camera's, posted through the real form to
gunicorn with one worker (so its process is known) on PostgreSQL. The worker's peak
resident memory above its idle level comes from the kernel (VmHWM, reset before the
upload). The task worker then sends the tune to the emulator, which keeps the images
it received. Target: under 100 MB above idle. --format png, webp or heic posts the
same pixels in that format, which decodes at full size: the peak is then what one photo
at PHOTO_MAX_DECODED_PIXELS costs (the form takes a 25-megapixel photo with
--megabytes 8.33).
"""

import contextlib
import io
import time

import requests
from PIL import Image, ImageChops

from bench.common import (
    arguments,
    database,
    print_machine,
    running_stack,
    say,
    verdict,
)
from bench.procs import children, descendants, memory, reset_peak
from drills.portal import Person, photo
from drills.stack import API_KEY, wait_until

MB = 1024 * 1024


def camera_photos(count, megabytes=8.0, image_format="JPEG"):
    """`count` different noisy JPEGs of about `megabytes` each; at 8 MB they have a
    camera's 24 megapixels (6000 x 4000). Noise hardly compresses. In another format,
    the same pixels."""
    width = round(6000 * (megabytes / 8) ** 0.5)
    size = (width, width * 2 // 3)
    gradient = Image.linear_gradient("L").resize(size)
    noise = [Image.effect_noise(size, 20 + band) for band in range(3)]
    photos = []
    for n in range(count):
        bands = [ImageChops.add(gradient, noise[b], 2, (n * 29 + b * 60) % 128) for b in range(3)]
        quality = 90
        while True:  # the noise is fixed, so the quality sets the size
            out = io.BytesIO()
            Image.merge("RGB", bands).save(out, "JPEG", quality=quality)
            if out.tell() >= megabytes * MB * 0.95 or quality >= 98:
                break
            quality += 2
        if image_format != "JPEG":
            out = io.BytesIO()
            Image.merge("RGB", bands).save(out, image_format)
        photos.append(out.getvalue())
    return photos


# The run


def post_tune(person, name, photos):
    """Post the new-tune form; return the tune's code and the seconds it took."""
    files = [("photos", (f"p{i}.jpg", data, "image/jpeg")) for i, data in enumerate(photos)]
    data = {"name": name, "class_name": "woman", "model_kind": "sd15", "test_mode": "on"}
    started = time.monotonic()
    response = person.post("/tunes/new/", data, files=files)
    seconds = time.monotonic() - started
    assert response.status_code == 302, f"the form was refused: {response.status_code}"
    return response.headers["Location"].rstrip("/").split("/")[-1], seconds


def wait_submitted(code, seconds=180):
    from tunes.models import Tune

    def submitted():
        return Tune.objects.filter(code=code, remote_id__isnull=False).exists()

    wait_until(submitted, seconds, "the tune's submission", every=0.2)
    return Tune.objects.get(code=code)


def bytes_at_astria(emulator_url, remote_id, api_key=API_KEY):
    """Sizes of the images the emulator received for a tune (it serves them back)."""
    headers = {"Authorization": f"Bearer {api_key}"}
    tune = requests.get(f"{emulator_url}/tunes/{remote_id}", headers=headers, timeout=30).json()
    return sum(len(requests.get(url, timeout=30).content) for url in tune["orig_images"])


def measure(stack, photos):
    web = children(stack.processes["web"].pid)[0]
    person = Person(stack.web_url, "bench-uploads")
    person.sign_up(stack.mail_dir)
    # Warm up both processes (imports, decoders, connections) with a small tune.
    warm_code, _ = post_tune(person, "warm-up", [photo(n) for n in range(4)])
    wait_submitted(warm_code)
    workers = descendants(stack.processes["worker"].pid)

    idle = {pid: memory(pid, "VmRSS") for pid in [web, *workers]}
    for pid in idle:
        with contextlib.suppress(OSError):
            reset_peak(pid)
    code, seconds = post_tune(person, "big photos", photos)
    web_peak = memory(web, "VmHWM") - idle[web]
    tune = wait_submitted(code)
    worker_peak = max(memory(pid, "VmHWM") - idle[pid] for pid in workers)
    return {
        "photos": len(photos),
        "uploaded": sum(len(data) for data in photos),
        "seconds": seconds,
        "web idle": idle[web],
        "web peak above idle": web_peak,
        "worker peak above idle": worker_peak,
        "stored": sum(tune.photos.values_list("size", flat=True)),
        "at Astria": bytes_at_astria(stack.emulator_url, tune.remote_id),
    }


def report(figures):
    up = figures["uploaded"]
    say(f"  uploaded: {figures['photos']} photos, {up / MB:.1f} MB, "
        f"form answered in {figures['seconds']:.1f} s")  # fmt: skip
    say(f"  web process: idle {figures['web idle'] / MB:.0f} MB, "
        f"peak {figures['web peak above idle'] / MB:.0f} MB above idle  "
        f"{verdict(figures['web peak above idle'] < 100 * MB, 'under 100 MB')}")  # fmt: skip
    say(f"  task worker: peak {figures['worker peak above idle'] / MB:.0f} MB above idle "
        "while sending the tune")  # fmt: skip
    at_astria = figures["at Astria"]
    say(f"  kept by the portal: {figures['stored'] / MB:.1f} MB; received by Astria: "
        f"{at_astria / MB:.1f} MB = {at_astria / up:.1%} of the bytes uploaded")  # fmt: skip


def main(argv=None):
    parser = arguments("python -m bench.uploads", __doc__)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--megabytes", type=float, default=8.0, help="size of each photo")
    parser.add_argument(
        "--format", choices=["jpeg", "png", "webp", "heic"], default="jpeg", help="of the photos"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    image_format = {"heic": "HEIF"}.get(args.format, args.format.upper())
    photos = camera_photos(args.photos, args.megabytes, image_format)
    width, height = Image.open(io.BytesIO(photos[0])).size
    sizes = [len(data) / MB for data in photos]
    say(f"Made {len(photos)} {args.format} photos of {width}x{height} pixels, {min(sizes):.1f} to "
        f"{max(sizes):.1f} MB, in {time.monotonic() - started:.0f} s")  # fmt: skip
    processes = ("emulator", "web", "worker")
    with (
        database("bench_uploads", args.sqlite) as url,
        running_stack("uploads", url, processes, web_workers=1) as stack,
    ):
        print_machine()
        report(measure(stack, photos))


if __name__ == "__main__":
    main()
