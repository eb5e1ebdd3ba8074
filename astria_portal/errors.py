"""What error reports (the DEBUG page, error e-mails) may show."""

import re

from django.views.debug import SafeExceptionReporterFilter


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, which hides names with API, KEY, SECRET, TOKEN, PASS, ..., and
    also URL-style settings that carry credentials (DATABASE_URL, EMAIL_URL, ...)."""

    hidden_settings = re.compile(
        SafeExceptionReporterFilter.hidden_settings.pattern
        + r"|DATABASE_URL|EMAIL_URL|CACHE_URL|REDIS_URL|BROKER_URL|DSN",
        flags=re.IGNORECASE,
    )
