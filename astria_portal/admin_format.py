"""How the admin writes dates and counts, the same on every page.

Every admin column and readonly field that shows a date goes through ``when`` (or a
``date_column`` made from it), so staff read one format everywhere: "2 Dec 2026 14:05"
in the site's time zone, or "2 Dec 2026" where only the day matters.
"""

from datetime import datetime

from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import ngettext

DATETIME = "j M Y H:i"
DATE = "j M Y"
EMPTY = "—"


def when(value, time=True):
    """A datetime (or a date) as staff read it everywhere in the admin; "—" for none.

    The same text as ``formats.date_format(value, DATETIME)`` (or DATE), written out:
    the list of tunes shows three dates a row, and Django's general formatter costs
    more than the rest of the row (tests/portal/test_admin_dates.py compares the two).
    """
    return when_and_day(value)[0 if time else 1]


def when_and_day(value):
    """``when(value)`` and ``when(value, time=False)``, the date worked out once."""
    if value is None:
        return EMPTY, EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    # Django's "j M Y": the day without a leading zero, the month's translated
    # three-letter name in title case, the year in four digits.
    day = f"{value.day} {MONTHS_3[value.month].title()} {value.year:04d}"
    if not isinstance(value, datetime):
        return day, day
    return f"{day} {value.hour:02d}:{value.minute:02d}", day


def date_column(field, description=None):
    """A column or readonly field showing the date or datetime ``field`` through ``when``.

    Assign it to a ModelAdmin attribute and name that attribute in list_display or
    the fieldsets instead of the field itself: ``created = date_column("created_at")``.
    """

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def show(modeladmin, obj):
        return when(getattr(obj, field))

    show.__name__ = field
    return show


def count(number, opts):
    """ "1 fine-tune", "3 fine-tunes": a number and the model's name in agreement."""
    return f"{number} {model_ngettext(opts, number)}"


def counted(number, singular, plural):
    """ "1 prompt", "0 prompts": a number and a word in agreement."""
    return f"{number} {ngettext(singular, plural, number)}"
