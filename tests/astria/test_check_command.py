"""``manage.py astria_check`` against the emulator."""

import io
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .helpers import API_KEY


@pytest.fixture
def configured(settings, emulator):
    settings.ASTRIA_API_URL = emulator.base_url
    settings.ASTRIA_API_KEY = API_KEY
    return emulator


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("astria_check", *args, stdout=out, stderr=err)
    return out.getvalue()


def live_tunes(emulator):
    return emulator.call("GET", "state")["tunes"]["live"]


def test_it_reports_the_account_and_balance(configured):
    configured.config(balance_mc=1_250_000)

    out = run()

    assert "API key OK" in out
    assert "balance $12.50" in out
    assert "Astria check passed." in out
    assert API_KEY not in out


def test_a_wrong_key_fails_with_a_clear_message(configured, settings):
    settings.ASTRIA_API_KEY = "sd_wrong"

    with pytest.raises(CommandError, match="rejected the API key.*ASTRIA_API_KEY"):
        run()


def test_a_missing_key_fails(settings):
    settings.ASTRIA_API_KEY = ""

    with pytest.raises(CommandError, match="ASTRIA_API_KEY"):
        run()


def test_an_unreachable_api_fails(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ASTRIA_API_URL = f"http://127.0.0.1:{port}"
    settings.ASTRIA_API_KEY = API_KEY

    with pytest.raises(CommandError, match="unreachable.*ASTRIA_API_URL"):
        run()


def test_idempotency_on_passes_and_cleans_up(configured):
    configured.config(idempotency=True)  # off on a new account, and in the emulator
    out = run("--idempotency")

    assert "Idempotency ON: both creates returned tune" in out
    posts = [c for c in configured.requests() if (c["method"], c["path"]) == ("POST", "/tunes")]
    assert [c["status"] for c in posts] == [201, 200]
    assert posts[0]["title"] == posts[1]["title"]
    assert live_tunes(configured) == 0


def test_idempotency_off_fails_and_cleans_up(configured):
    configured.config(idempotency=False)

    with pytest.raises(CommandError, match="Idempotency is OFF"):
        run("--idempotency")

    assert live_tunes(configured) == 0


def test_a_create_that_timed_out_is_still_cleaned_up(configured):
    configured.fault("POST", "/tunes", status=504, after_commit=True)

    with pytest.raises(CommandError, match="branch=fast tune failed.*504"):
        run("--idempotency")

    assert live_tunes(configured) == 0
