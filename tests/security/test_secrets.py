"""Callback tokens and the API key stay out of log records, error pages and the admin (R10)."""

import contextlib
import logging
import re
import socket

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from astria_portal import astria
from astria_portal.callbacks import callback_url
from astria_portal.errors import ExceptionReporterFilter
from astria_portal.logs import RedactingFormatter, RedactingServerFormatter
from monitoring import dashboard
from prompts.models import Prompt
from tests.helpers import API_KEY, drain_queue, photo_uploads, wait_for
from tests.prompts.conftest import add_image
from tunes import tasks as tune_tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def token_of(url):
    return url.split("token=")[1]


def written(record):
    """Everything a handler could write for the record: message, arguments, traceback."""
    text = logging.Formatter("%(name)s %(message)s").format(record)
    return text + repr(record.args) + repr(record.__dict__.get("request", ""))


def portal_records(caplog):
    # The emulator runs in this process for the tests; it is Astria, not the portal.
    return [r for r in caplog.records if not r.name.startswith("astria_emulator")]


def assert_not_logged(caplog, secrets):
    records = portal_records(caplog)
    assert records
    for secret in secrets:
        leaks = [written(r) for r in records if secret in written(r)]
        assert leaks == [], f"{secret[:6]}… was logged"


def post_callback(client, url, body=b"{}"):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return client.post("/" + path, body, content_type="application/json")


def test_a_whole_tune_and_prompt_flow_logs_no_token_and_no_key(
    client, owner_client, emulator, emulator_server, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.ASTRIA_MEDIA_HOSTS = [emulator_server.media_url]
    data = {"name": "Me", "class_name": "woman", "model_kind": "sd15", "test_mode": "on"}
    assert owner_client.post("/tunes/new/", {**data, "photos": photo_uploads(4)}).status_code == 302
    tune = Tune.objects.get()
    tune_url = callback_url("tune", tune)

    # A failed attempt (retried), then the create, both logged.
    emulator.fault("POST", "/tunes", status=500)
    drain_queue()
    Tune.objects.filter(pk=tune.pk).update(next_attempt_at=timezone.now())
    tune_tasks.submit_tune(tune.pk)
    tune.refresh_from_db()
    assert tune.remote_id

    # Astria calls back (and someone guesses at the token); the refresh reads the API.
    emulator.tune(tune.remote_id, "finish")
    assert post_callback(client, tune_url.replace(token_of(tune_url), "guess")).status_code == 404
    assert post_callback(client, tune_url).status_code == 204
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED

    # A prompt Astria refuses with a message that quotes our callback URL back...
    prompt_form = {"text": "a portrait", "num_images": "1", "aspect_ratio": "1:1"}
    owner_client.post(f"/prompts/for/{tune.code}/new/", prompt_form)
    refused = Prompt.objects.get()
    refused_url = callback_url("prompt", refused)
    emulator.fault(
        "POST", r"/tunes/\d+/prompts", status=422, body={"callback": [f"is invalid: {refused_url}"]}
    )
    drain_queue()
    refused.refresh_from_db()
    assert refused.status == Prompt.Status.FAILED
    assert token_of(refused_url) not in refused.last_error + refused.last_error_body

    # ...and one that is made, called back and downloaded.
    owner_client.post(f"/prompts/for/{tune.code}/new/", prompt_form)
    prompt = Prompt.objects.exclude(pk=refused.pk).get()
    prompt_url = callback_url("prompt", prompt)
    drain_queue()
    prompt.refresh_from_db()
    emulator.prompt(prompt.remote_id, "finish")
    assert post_callback(client, prompt_url).status_code == 204
    drain_queue()
    assert wait_for(lambda: prompt.images.exclude(file="").count(), bool)

    secrets = [API_KEY, token_of(tune_url), token_of(refused_url), token_of(prompt_url)]
    assert_not_logged(caplog, secrets)


def test_a_refused_api_key_is_logged_without_the_key(make_tune, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    tune = make_tune()
    emulator.fault("POST", "/tunes", status=401)
    tune.submit()
    drain_queue()
    assert "Astria refused the API key" in caplog.text
    assert_not_logged(caplog, [API_KEY])


def test_the_formatters_blank_what_slips_through(settings):
    settings.ASTRIA_API_KEY = API_KEY
    line = '"POST /callbacks/tune/5d9c/?token=AbC-123_x HTTP/1.1" 204 0'
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, line, (), None)
    record.status_code = 204
    server = RedactingServerFormatter("{message}", style="{").format(record)
    assert "AbC-123_x" not in server and "token=[redacted]" in server
    try:
        raise RuntimeError(f"Authorization: Bearer {API_KEY}")
    except RuntimeError:
        import sys

        failed = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "key %s", (API_KEY,), sys.exc_info()
        )
    text = RedactingFormatter("%(message)s").format(failed)
    assert API_KEY not in text and "Traceback" in text
    assert record.getMessage() == line  # the record itself is untouched


def test_the_settings_and_handlers_log_with_redaction():
    from django.conf import settings

    formatters = settings.LOGGING["formatters"]
    for handler in settings.LOGGING["handlers"].values():
        assert formatters[handler["formatter"]]["()"].startswith("astria_portal.logs.")


@pytest.mark.parametrize("name", ["ASTRIA_API_KEY", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL"])
def test_error_reports_hide_secret_settings(name):
    assert ExceptionReporterFilter().cleanse_setting(name, "s3cret") != "s3cret"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def failing_dashboard(monkeypatch, settings):
    """The dashboard fails while the Astria client, holding the key, is in its frames."""
    settings.ASTRIA_API_KEY = API_KEY
    settings.ASTRIA_API_URL = f"http://127.0.0.1:{closed_port()}"

    def summary():
        client = astria.get_client(timeout=(1, 1))
        return client.get_account()

    monkeypatch.setattr(dashboard, "summary", summary)


@pytest.mark.parametrize("debug", [False, True])
def test_error_pages_never_show_the_key(client, staff, failing_dashboard, settings, debug):
    settings.DEBUG = debug
    client.raise_request_exception = False
    client.force_login(staff)
    database_url = "postgres://portal:hunter2@db.internal/portal"
    response = client.get(
        "/admin/dashboard/", ASTRIA_API_KEY=API_KEY, DATABASE_URL=database_url
    )  # the environment, as runserver passes it in META
    assert response.status_code == 500
    page = response.content.decode()
    assert ("Traceback" in page) is debug
    assert API_KEY not in page
    assert "hunter2" not in page


def admin_urls():
    """The admin's index, the dashboard, and every list, add and change page with objects."""
    urls = ["/admin/", "/admin/dashboard/"]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        for pk in model_admin.get_queryset(None).values_list("pk", flat=True)[:3]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
    return urls


def test_the_admin_never_shows_the_key(client, staff, emulator, make_tune, caplog):
    tune = make_tune(status=Tune.Status.TRAINED, remote_id=1001, photos=1)
    prompt = Prompt.objects.create(tune=tune, text="a portrait", num_images=1, status="done")
    add_image(prompt, 0)
    client.post("/accounts/login/", {"username": "x", "password": "y"})  # an axes row
    client.force_login(staff)
    checked = 0
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        assert API_KEY not in response.content.decode(), url
        assert not re.search(r"token=[\w-]{10,}", response.content.decode()), url
        checked += 1
    assert checked > 30


def test_the_access_log_leaves_query_strings_out():
    """gunicorn's %(U)s is the path alone; %(r)s and %(q)s would write callback tokens."""
    from pathlib import Path

    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    [web] = [line for line in procfile.splitlines() if line.startswith("web:")]
    if "--access-logfile" in web:
        assert "--access-logformat" in web
        assert "%(r)s" not in web and "%(q)s" not in web
