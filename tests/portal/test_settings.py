import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from astria_portal import checks

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "astria_portal" / "settings.py"

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-a-long-random-production-key",
    "ALLOWED_HOSTS": "portal.example.com",
    "PUBLIC_BASE_URL": "https://portal.example.com",
    "ASTRIA_API_KEY": "sd_test_key",
}


def load_settings(monkeypatch, **environ):
    """Evaluate settings.py afresh with the given environment."""
    for name in (
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "ASTRIA_API_KEY",
        "ASTRIA_API_URL", "DATABASE_URL", "EMAIL_URL", "Q_WORKERS", "SIGNUP_ENABLED", "WEB_PORT",
        "EMULATOR_PORT", "EMULATOR_MEDIA_PORT", "ASTRIA_MEDIA_HOSTS",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def manage(*args, **environ):
    env = {**os.environ, **environ}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_defaults_run_a_fresh_clone(monkeypatch):
    conf = load_settings(monkeypatch)
    assert conf["DEBUG"] is True
    assert conf["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert conf["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert conf["ASTRIA_DEMO"] is True
    assert conf["ASTRIA_API_URL"] == "http://127.0.0.1:8765"
    assert conf["CONFIG_ERRORS"] == []


def test_media_is_outside_the_static_folders(monkeypatch):
    conf = load_settings(monkeypatch)
    media = Path(conf["MEDIA_ROOT"]).resolve()
    for served in [conf["STATIC_ROOT"], *conf["STATICFILES_DIRS"]]:
        assert not media.is_relative_to(Path(served).resolve())


def test_database_url_switches_to_postgresql_with_persistent_connections(monkeypatch):
    conf = load_settings(monkeypatch, DATABASE_URL="postgres://app:pw@db.internal:5432/portal")
    db = conf["DATABASES"]["default"]
    assert db["ENGINE"] == "astria_portal.postgresql"  # Django's, with a cheaper health check
    assert (db["HOST"], db["NAME"], db["USER"]) == ("db.internal", "portal", "app")
    assert db["CONN_MAX_AGE"] == 600
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["OPTIONS"]["server_side_binding"] is True


def test_server_side_binding_can_be_turned_off_for_a_pooler(monkeypatch):
    conf = load_settings(
        monkeypatch,
        DATABASE_URL="postgres://app:pw@db.internal:6432/portal",
        DATABASE_SERVER_SIDE_BINDING="false",
    )
    assert conf["DATABASES"]["default"]["OPTIONS"]["server_side_binding"] is False


def test_email_url_switches_the_backend(monkeypatch):
    conf = load_settings(monkeypatch, EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587")
    assert conf["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (conf["EMAIL_HOST"], conf["EMAIL_PORT"], conf["EMAIL_USE_TLS"]) == (
        "smtp.example.com",
        587,
        True,
    )


def test_an_api_key_leaves_demo_mode(monkeypatch):
    conf = load_settings(monkeypatch, ASTRIA_API_KEY="sd_live")
    assert conf["ASTRIA_DEMO"] is False
    assert conf["ASTRIA_API_URL"] == "https://api.astria.ai"
    assert conf["ASTRIA_TEST_MODE"] is False


def test_images_come_from_astrias_media_hosts_not_its_api(monkeypatch):
    conf = load_settings(monkeypatch, ASTRIA_API_KEY="sd_live")
    assert conf["ASTRIA_MEDIA_HOSTS"] == [
        "mp.astria.ai",
        "cdn.astria.ai",
        "sdbooth2-production.s3.amazonaws.com",
    ]


def test_in_demo_mode_images_come_from_the_emulators_media_host(monkeypatch):
    conf = load_settings(monkeypatch)
    assert conf["EMULATOR_MEDIA_PORT"] == 8766
    assert conf["ASTRIA_MEDIA_HOSTS"] == ["http://127.0.0.1:8766"]  # not the API's origin
    conf = load_settings(monkeypatch, EMULATOR_PORT="9100")
    assert conf["ASTRIA_MEDIA_HOSTS"] == ["http://127.0.0.1:9101"]
    conf = load_settings(monkeypatch, EMULATOR_MEDIA_PORT="9200")
    assert conf["ASTRIA_MEDIA_HOSTS"] == ["http://127.0.0.1:9200"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("EMULATOR_MEDIA_PORT", "8765"),  # the API's own port
        ("Q_WORKERS", "many"),
        ("Q_WORKERS", "0"),
        ("DATABASE_URL", "nope://x"),
        ("EMAIL_URL", "pigeon://coop"),
    ],
)
def test_a_bad_value_is_collected_not_raised(monkeypatch, name, value):
    conf = load_settings(monkeypatch, **{name: value})
    assert [error[0] for error in conf["CONFIG_ERRORS"]] == [name]


def test_a_bad_value_gives_a_system_check_error_not_a_traceback():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "DEBUG: 'maybe' is not a boolean" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_its_required_settings_fails_the_checks(monkeypatch):
    conf = load_settings(monkeypatch, DEBUG="false")
    names = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "CONFIG_ERRORS")
    with override_settings(**{name: conf[name] for name in names}):
        ids = {message.id for message in checks.check_settings(None)}
    assert ids == {"portal.E002", "portal.E003", "portal.E004"}


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_in_demo_mode_is_warned_about():
    environ = {**PRODUCTION, "ASTRIA_API_KEY": ""}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **environ)
    assert result.returncode != 0
    assert "portal.W002" in result.stderr


@pytest.mark.parametrize("url", ["portal.example.com", "ftp://portal.example.com", "https://"])
def test_a_public_base_url_that_is_not_http_is_an_error(url):
    with override_settings(PUBLIC_BASE_URL=url):
        ids = [message.id for message in checks.check_settings(None)]
    assert "portal.E005" in ids


def test_a_public_host_missing_from_allowed_hosts_is_warned_about():
    with override_settings(PUBLIC_BASE_URL="https://portal.example.com", ALLOWED_HOSTS=["x.org"]):
        ids = [message.id for message in checks.check_production(None)]
    assert "portal.W003" in ids
    with override_settings(
        PUBLIC_BASE_URL="https://portal.example.com", ALLOWED_HOSTS=[".example.com"]
    ):
        ids = [message.id for message in checks.check_production(None)]
    assert "portal.W003" not in ids


@override_settings(DEBUG=True)  # the test runner turns DEBUG off
def test_the_development_defaults_are_clean():
    assert settings.CONFIG_ERRORS == []
    assert checks.check_settings(None) == []


def test_in_development_the_callbacks_go_back_to_the_web_port(monkeypatch):
    assert load_settings(monkeypatch)["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    conf = load_settings(monkeypatch, WEB_PORT="8310")
    assert conf["PUBLIC_BASE_URL"] == "http://127.0.0.1:8310"


@pytest.mark.parametrize(
    ("hosts", "warned"),
    [
        (["sdbooth2-production.s3.amazonaws.com"], True),
        ([], True),
        (["http://mp.astria.ai"], True),
        (["mp.astria.ai", "cdn.astria.ai"], False),
    ],
)
def test_media_hosts_that_refuse_astrias_images_are_warned_about(hosts, warned):
    with override_settings(ASTRIA_DEMO=False, ASTRIA_MEDIA_HOSTS=hosts):
        ids = [message.id for message in checks.check_production(None)]
    assert ("portal.W006" in ids) is warned


def test_production_defaults_allow_astrias_image_hosts(monkeypatch):
    monkeypatch.delenv("ASTRIA_MEDIA_HOSTS", raising=False)
    conf = load_settings(monkeypatch, **PRODUCTION)
    with override_settings(ASTRIA_DEMO=False, ASTRIA_MEDIA_HOSTS=conf["ASTRIA_MEDIA_HOSTS"]):
        assert "portal.W006" not in [message.id for message in checks.check_production(None)]


def test_a_download_timeout_the_task_limit_would_cut_short_is_an_error(settings):
    settings.IMAGE_DOWNLOAD_TIMEOUT = settings.Q_CLUSTER["timeout"]
    assert "portal.E007" in [message.id for message in checks.check_settings(None)]
    settings.IMAGE_DOWNLOAD_TIMEOUT = 60
    assert "portal.E007" not in [message.id for message in checks.check_settings(None)]
