"""What the portal's processes cost, read from /proc: CPU time and resident memory."""

import contextlib
import os


def children(pid):
    """Process ids of pid's children (gunicorn's workers, say)."""
    with open(f"/proc/{pid}/task/{pid}/children") as listed:
        return [int(child) for child in listed.read().split()]


def descendants(pid):
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def cpu_seconds(pids, reaped=False):
    """User and system CPU seconds the processes have used so far; with reaped, also
    their children that have ended (a whole process tree, counted from its live members)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += sum(int(value) for value in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid):
    return cpu_seconds([pid, *descendants(pid)], reaped=True)


def machine_busy_seconds():
    """CPU seconds the whole machine has been busy (all cores, every process)."""
    with open("/proc/stat") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def database_backends():
    """Process ids of the PostgreSQL backends serving this database (this one's too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [pid for (pid,) in cursor.fetchall()]


def remembering(list_pids):
    """A CPU meter over the processes list_pids() names each time it is read, that keeps
    what a process had used when it was last seen: a gunicorn worker replaced after its
    1,000 requests ends its PostgreSQL backend, whose CPU would drop out of the sum."""
    seen = {}

    def read():
        for pid in list_pids():
            used = cpu_seconds([pid])
            if used:
                seen[pid] = used
        return sum(seen.values())

    return read


def server_meters(stack):
    """CPU meters for the web workers and the database backends of a running stack."""
    from django.db import connection

    web = stack.processes["web"].pid
    # The whole tree, workers that ended included: gunicorn.conf.py replaces each
    # worker after about 1,000 requests, and a live-workers-only sum would drop its CPU.
    meters = {"gunicorn": lambda: tree_cpu_seconds(web)}
    if connection.vendor == "postgresql":
        meters["postgres"] = remembering(database_backends)
    return meters


def memory(pid, field):
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) * 1024


def reset_peak(pid):
    """Make VmHWM (the peak resident size) start again from the current size."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
