from astria_portal import locks
from pages import keep


@locks.one_at_a_time("compact page changes")
def compact():
    """Keep the record of changes short, so that reading where it stands stays cheap."""
    return f"{keep.compact()} changes compacted"
