"""End to end: tunes and prompts through the web forms, the task worker and the emulator.

    .venv/bin/python -m bench.e2e [--people 8] [--tunes 200] [--prompts 1000]

The drills' people sign up and post the real forms from several threads: first every
tune (4 photos each), then the prompts (2 images each) on the tunes' pages. The
emulator trains in --train-seconds and generates in --prompt-seconds and calls back.
Then everything is counted: time until all is trained, done and downloaded, Astria
calls per object from the emulator's own log (with callbacks arriving, one read per
callback and no polling), and whether anything was lost or duplicated.
"""

import os
import re
import time
from collections import Counter

from bench.common import (
    arguments,
    database,
    print_machine,
    running_stack,
    say,
    verdict,
)
from bench.procs import machine_busy_seconds, tree_cpu_seconds
from drills import tally
from drills.__main__ import Drill

# The emulator logs one line per request: "<time> METHOD /path STATUS", and
# "<time> media: METHOD /path STATUS" for its media host, where the files are.
LOG_LINE = re.compile(r" (GET|POST|PATCH|PUT|DELETE|HEAD) (/\S*) (\S+)$")
CALLS = [
    ("POST", r"/tunes", "tune create"),
    ("GET", r"/tunes/\d+", "tune read"),
    ("GET", r"/tunes", "tune list (look-up)"),
    ("POST", r"/tunes/\d+/prompts", "prompt create"),
    ("GET", r"/(tunes/\d+/)?prompts/\d+", "prompt read"),
    ("GET", r"/(tunes/\d+/)?prompts", "prompt list (look-up)"),
    ("GET", r"/[a-z0-9]{28}", "image download"),
]


def astria_calls(log_path):
    """Count the emulator's requests by kind (its control surface left out)."""
    counts = Counter()
    for line in log_path.read_text().splitlines():
        match = LOG_LINE.search(line)
        if not match or match.group(2).startswith("/_emulator"):
            continue
        method, path, _ = match.groups()
        kind = next((k for m, p, k in CALLS if m == method and re.fullmatch(p, path)), None)
        counts[kind or f"other: {method} {path}"] += 1
    return counts


def run(stack, people, tunes_each, prompts_each, limit):
    """Post the forms, wait until everything settles; return the figures and problems."""
    drill = Drill(stack, people, tunes_each, prompts_each)
    drill.sign_up()
    processes = {name: stack.processes[name].pid for name in ("web", "worker", "emulator")}
    cpu = {name: tree_cpu_seconds(pid) for name, pid in processes.items()}
    cpu["whole machine"] = machine_busy_seconds()
    started = time.monotonic()
    drill.create_tunes()
    drill.create_prompts()
    forms = time.monotonic() - started
    state, _ = tally.wait_until_settled(limit, every=1, say=say)
    total = time.monotonic() - started
    for name, pid in processes.items():
        cpu[name] = tree_cpu_seconds(pid) - cpu[name]
    cpu["whole machine"] = machine_busy_seconds() - cpu["whole machine"]
    calls = astria_calls(stack.folder / "emulator.log")  # before our own look-ups below
    figures, problems = tally.reconcile_counts(stack, len(drill.tune_codes), drill.prompts)
    if state["images_stored"] < state["images_expected"]:
        problems.append("images missing")
    from astria_portal.models import CallbackReceipt

    receipts = Counter(CallbackReceipt.objects.values_list("kind", flat=True))
    return {
        "tunes": len(drill.tune_codes),
        "prompts": drill.prompts,
        "images": state["images_stored"],
        "forms seconds": forms,
        "total seconds": total,
        "calls": calls,
        "callbacks": receipts,
        "e-mails": len(tally.mails(stack.mail_dir)),
        "cpu": cpu,
        "figures": figures,
    }, problems


def report(result, problems):
    tunes, prompts, images = result["tunes"], result["prompts"], result["images"]
    total = result["total seconds"]
    say(f"  {tunes} tunes, {prompts} prompts, {images} images: forms posted in "
        f"{result['forms seconds']:.0f} s, everything settled after {total:.0f} s")  # fmt: skip
    say(f"  throughput: {(tunes + prompts) / total:.1f} tunes and prompts per second, "
        f"{images / total:.1f} images per second")  # fmt: skip
    cpu = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in result["cpu"].items())
    cores = os.cpu_count()
    say(f"  CPU used meanwhile: {cpu} (of {total * cores:.0f} s on {cores} cores)")
    per = {"tune": tunes, "prompt": prompts, "image": images}
    for kind, count in sorted(result["calls"].items(), key=lambda item: -item[1]):
        noun = kind.split()[0]
        share = f" = {count / per[noun]:.2f} per {noun}" if noun in per else ""
        say(f"  {kind:>22}: {count:6d}{share}")
    callbacks = result["callbacks"]
    say(f"  callbacks received: {callbacks['tune']} for tunes, {callbacks['prompt']} for prompts")
    reads = result["calls"]["tune read"] + result["calls"]["prompt read"]
    no_polling = reads <= callbacks["tune"] + callbacks["prompt"]
    say(f"  reads per callback: {reads / max(1, callbacks.total()):.2f}  "
        f"{verdict(no_polling, 'no reads beyond one per callback')}")  # fmt: skip
    say(f"  e-mails: {result['e-mails']} for {tunes} tunes")
    if result["e-mails"] != tunes:
        problems.append(f"{result['e-mails']} e-mails for {tunes} tunes")
    say(f"  lost or duplicated: {'; '.join(problems) or 'none'}  "
        f"{verdict(not problems, 'none lost, none duplicated')}")  # fmt: skip
    return not problems


def main(argv=None):
    parser = arguments("python -m bench.e2e", __doc__)
    parser.add_argument("--people", type=int, default=8, help="client threads")
    parser.add_argument("--tunes", type=int, default=200)
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--train-seconds", type=float, default=0.5)
    parser.add_argument("--prompt-seconds", type=float, default=0.5)
    parser.add_argument("--limit", type=int, default=1800, help="seconds to wait for the end")
    args = parser.parse_args(argv)
    if args.tunes % args.people or args.prompts % args.tunes:
        parser.error("--tunes must divide among --people, --prompts among --tunes")
    timings = {"train_seconds": args.train_seconds, "prompt_seconds": args.prompt_seconds}
    processes = ("emulator", "web", "worker")
    # The production default, not the drills' 10 s: with that, a callback that waits
    # longer in the busy queue gets its object polled by the reconciler as well.
    env = {"CALLBACK_GRACE": "300"}
    with (
        database("bench_e2e", args.sqlite) as url,
        running_stack("e2e", url, processes, env, emulator_on_disk=False, **timings) as stack,
    ):
        print_machine()
        say(f"End to end: {args.people} people post {args.tunes} tunes, then "
            f"{args.prompts // args.tunes} prompts on each")  # fmt: skip
        result, problems = run(
            stack, args.people, args.tunes // args.people, args.prompts // args.tunes, args.limit
        )
        ok = report(result, problems)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
