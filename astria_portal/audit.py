"""Who did what, when, to which object, and how it went: staff actions in Django's
own admin log.

Django's LogEntry is what the admin's history pages already read, so each entry
shows on the object's history page and in one filterable list (admin.py). It
names its object by content type and primary key, not by a foreign key, so it
outlives the object. The object is described by its public code, never a name
or an address: what remains after an account is deleted holds nothing personal.
"""

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType


def label(obj):
    """A description of obj that names no person: its kind and public code (or id)."""
    code = getattr(obj, "code", None)
    kind = obj._meta.verbose_name
    return f"{kind} {code}" if code else f"{kind} #{obj.pk}"


def record(actor, obj, action, outcome, *, deleted=False):
    """One line in obj's history: "<action>: <outcome>", by actor (a staff user)."""
    return LogEntry.objects.create(
        user_id=actor.pk,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=label(obj)[:200],
        action_flag=DELETION if deleted else CHANGE,
        change_message=f"{action}: {outcome}",
    )


def anonymise(objects, replacement):
    """Rewrite the descriptions of every entry about these objects (e.g. Django's own
    entries, which use str(obj)) so that none names a deleted person."""
    for obj in objects:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        ).update(object_repr=replacement(obj)[:200])
