"""What the benchmarks share: the machine, a throw-away database, the stack, a load
generator (bench/procs.py reads what the processes cost).

Every figure is compared with a baseline measured in the same run, on the same server
with the same client: the favicon redirect, a view that goes through the whole
middleware stack of the production WSGI server but touches no database.
"""

import argparse
import contextlib
import http.client
import itertools
import os
import platform
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from drills.stack import Stack

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
TRIVIAL = "/favicon.ico"  # a permanent redirect to the static icon: no database


def say(text=""):
    print(text, flush=True)


# The machine


def machine():
    """What the figures were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as lines:
        cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), cpu)
    ram = "unknown"
    with contextlib.suppress(OSError), open("/proc/meminfo") as lines:
        kib = next(int(line.split()[1]) for line in lines if line.startswith("MemTotal"))
        ram = f"{kib / 1024 / 1024:.0f} GB"
    import django

    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "RAM": ram,
        "Python": platform.python_version(),
        "Django": django.get_version(),
    }


def print_machine():
    """Say what the figures were measured on (once Django points at the database)."""
    from django.db import connection

    facts = machine()
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        facts["database"] = f"PostgreSQL {major}.{minor}"
    else:
        import sqlite3

        facts["database"] = f"SQLite {sqlite3.sqlite_version} (a quick check, not a figure)"
    say("Machine: " + "; ".join(f"{key} {value}" for key, value in facts.items()))


def arguments(prog, doc):
    """An argument parser with the option every benchmark has."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="use a throw-away SQLite file, not PostgreSQL"
    )
    return parser


# A throw-away PostgreSQL database


@contextlib.contextmanager
def database(name, sqlite=False):
    """A throw-away PostgreSQL database's URL, or None: the stack's own SQLite file."""
    if sqlite:
        yield None
        return
    with postgres_database(name) as url:
        yield url


@contextlib.contextmanager
def postgres_database(name):
    """Create an empty database for the run and drop it afterwards; yield its URL."""
    import psycopg

    def admin(sql):
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            connection.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_stack(name, database_url, processes=("web",), env=None, unset=(), **options):
    """Start the portal's processes on loopback and point this process's Django at the
    same database and settings (as the drills do; env overrides some of those, and the
    variables named in unset take their defaults)."""
    folder = tempfile.mkdtemp(prefix=f"bench-{name}-")
    stack = Stack(folder, database_url=database_url, **options)
    for variable in unset:
        stack.env.pop(variable, None)
    stack.env.update(env or {})
    os.environ.update(stack.env)
    import django

    django.setup()
    stack.setup()
    finished = False
    try:
        stack.start(*processes)
        yield stack
        finished = True
    finally:
        stack.stop()
        if finished:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            say(f"(the processes' logs are in {folder})")


# Load


@dataclass
class Sample:
    latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    seconds: float = 0.0
    cpu: dict = field(default_factory=dict)  # process group -> CPU seconds used

    def add(self, other):
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        for name, seconds in other.cpu.items():
            self.cpu[name] = self.cpu.get(name, 0.0) + seconds

    def cpu_ms(self, name):
        """CPU milliseconds per request that the named processes spent."""
        return 1000 * self.cpu.get(name, 0.0) / max(1, len(self.latencies))

    @property
    def rate(self):
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share):
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def median_ms(self):
        return 1000 * statistics.median(self.latencies) if self.latencies else 0.0


@dataclass(frozen=True)
class Call:
    """One request: what to send and which status means it worked."""

    path: str
    method: str = "GET"
    body: bytes | None = None
    headers: dict = field(default_factory=dict)
    expected: int = 200


def _connection(base_url):
    parts = urlsplit(base_url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def send(connection, call):
    """Send one call and read the whole answer; return (seconds, status or None)."""
    started = time.perf_counter()
    try:
        connection.request(call.method, call.path, body=call.body, headers=call.headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        connection.close()  # the next request opens a new connection
        status = None
    return time.perf_counter() - started, status


def hammer(base_url, make_call, seconds, connections):
    """Send make_call(n) for n = 0, 1, ... from `connections` clients, each waiting for
    its answer before the next request, for `seconds`; return a Sample."""
    numbers = itertools.count()
    sample = Sample()
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds

    def client():
        connection = _connection(base_url)
        mine = Sample()
        while time.perf_counter() < deadline:
            call = make_call(next(numbers))
            elapsed, status = send(connection, call)
            mine.latencies.append(elapsed)
            if status != call.expected:
                mine.errors.append(status)
        connection.close()
        with lock:
            sample.add(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sample.seconds = time.perf_counter() - started
    return sample


def compare_rates(base_url, subjects, *, rounds, seconds, connections, meters=None):
    """Alternate short runs of each subject (name -> make_call), so that a noisy
    neighbour slows them alike; return name -> Sample over all rounds.

    meters (name -> function returning CPU seconds so far) measure what each
    request costs the server's processes, a figure the neighbours cannot skew.
    """
    meters = meters or {}
    names = list(subjects)
    for name in names:  # warm up: imports, URL resolvers, database connections
        hammer(base_url, subjects[name], min(seconds, 1.0), connections)
    totals = {name: Sample() for name in subjects}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else reversed(names):
            before = {meter: read() for meter, read in meters.items()}
            sample = hammer(base_url, subjects[name], seconds, connections)
            sample.cpu = {meter: read() - before[meter] for meter, read in meters.items()}
            totals[name].add(sample)
    return totals


def compare_latencies(base_url, calls, repeats):
    """One client: send each call of `calls` (name -> Call) in turn, `repeats` times;
    return name -> Sample (its latencies; a wrong status is an error)."""
    samples = {name: Sample() for name in calls}
    connection = _connection(base_url)
    for _ in range(repeats):
        for name, call in calls.items():
            elapsed, status = send(connection, call)
            samples[name].latencies.append(elapsed)
            if status != call.expected:
                samples[name].errors.append(status)
    connection.close()
    return samples


def verdict(met, target):
    return f"{'MET' if met else 'MISSED'} (target: {target})"
