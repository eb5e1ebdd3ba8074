"""python -m drills {worker-kill,emulator-outage,no-callbacks,replay,flaky-astria,all,two-workers}

"all" runs the first five; two-workers needs PostgreSQL (drills/scaleout.py).
Payments and credits have a drill of their own: python -m drills.billing.
"""

import argparse
import os
import random
import signal
import sys
import tempfile
import time

import requests

from drills import scaleout, tally
from drills.drill import Drill, say, wait_for_trained
from drills.stack import Stack


def worker_kill(drill, limit):
    say("Killing the worker with SIGKILL in the middle of submissions, twice.")
    # Astria takes 3 s to answer each create: the kill lands while requests are open.
    slow = {"status": None, "delay": 3.0, "times": 100000}
    drill.stack.control("POST", "faults", {"method": "POST", "path": "/tunes", **slow})
    drill.stack.control("POST", "faults", {"method": "POST", "path": r"/tunes/\d+/prompts", **slow})
    drill.create_tunes()
    time.sleep(1.0)
    drill.stack.kill("worker")
    say("  worker killed (SIGKILL) with tunes in flight")
    time.sleep(2)
    drill.stack.start("worker")
    wait_for_trained(drill, limit)
    drill.create_prompts()
    time.sleep(1.0)
    drill.stack.kill("worker")
    say("  worker killed (SIGKILL) with prompts in flight")
    time.sleep(2)
    drill.stack.start("worker")


def emulator_outage(drill, limit, outage):
    say(f"Stopping Astria (the emulator) for {outage} s while people keep creating tunes.")
    drill.stack.kill("emulator", signal.SIGTERM)
    started = time.monotonic()
    drill.create_tunes(round_=1)
    time.sleep(max(0, outage / 2 - (time.monotonic() - started)))
    drill.create_tunes(round_=2)
    time.sleep(max(0, outage - (time.monotonic() - started)))
    drill.stack.start("emulator")
    say(f"  Astria back after {time.monotonic() - started:.0f} s")
    wait_for_trained(drill, limit)
    drill.create_prompts()


def no_callbacks(drill, limit):
    say("Dropping every callback: only the reconciler can finish anything.")
    drill.stack.control("POST", "config", {"callbacks_enabled": False})
    drill.create_tunes()
    wait_for_trained(drill, limit)
    drill.create_prompts()


def replay(drill, limit):
    say("Replaying every callback three times, out of order, with stale bodies among them.")
    drill.create_tunes()
    wait_for_trained(drill, limit)
    drill.create_prompts()
    tally.wait_until_settled(limit, say=say)
    sent = [entry for entry in drill.stack.control("GET", "callbacks") if entry["status"]]
    replays = []
    for entry in sent:
        stale = {
            key: dict(value, trained_at=None, images=[]) for key, value in entry["body"].items()
        }
        replays += [
            (entry["url"], entry["body"]),
            (entry["url"], stale),
            (entry["url"], entry["body"]),
        ]
    random.shuffle(replays)
    statuses = [requests.post(url, json=body, timeout=10).status_code for url, body in replays]
    say(f"  {len(replays)} callbacks replayed to the portal: {sorted(set(statuses))}")
    if set(statuses) != {204}:
        raise SystemExit("FAILED: the portal did not accept every replayed callback")


def flaky_astria(drill, limit):
    say("Astria answers 5% of calls with 500 and 2% of creates with 504 after committing.")
    creates = r"/tunes|/tunes/\d+/prompts"
    # At least one of each, however few calls a small run makes; then the random ones.
    for path in ("/tunes", r"/tunes/\d+/prompts"):
        drill.stack.control("POST", "faults", {"method": "POST", "path": path, "status": 504,
                                                "after_commit": True})  # fmt: skip
    drill.stack.control("POST", "faults", {"method": "POST", "path": creates, "status": 504,
                                            "after_commit": True, "probability": 0.02,
                                            "times": 100000})  # fmt: skip
    drill.stack.control("POST", "faults", {"method": "*", "path": ".*", "status": 500,
                                            "probability": 0.05, "times": 100000})  # fmt: skip
    drill.create_tunes()
    wait_for_trained(drill, limit)
    drill.create_prompts()


DRILLS = {
    "worker-kill": worker_kill,
    "emulator-outage": emulator_outage,
    "no-callbacks": no_callbacks,
    "replay": replay,
    "flaky-astria": flaky_astria,
}


def run(name, args):
    folder = tempfile.mkdtemp(prefix=f"drill-{name}-")
    stack = Stack(folder, database_url=os.environ.get("DRILL_DATABASE_URL"))
    os.environ.update(stack.env)
    import django

    django.setup()
    say(f"== Drill {name} (files in {folder})")
    started = time.monotonic()
    with stack:
        drill = Drill(stack, args.people, args.tunes, args.prompts)
        drill.sign_up()
        if name == "emulator-outage":
            emulator_outage(drill, args.limit, args.outage)
        else:
            DRILLS[name](drill, args.limit)
        figures, problems = drill.finish(args.limit)
        subjects = tally.mails(stack.mail_dir)
        figures["e-mails sent"] = len(subjects)
        if len(subjects) != len(set(subjects)) or len(subjects) != len(drill.tune_codes):
            problems.append(f"{len(subjects)} e-mails for {len(drill.tune_codes)} tunes")
        callbacks = stack.control("GET", "callbacks")
        figures["callbacks delivered"] = sum(1 for entry in callbacks if entry["status"])
        figures["callbacks dropped"] = sum(1 for entry in callbacks if entry["dropped"])
        from astria_portal.models import CallbackReceipt

        acted = CallbackReceipt.objects.filter(verdict="refresh").count()
        figures["callbacks acted on"] = acted
        if acted > figures["callbacks delivered"]:
            problems.append(f"{acted} callbacks acted on for {figures['callbacks delivered']} sent")
        calls = stack.control("GET", "requests")
        figures["Astria API calls"] = len(calls)
        figures["faults injected"] = sum(1 for call in calls if call["fault"])
    for label, value in figures.items():
        say(f"  {label:>26}: {value}")
    say(f"  {'time':>26}: {time.monotonic() - started:.0f} s")
    if problems:
        say("FAILED: " + "; ".join(problems))
        return False
    say("OK: nothing lost, nothing duplicated")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m drills", description=__doc__)
    parser.add_argument("name", choices=[*DRILLS, "all", "two-workers"])
    parser.add_argument("--people", type=int, default=3)
    parser.add_argument("--tunes", type=int, default=3, help="tunes per person")
    parser.add_argument("--prompts", type=int, default=2, help="prompts per tune")
    parser.add_argument("--outage", type=int, default=120, help="seconds Astria is down")
    parser.add_argument("--limit", type=int, default=600, help="seconds to wait for the end")
    args = parser.parse_args(argv)
    if args.name == "two-workers":
        return 0 if scaleout.run(args) else 1
    names = list(DRILLS) if args.name == "all" else [args.name]
    if len(names) > 1:
        # Django is set up once per process: run each drill in its own.
        import subprocess

        failed = [
            name
            for name in names
            if subprocess.run([sys.executable, "-m", "drills", name, *_passed(args)]).returncode
        ]
        return 1 if failed else 0
    return 0 if run(names[0], args) else 1


def _passed(args):
    return [
        "--people", str(args.people), "--tunes", str(args.tunes), "--prompts", str(args.prompts),
        "--outage", str(args.outage), "--limit", str(args.limit),
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
