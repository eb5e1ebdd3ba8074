"""Where uploaded and generated files live: a dict in memory, or one file each on disk."""

import os
import secrets
import shutil
import string
from pathlib import Path

_KEY_ALPHABET = string.ascii_lowercase + string.digits


def new_key():
    """Make a 28-character [a-z0-9] key, the shape of Astria's S3 object keys."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(28))


def is_key(value):
    return len(value) == 28 and all(char in _KEY_ALPHABET for char in value)


class MemoryBlobs:
    def __init__(self):
        self._data = {}

    def put(self, key, data):
        self._data[key] = bytes(data)

    def get(self, key):
        return self._data.get(key)

    def delete(self, key):
        self._data.pop(key, None)

    def clear(self):
        self._data.clear()


class DiskBlobs:
    def __init__(self, directory):
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True)

    def put(self, key, data):
        temporary = self._dir / f".{key}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, self._dir / key)

    def get(self, key):
        if not is_key(key):
            return None
        try:
            return (self._dir / key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key):
        (self._dir / key).unlink(missing_ok=True)

    def clear(self):
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir.mkdir(parents=True, exist_ok=True)
