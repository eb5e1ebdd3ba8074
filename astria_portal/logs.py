"""Keep secrets out of what the portal writes to its logs (RELIABILITY.md R10).

The code does not log callback URLs or the API key; this filter is the second
line, for lines it does not control, such as runserver's request log, which
shows the query string that carries a callback's token.
"""

import logging
import re

from django.conf import settings

TOKEN = re.compile(r"(\btoken=)[^&\s\"']+")
BEARER = re.compile(r"(\bBearer\s+)\S+")
REDACTED = "[redacted]"


def redact(text):
    text = TOKEN.sub(rf"\g<1>{REDACTED}", text)
    text = BEARER.sub(rf"\g<1>{REDACTED}", text)
    key = getattr(settings, "ASTRIA_API_KEY", "")
    if key:
        text = text.replace(key, REDACTED)
    return text


class RedactSecrets(logging.Filter):
    """Blank callback tokens, bearer headers and the Astria API key in a record."""

    def filter(self, record):
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
