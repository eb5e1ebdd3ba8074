"""What Astria reads in prompt text as controls rather than words (ASTRIA_API.md §3.2).

Prompt text may carry ``--option value`` flags (``--ar 21:9``, ``--upscale_v4``,
``--video``: some are paid), adapter tags (``<lora:ID:w>``, ``<faceid:ID:w>``: a
tag loads that model, anyone's) and ``{{placeholder}}`` templating. The portal
sets such things itself, from its own fields; text from a user must have none.
"""

import re
import unicodedata

FLAG = "flag"
TAG = "tag"
PLACEHOLDER = "placeholder"

# Dashes a keyboard or an editor may put where "--" was typed ("—ar" from "--ar").
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_LONG_DASH = "\u2012\u2013\u2014\u2015\u2212\ufe58"
_PATTERNS = (
    (FLAG, re.compile(rf"[{_DASH}]{{2,}}\s?[^\W\d]|(?<!\S)[{_LONG_DASH}][^\W\d]")),
    # Any "<name:" (spaces allowed), closed or not: the parser that maps an answer
    # back to a tune (objects.ADAPTER_TAG) is just as lenient.
    (TAG, re.compile(r"<[^<>]*:")),
    (PLACEHOLDER, re.compile(r"\{\{|\}\}")),
)


def controls(text):
    """The kinds of control (FLAG, TAG, PLACEHOLDER) found in text, in that order."""
    plain = _normalised(text or "")
    return [kind for kind, pattern in _PATTERNS if pattern.search(plain)]


def _normalised(text):
    # Full-width and compatibility forms fold to ASCII ("－－ar" is "--ar"), and
    # invisible format characters (zero-width spaces, joiners) cannot split a flag.
    folded = unicodedata.normalize("NFKC", text)
    return "".join(char for char in folded if unicodedata.category(char) != "Cf")
