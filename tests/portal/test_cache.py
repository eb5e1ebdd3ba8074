"""The cache every process shares: a database table by default, Redis when CACHE_URL says so."""

import os
import secrets
import socket
import subprocess
import sys

import pytest
from django.test import override_settings

from astria_portal import checks
from tests.portal.test_settings import ROOT, load_settings

REDIS = ("127.0.0.1", 6379)


def redis_is_up():
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(REDIS) == 0


def test_the_default_cache_is_a_table_in_the_database(monkeypatch):
    caches = load_settings(monkeypatch)["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert caches["default"]["LOCATION"] == "portal_cache"


def test_django_q_keeps_its_statistics_off_the_shared_cache(monkeypatch):
    conf = load_settings(monkeypatch)
    assert conf["Q_CLUSTER"]["cache"] == "django_q"
    assert conf["CACHES"]["django_q"]["BACKEND"].endswith("LocMemCache")


def test_cache_url_switches_to_redis(monkeypatch):
    caches = load_settings(monkeypatch, CACHE_URL="redis://10.0.0.5:6379/1")["CACHES"]
    assert caches["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://10.0.0.5:6379/1",
    }


def test_a_bad_cache_url_is_collected(monkeypatch):
    conf = load_settings(monkeypatch, CACHE_URL="carrier-pigeon://coop")
    assert [error[0] for error in conf["CONFIG_ERRORS"]] == ["CACHE_URL"]


def test_a_per_process_cache_is_warned_about_in_production():
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={"default": local}):
        ids = [message.id for message in checks.check_production(None)]
    assert "portal.W005" in ids
    assert "portal.W005" not in [message.id for message in checks.check_production(None)]


@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_processes_share_the_redis_cache():
    key, value = f"shared-{secrets.token_hex(4)}", secrets.token_hex(8)
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/15"}
    env.pop("DATABASE_URL", None)

    def run(code):
        setup = "import django; django.setup(); from django.core.cache import cache; "
        result = subprocess.run(
            [sys.executable, "-c", setup + code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    run(f"cache.set({key!r}, {value!r}, 30)")
    assert run(f"print(cache.get({key!r}))") == value
    run(f"cache.delete({key!r})")
