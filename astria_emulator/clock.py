"""Time as integer milliseconds, rendered the way Rails renders it."""

import time
from datetime import UTC, datetime

DAY_MS = 86_400_000
# Training images, models and outputs live for 30 days after training (§12).
RETENTION_MS = 30 * DAY_MS


def now_ms():
    return time.time_ns() // 1_000_000


def iso(ms):
    """Render epoch milliseconds as `2023-10-02T14:32:40.363Z`, or None."""
    if ms is None:
        return None
    seconds, millis = divmod(int(ms), 1000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{millis:03d}Z"
