"""Errors from the web and the task worker to Sentry, when SENTRY_DSN is set.

Without a DSN nothing here runs and the SDK is never initialised. With one, every
event, transaction and breadcrumb goes through the portal's own redaction before it
leaves the process (R10): callback tokens and the API key as the log formatters blank
them, values under the names Django's error reports hide (keys, tokens, passwords,
URL-style settings with credentials), cookies and the session. The SDK without
``send_default_pii`` already drops cookies and the Authorization header; this is the
portal's second line, for what the SDK cannot know is secret.
"""

import re
import sys

from django.conf import settings

from astria_portal import __version__
from astria_portal.errors import ExceptionReporterFilter
from astria_portal.logs import REDACTED, redact

HIDDEN = ExceptionReporterFilter.hidden_settings
# A query string or cookie header: name=value pairs whose values may be secret.
PAIR = re.compile(r"([\w.-]+)=([^&;\s\"']*)")
# Where the keys are names the code or a client chose (a frame's variables, a form's
# fields, a header, a log call's data): a value under a hidden name is blanked there.
NAMED = {"vars", "data", "extra", "headers"}
# The SDK already leaves these out without send_default_pii; never send them anyway.
DROPPED_REQUEST_PARTS = ("cookies", "env")
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}


def init(dsn, *, environment, traces_sample_rate):
    """Start the SDK for this process and report task failures of django-q2's workers."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"astria-portal@{__version__}",
        traces_sample_rate=traces_sample_rate,
        # Neither send_default_pii (deprecated in this SDK) nor data_collection is set,
        # which the SDK takes as send_default_pii=False: no cookies, no user, no
        # Authorization header, no client address (a test holds it to that).
        integrations=[DjangoIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )
    report_task_errors()


def init_from_settings():
    if settings.SENTRY_DSN:
        init(
            settings.SENTRY_DSN,
            environment=settings.SENTRY_ENVIRONMENT,
            traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        )


class TaskErrorReporter:
    """django-q2's error reporter interface: the worker calls report() while it handles
    the exception a task raised, so the exception is still sys.exc_info()."""

    def report(self):
        import sentry_sdk
        from sentry_sdk.utils import event_from_exception

        client = sentry_sdk.get_client()
        if not client.is_active():
            return
        event, hint = event_from_exception(
            sys.exc_info(),
            client_options=client.options,
            mechanism={"type": "django_q", "handled": False},
        )
        sentry_sdk.capture_event(event, hint=hint)


def report_task_errors():
    """Give django-q2's worker the reporter.

    Q_CLUSTER["error_reporter"] only loads plugins registered as packaging entry points,
    and the one for Sentry (django-q-sentry, unmaintained since 2022) initialises the SDK
    on its own, without the redaction above: so the reporter is handed over directly.
    """
    from django_q import worker
    from django_q.conf import ErrorReporter
    from django_q.signals import pre_execute

    if worker.error_reporter is None:
        worker.error_reporter = ErrorReporter([TaskErrorReporter()])
    pre_execute.connect(_task_scope, dispatch_uid="sentry-task-scope")


def _task_scope(sender, func=None, task=None, **kwargs):
    """Name each task's events after its function, with only its own breadcrumbs."""
    import sentry_sdk

    scope = sentry_sdk.get_isolation_scope()
    scope.clear_breadcrumbs()
    scope.set_transaction_name(str((task or {}).get("func", "task")))


def scrub_event(event, hint):
    if _monitors_copy(event):
        return None
    request = event.get("request")
    if isinstance(request, dict):
        for part in DROPPED_REQUEST_PARTS:
            request.pop(part, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in headers:
                if name.lower() in SECRET_HEADERS:
                    headers[name] = REDACTED
    return _scrub(event)


def _monitors_copy(event):
    """django-q2's monitor logs each failed task at ERROR, its traceback as text: the
    worker has already reported the exception itself."""
    message = (event.get("logentry") or {}).get("message") or ""
    return (
        event.get("logger") == "django-q"
        and "exception" not in event
        and str(message).startswith("Failed '")
    )


def scrub_breadcrumb(crumb, hint):
    return _scrub(crumb)


def scrub_pairs(text):
    """Blank the values of secret-looking names in a query string or a cookie header."""
    cookies = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}

    def blank(match):
        name = match.group(1)
        if name in cookies or HIDDEN.search(name):
            return f"{name}={REDACTED}"
        return match.group(0)

    return PAIR.sub(blank, text)


def _scrub(value, key="", named=False):
    """Every string redacted as the logs are (query strings and cookies included); under
    NAMED, a value whose name Django's error reports hide is blanked whole."""
    if named and key and HIDDEN.search(key) and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, dict):
        return {
            k: _scrub(v, k, named or k in NAMED) if isinstance(k, str) else _scrub(v, "", named)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_scrub(item, "", named) for item in value]
    if isinstance(value, str):
        return scrub_pairs(redact(value)) if "=" in value else redact(value)
    return value
