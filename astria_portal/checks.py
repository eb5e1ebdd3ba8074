"""System checks for configuration mistakes, with stable ids and hints."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning
from django.http.request import validate_host

from astria_portal.astria import media

DOCS_HINT = "See the Configuration table in README.md and .env.example."


def _is_http_url(value):
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_settings(app_configs, **kwargs):
    """Checks that apply in every mode."""
    errors = [
        Error(f"{name}: {message}.", hint=DOCS_HINT, id="portal.E001")
        for name, message in settings.CONFIG_ERRORS
    ]
    if settings.PUBLIC_BASE_URL and not _is_http_url(settings.PUBLIC_BASE_URL):
        errors.append(
            Error(
                f"PUBLIC_BASE_URL {settings.PUBLIC_BASE_URL!r} is not an absolute http(s) URL.",
                hint="Set it to the public root of the portal, e.g. https://portal.example.com",
                id="portal.E005",
            )
        )
    if not _is_http_url(settings.ASTRIA_API_URL):
        errors.append(
            Error(
                f"ASTRIA_API_URL {settings.ASTRIA_API_URL!r} is not an absolute http(s) URL.",
                hint="Leave it unset for https://api.astria.ai, or set the emulator's URL.",
                id="portal.E006",
            )
        )
    task_limit = settings.Q_CLUSTER["timeout"]
    if task_limit <= settings.IMAGE_DOWNLOAD_TIMEOUT:
        errors.append(
            Error(
                f"IMAGE_DOWNLOAD_TIMEOUT ({settings.IMAGE_DOWNLOAD_TIMEOUT} s) is not below the "
                f"task time limit ({task_limit} s).",
                hint="A download would be killed before its own deadline, with nothing "
                "recorded. Keep it well below, e.g. the default 60.",
                id="portal.E007",
            )
        )
    if settings.DEBUG:
        return errors

    if settings.SECRET_KEY.startswith("django-insecure"):
        errors.append(
            Error(
                "SECRET_KEY is not set and DEBUG is off.",
                hint="Set SECRET_KEY to a long random value, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
                id="portal.E002",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty and DEBUG is off.",
                hint="Set ALLOWED_HOSTS to the host names the portal is served on.",
                id="portal.E003",
            )
        )
    if not settings.PUBLIC_BASE_URL:
        errors.append(
            Error(
                "PUBLIC_BASE_URL is not set and DEBUG is off.",
                hint="Astria calls back at URLs built from it: set the portal's public root.",
                id="portal.E004",
            )
        )
    return errors


def check_production(app_configs, **kwargs):
    """Deploy-time warnings (manage.py check --deploy)."""
    warnings = []
    url = urlsplit(settings.PUBLIC_BASE_URL)
    if settings.PUBLIC_BASE_URL and url.scheme != "https":
        warnings.append(
            Warning(
                "PUBLIC_BASE_URL does not use https.",
                hint="Callback tokens travel in the callback URL; serve the portal over TLS.",
                id="portal.W001",
            )
        )
    if settings.ASTRIA_DEMO:
        warnings.append(
            Warning(
                "ASTRIA_API_KEY is not set: the portal runs in demo mode against the "
                "offline Astria emulator.",
                hint="Set ASTRIA_API_KEY to the account's API key for real use.",
                id="portal.W002",
            )
        )
    if url.hostname and not validate_host(url.hostname, settings.ALLOWED_HOSTS):
        warnings.append(
            Warning(
                f"The host of PUBLIC_BASE_URL ({url.hostname}) is not in ALLOWED_HOSTS.",
                hint="Astria's callbacks would be refused with 400 Bad Request.",
                id="portal.W003",
            )
        )
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUSTED_PROXY_COUNT:
        warnings.append(
            Warning(
                "BEHIND_TLS_PROXY is set but TRUSTED_PROXY_COUNT is 0: every visitor "
                "seems to come from the proxy's address.",
                hint="Login pauses and sign-up limits would then hit everyone at once. Set "
                "TRUSTED_PROXY_COUNT to the number of proxies that add X-Forwarded-For.",
                id="portal.W004",
            )
        )
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if backend in ("LocMemCache", "DummyCache"):
        warnings.append(
            Warning(
                f"CACHE_URL uses {backend}: each process keeps its own cache, so web "
                "processes do not share what is cached.",
                hint="Leave CACHE_URL unset (a table in the database) or use redis://.",
                id="portal.W005",
            )
        )
    if not settings.ASTRIA_DEMO and not _allows_astria_images(settings.ASTRIA_MEDIA_HOSTS):
        warnings.append(
            Warning(
                f"ASTRIA_MEDIA_HOSTS ({', '.join(settings.ASTRIA_MEDIA_HOSTS) or 'empty'}) "
                f"does not allow {ASTRIA_IMAGE_HOST}, where Astria serves its images.",
                hint="Every generated image would be refused. Leave ASTRIA_MEDIA_HOSTS unset "
                "for the hosts Astria is known to use (docs/astria.md).",
                id="portal.W006",
            )
        )
    return warnings


# Where Astria serves generated images today (docs/astria.md, "Image hosts").
ASTRIA_IMAGE_HOST = "mp.astria.ai"


def _allows_astria_images(hosts):
    return media.allowed(f"https://{ASTRIA_IMAGE_HOST}/key", hosts)
