"""Fuzzing helpers: mutations of real image files, and the memory an example used.

Hypothesis draws the mutations, so a failure shrinks to a small, replayable
one. The bounded time comes from the settings profile in tests/conftest.py.
"""

import struct
import tracemalloc
import zlib
from contextlib import contextmanager
from pathlib import Path

from hypothesis import strategies as st

MB = 1024 * 1024
STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")

# Anywhere in the file, but most often in the first bytes, where headers are.
positions = st.one_of(st.integers(0, 255), st.integers(0, 1 << 20))

mutation = st.one_of(
    st.tuples(st.just("set"), positions, st.integers(0, 255)),
    st.tuples(st.just("cut"), positions),
    st.tuples(st.just("insert"), positions, st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), positions, st.integers(1, 512)),
    st.tuples(st.just("repeat"), positions, st.integers(1, 4096)),
    st.tuples(
        st.just("u32"), positions, st.sampled_from([0, 1, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 2**32 - 1])
    ),
)


def mutate(data, mutations):
    data = bytearray(data)
    for kind, position, *rest in mutations:
        at = position % (len(data) + 1)
        if kind == "set" and data:
            data[at % len(data)] = rest[0]
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = rest[0]
        elif kind == "delete":
            del data[at : at + rest[0]]
        elif kind == "repeat":
            data[at:at] = data[at : at + rest[0]]
        elif kind == "u32":
            data[at : at + 4] = struct.pack(">I", rest[0])
    return bytes(data)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width, height, mode_bits=(8, 2), idat=b""):
    """A PNG whose header (with a valid checksum) claims any size, with little data."""
    ihdr = struct.pack(">IIBBBBB", width, height, *mode_bits, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat or zlib.compress(bytes(4096)))
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(jpeg, width, height):
    """The JPEG with the size in its start-of-frame marker replaced."""
    data = bytearray(jpeg)
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at >= 0:
            data[at + 5 : at + 9] = struct.pack(">HH", height, width)
            break
    return bytes(data)


def _status(field):
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def can_measure_rss():
    try:
        CLEAR_REFS.write_text("5")
        return _status("VmHWM") > 0
    except OSError:
        return False


class Peak:
    python = 0  # bytes, Python's own allocations (tracemalloc)
    rss = 0  # bytes the process grew by at its peak, native buffers included; 0 if unknown


@contextmanager
def peak_memory():
    """Measure the peak memory of the block: Python's heap and, on Linux, the whole
    process (Pillow and libheif allocate outside Python's heap)."""
    peak = Peak()
    measure_rss = can_measure_rss()  # resets the high-water mark to the current size
    before = _status("VmRSS") if measure_rss else 0
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.python = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if measure_rss:
            peak.rss = max(0, _status("VmHWM") - before)
