"""Callback intake: requests per second of the callback endpoint against the trivial view.

    .venv/bin/python -m bench.callbacks [--rounds 6] [--seconds 5] [--connections 6]

gunicorn (3 sync workers, as the Procfile) on PostgreSQL. Two kinds of callback, each
with a body not seen before. A "first callback" names a tune still training that
has had none yet, so it takes the full path: token check, a new receipt and a
refresh task enqueued, in one transaction. A "storm" callback names one tune that
gets them all, as a replayed token would: after the first few it is only counted.
Target: first callbacks at least half the trivial view's rate.
"""

import itertools
import json

from bench.common import (
    TRIVIAL,
    Call,
    arguments,
    compare_rates,
    database,
    print_machine,
    running_stack,
    say,
    verdict,
)
from bench.procs import server_meters


def prepare(tunes):
    """A user with `tunes` tunes in training; return the callback path of each."""
    from django.contrib.auth.models import User

    from astria_portal.callbacks import callback_url
    from tunes.models import Tune

    owner = User.objects.create_user("bench-callbacks")
    Tune.objects.bulk_create(
        Tune(owner=owner, name=f"tune {n}", class_name="woman", model_kind="sd15",
             status=Tune.Status.TRAINING, remote_id=1_000_000 + n)
        for n in range(tunes)
    )  # fmt: skip
    return [
        (tune.remote_id, "/" + callback_url("tune", tune).split("/", 3)[3])
        for tune in Tune.objects.filter(owner=owner)
    ]


def measure(base_url, targets, *, rounds, seconds, connections, meters=None):
    """Interleave the trivial view, first callbacks and a storm on one tune (the first
    of targets); return name -> Sample."""
    bodies = itertools.count()  # never repeats, across rounds
    fresh = itertools.count()  # the next tune not called back yet, across rounds

    def call(target):
        remote_id, path = target
        body = {"tune": {"id": remote_id, "trained_at": None, "n": next(bodies)}}
        headers = {"Content-Type": "application/json"}
        return Call(path, "POST", json.dumps(body).encode(), headers, expected=204)

    def first_callback(n):
        return call(targets[1 + next(fresh) % (len(targets) - 1)])

    def storm(n):
        return call(targets[0])

    def trivial(n):
        return Call(TRIVIAL, expected=301)

    subjects = {"trivial view": trivial, "first callback": first_callback, "storm": storm}
    return compare_rates(
        base_url, subjects, rounds=rounds, seconds=seconds, connections=connections, meters=meters
    )


def report(samples):
    for name, sample in samples.items():
        say(
            f"  {name:>14}: {len(sample.latencies):6d} requests, {sample.rate:7.0f} req/s, "
            f"median {sample.median_ms:5.1f} ms, p95 {sample.percentile(0.95):5.1f} ms, "
            f"{len(sample.errors)} errors"
        )
        if sample.cpu:
            cpu = ", ".join(f"{name} {sample.cpu_ms(name):.2f} ms" for name in sample.cpu)
            say(f"  {'':>14}  CPU per request: {cpu}")
    ratio = samples["first callback"].rate / samples["trivial view"].rate
    storm = samples["storm"].rate / samples["trivial view"].rate
    say(f"  first callback rate / trivial rate: {ratio:.2f}  {verdict(ratio >= 0.5, '>= 0.50')}")
    say(f"  storm rate / trivial rate: {storm:.2f}")
    return ratio


def main(argv=None):
    parser = arguments("python -m bench.callbacks", __doc__)
    parser.add_argument("--rounds", type=int, default=6, help="alternations of the two")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--connections", type=int, default=6, help="concurrent clients")
    parser.add_argument(
        "--tunes", type=int, default=10_000, help="tunes the first callbacks name, in turn"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (Procfile: 3)")
    args = parser.parse_args(argv)
    with (
        database("bench_callbacks", args.sqlite) as url,
        running_stack("callbacks", url, web_workers=args.workers, gunicorn_conf=True) as stack,
    ):
        print_machine()
        targets = prepare(args.tunes + 1)
        say(
            f"Callback intake: {args.rounds} x {args.seconds:g} s each, {args.connections} "
            f"connections, gunicorn with {stack.web_workers} workers"
        )
        samples = measure(
            stack.web_url,
            targets,
            rounds=args.rounds,
            seconds=args.seconds,
            connections=args.connections,
            meters=server_meters(stack),
        )
        report(samples)
        from django_q.models import OrmQ

        from astria_portal.models import CallbackReceipt
        from tunes.models import Tune

        stormed = Tune.objects.get(remote_id=targets[0][0])
        tasks = [queued.task["args"] for queued in OrmQ.objects.all()]
        receipts = CallbackReceipt.objects.filter(object_code=stormed.code).count()
        say(
            f"  refresh tasks enqueued: {len(tasks)}, for the storm's tune "
            f"{tasks.count((stormed.pk,))}; receipts kept for it: {receipts}"
        )


if __name__ == "__main__":
    main()
