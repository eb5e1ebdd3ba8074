"""At most a few requests of one costly kind at once on this machine, across every
web process.

gunicorn's sync workers serve one request each: were they all decoding photos, the
login page would wait for them. So such work takes a slot first, and a request that
finds none free is answered at once ("busy, try again in a moment") instead of
waiting, which would hold its worker all the same.

A slot is an exclusive flock() on one of N files. The CPU it guards is the
machine's, so the files are local: every web process of this portal on this
machine shares them (systemd's PrivateTmp gives a service's processes one /tmp).
The kernel releases a lock when its process ends, even by SIGKILL (gunicorn's
timeout), so a slot is never lost.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


class Busy(Exception):
    """Every slot is taken; try again in a moment."""

    def __init__(self, retry_after):
        super().__init__(f"every slot is taken; try again in {retry_after} s")
        self.retry_after = retry_after  # seconds


def folder(database=None):
    """The folder of this portal's lock files: one per checkout and database (settings
    DATABASES["default"]), so that other portals or test runs on the machine count
    their own."""
    database = database or connection.settings_dict
    identity = f"{settings.BASE_DIR}|{database['HOST']}|{database['PORT']}|{database['NAME']}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"astria-portal-slots-{digest}"


def path(kind, number, database=None):
    return folder(database) / f"{kind}-{number}.lock"


@contextmanager
def slot(kind, count, retry_after=5):
    """Hold one of `count` slots of `kind` for the block, or raise Busy. 0 means no limit."""
    if count <= 0:
        yield
        return
    try:
        folder().mkdir(mode=0o700, exist_ok=True)
        held = _take(kind, count)
    except OSError:
        # An unusable temporary folder must not take the form down with it.
        logger.exception("Could not open the slot files of %s; going on without a limit", kind)
        yield
        return
    if held is None:
        raise Busy(retry_after)
    try:
        yield
    finally:
        os.close(held)  # closing the file releases its lock


def _take(kind, count):
    """The open, locked file of a free slot, or None."""
    for number in range(count):
        fd = os.open(path(kind, number), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None
