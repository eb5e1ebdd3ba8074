"""Uploads as an attack: while a few free accounts post the new fine-tune form again and
again with 20 copies of a single-colour 6320 x 6320 PNG (about 128 KB each, 40
megapixels, 2.5 MB a request), do the login page and the tune list keep answering?

    .venv/bin/python -m bench.upload_attack [--accounts 3] [--seconds 60] [--idle 15]

The stack is production's: gunicorn with deploy/gunicorn.conf.py (3 sync workers, 60 s
timeout), DEBUG off, the default limits, a task worker and the emulator, on PostgreSQL.
Two probes, each on a connection of its own, ask for /accounts/login/ (anonymous) and
the tune list (an account of its own) about every 100 ms, first for --idle seconds with
nothing else going on (the baseline), then while --accounts accounts post the attack,
each as soon as its last answer came, for --seconds. Targets: during the attack both
pages answer with a p95 under 1 s, and no request, probe or attack, answers 500.

--distinct gives each photo its own colour, so that no two are the same file, and
--no-limits turns the per-account and per-address limits on upload attempts off: the
attack of many accounts from many addresses, which only the bounds on the work itself
can hold.
"""

import io
import statistics
import threading
import time
from collections import Counter

import requests
from PIL import Image

from bench.common import arguments, database, print_machine, running_stack, say, verdict
from drills.portal import CSRF, Person

PROBE_EVERY = 0.1
PROBE_TIMEOUT = 10
ATTACK_TIMEOUT = 120
PAGES = {"login page": "/accounts/login/", "tune list": "/tunes/"}
# Settings production has by default and the drills turn off (drills/stack.py).
PRODUCTION_LIMITS = (
    "TUNES_PER_DAY",
    "PROMPTS_PER_HOUR",
    "TUNE_UPLOADS_PER_HOUR",
    "TUNE_UPLOADS_PER_IP_PER_HOUR",
    "UPLOADS_AT_ONCE",
)


def attack_photos(count, side, distinct=False):
    """`count` single-colour PNGs of side x side pixels: the same file, or one colour each."""
    photos, same = [], None
    for n in range(count):
        if same is None or distinct:
            out = io.BytesIO()
            Image.new("RGB", (side, side), (200, 150, (120 + n) % 256)).save(out, "PNG")
            same = out.getvalue()
        photos.append(same)
    return photos


class Recorder:
    """Latencies and outcomes (a status, or "timeout"/"error") of one kind of request."""

    def __init__(self):
        self.latencies = []
        self.outcomes = Counter()
        self.lock = threading.Lock()

    def add(self, seconds, outcome):
        with self.lock:
            self.latencies.append(seconds)
            self.outcomes[outcome] += 1

    def percentile(self, share):
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def summary(self):
        if not self.latencies:
            return "no requests"
        counts = ", ".join(
            f"{outcome}: {n}" for outcome, n in sorted(self.outcomes.items(), key=str)
        )
        median, p95 = statistics.median(self.latencies), self.percentile(0.95)
        return (
            f"{len(self.latencies):>4} requests, p50 {1000 * median:6.0f} ms, "
            f"p95 {1000 * p95:6.0f} ms, max {1000 * max(self.latencies):6.0f} ms  ({counts})"
        )


def timed(request, recorder, timeout):
    started = time.monotonic()
    try:
        outcome = request(timeout).status_code
    except requests.Timeout:
        outcome = "timeout"
    except requests.RequestException:
        outcome = "error"
    recorder.add(time.monotonic() - started, outcome)
    return outcome


def probe(session, url, recorder, stop):
    """GET url about every PROBE_EVERY seconds until stop is set."""
    while not stop.is_set():
        started = time.monotonic()
        timed(lambda timeout: session.get(url, timeout=timeout), recorder, PROBE_TIMEOUT)
        stop.wait(max(0.0, PROBE_EVERY - (time.monotonic() - started)))


def probes(stack, prober, recorders, seconds):
    """Run both probes for `seconds` (or until the returned event is set, if seconds is None)."""
    stop = threading.Event()
    sessions = {"login page": requests.Session(), "tune list": prober.session}
    threads = [
        threading.Thread(
            target=probe, args=(sessions[page], stack.web_url + path, recorders[page], stop)
        )
        for page, path in PAGES.items()
    ]
    for thread in threads:
        thread.start()
    if seconds is not None:
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
    return stop, threads


def attacker(stack, person, photos, recorder, deadline):
    """Post the form with the photos as soon as the last answer came, until the deadline."""
    token = CSRF.search(person.get("/tunes/new/").content).group(1).decode()
    data = {"name": "x", "class_name": "woman", "model_kind": "sd15", "csrfmiddlewaretoken": token}
    files = [("photos", (f"p{n}.png", content, "image/png")) for n, content in enumerate(photos)]

    def post(timeout):
        return person.session.post(
            f"{stack.web_url}/tunes/new/", data=data, files=files, allow_redirects=False,
            headers={"Referer": f"{stack.web_url}/tunes/new/"}, timeout=timeout,
        )  # fmt: skip

    while time.monotonic() < deadline:
        timed(post, recorder, ATTACK_TIMEOUT)


def run(stack, args, photos):
    people = [Person(stack.web_url, f"attacker{n}") for n in range(args.accounts)]
    prober = Person(stack.web_url, "prober")
    for person in [*people, prober]:
        person.sign_up()
    idle = {page: Recorder() for page in PAGES}
    probes(stack, prober, idle, args.idle)

    during = {page: Recorder() for page in PAGES}
    attacks = Recorder()
    stop, probe_threads = probes(stack, prober, during, None)
    deadline = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=attacker, args=(stack, person, photos, attacks, deadline))
        for person in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in probe_threads:
        thread.join()
    return idle, during, attacks


def report(idle, during, attacks):
    for page in PAGES:
        say(f"  {page}, idle:   {idle[page].summary()}")
        say(f"  {page}, attack: {during[page].summary()}")
    say(f"  attack requests:      {attacks.summary()}")
    for page in PAGES:
        p95 = during[page].percentile(0.95)
        say(f"  {page}: p95 {1000 * p95:.0f} ms during the attack "
            f"({1000 * idle[page].percentile(0.95):.0f} ms idle)  "
            f"{verdict(p95 < 1.0 and during[page].latencies, 'p95 under 1 s')}")  # fmt: skip
    failed = sum(
        n
        for recorder in [*during.values(), attacks]
        for outcome, n in recorder.outcomes.items()
        if outcome == 500 or outcome in ("timeout", "error")
    )
    say(f"  answers 500, timeouts and broken connections: {failed}  "
        f"{verdict(failed == 0, 'none')}")  # fmt: skip


def main(argv=None):
    parser = arguments("python -m bench.upload_attack", __doc__)
    parser.add_argument("--accounts", type=int, default=3, help="accounts posting at once")
    parser.add_argument("--seconds", type=float, default=60, help="how long the attack lasts")
    parser.add_argument("--idle", type=float, default=15, help="seconds of the idle baseline")
    parser.add_argument("--photos", type=int, default=20, help="photos in each request")
    parser.add_argument("--side", type=int, default=6320, help="pixels on each side of a photo")
    parser.add_argument("--distinct", action="store_true", help="a different file each photo")
    parser.add_argument(
        "--no-limits", action="store_true", help="no limits on upload attempts (account, address)"
    )
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn's WEB_CONCURRENCY")
    args = parser.parse_args(argv)
    photos = attack_photos(args.photos, args.side, args.distinct)
    say(f"The attack: {args.accounts} accounts, each posting {len(photos)} PNGs of "
        f"{args.side}x{args.side} pixels ({len(set(photos))} different, "
        f"{sum(map(len, photos)) / 1e6:.1f} MB a request) for {args.seconds:g} s")  # fmt: skip
    env = {"SIGNUPS_PER_IP_PER_HOUR": "0"}  # the accounts all sign up from loopback
    if args.no_limits:
        env.update(TUNE_UPLOADS_PER_HOUR="0", TUNE_UPLOADS_PER_IP_PER_HOUR="0")
    processes = ("emulator", "web", "worker")
    with (
        database("bench_upload_attack", args.sqlite) as url,
        running_stack(
            "upload-attack", url, processes, env=env, gunicorn_conf=True,
            web_workers=args.web_workers, unset=PRODUCTION_LIMITS,
        ) as stack,
    ):  # fmt: skip
        print_machine()
        report(*run(stack, args, photos))


if __name__ == "__main__":
    main()
