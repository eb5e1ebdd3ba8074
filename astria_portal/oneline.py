"""One line of text: names people give things, and the e-mail subjects built from them.

A line break in a name would end up in a header (an e-mail subject) and break it;
other control characters (escape sequences, bidirectional overrides) only garble
what staff and owners read.
"""

import unicodedata

from django.core.exceptions import ValidationError

# Zero-width joiners are format characters too, but emoji sequences and some
# scripts need them.
_JOINERS = frozenset("\u200c\u200d")
MESSAGE = "Use one line of letters, digits, spaces and punctuation: no control characters."


def collapse(value):
    """Every run of whitespace, line breaks included, as one space; none at the ends."""
    return " ".join(value.split())


def _is_control(char):
    return unicodedata.category(char) in ("Cc", "Cf") and char not in _JOINERS


def validate(value):
    """Refuse control characters other than whitespace (which collapse() folds)."""
    if any(_is_control(char) for char in collapse(value)):
        raise ValidationError(MESSAGE, code="control_characters")


def clean(value):
    """The text as one safe line, whatever it holds (for headers such as subjects)."""
    return "".join(char for char in collapse(value) if not _is_control(char))
