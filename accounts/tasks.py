"""Background work for accounts. Every task takes a primary key and is safe to run twice."""

from accounts import deletion, exports
from astria_portal import locks


def build_export(export_id):
    return exports.build(export_id)


def delete_account(deletion_id):
    return deletion.run(deletion_id)


@locks.one_at_a_time("sweep account deletions")
def sweep_deletions():
    """Run account deletions that are due: a lost task, or Astria still deleting."""
    return deletion.sweep()


@locks.one_at_a_time("purge exports")
def purge_exports():
    """Delete the ZIP of every data export whose link has expired."""
    return exports.purge()
