"""Keep secrets out of what the portal writes to its logs (RELIABILITY.md R10).

The code does not log callback URLs or the API key; these formatters are the
second line, for lines it does not control, such as runserver's request log,
which shows the query string that carries a callback's token. They redact the
written text only: the log record itself stays as it was.
"""

import logging
import re

from django.conf import settings
from django.utils.log import ServerFormatter

TOKEN = re.compile(r"(\btoken=)[^&\s\"']+")
BEARER = re.compile(r"(\bBearer\s+)\S+")
REDACTED = "[redacted]"


def redact(text):
    """Blank callback tokens, bearer credentials and the Astria API key in text."""
    text = TOKEN.sub(rf"\g<1>{REDACTED}", text)
    text = BEARER.sub(rf"\g<1>{REDACTED}", text)
    key = getattr(settings, "ASTRIA_API_KEY", "")
    if key:
        text = text.replace(key, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record):
        return redact(super().format(record))


class RedactingServerFormatter(ServerFormatter):
    """runserver's coloured request log, redacted."""

    def format(self, record):
        return redact(super().format(record))
