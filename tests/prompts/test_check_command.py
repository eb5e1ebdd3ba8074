"""``manage.py astria_check`` against the emulator."""

import io
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prompts import smoke
from tests.helpers import API_KEY
from tunes.models import Tune


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


@pytest.fixture
def journey(emulator_media, settings):
    settings.ASTRIA_API_KEY = API_KEY
    return emulator_media


def run_full(*args):
    return run("--full", "--poll", "0.05", "--timeout", "20", *args)


def prompt_posts(emulator):
    return [c["path"] for c in emulator.requests("POST") if c["path"].endswith("/prompts")]


def test_the_full_journey_trains_prompts_downloads_and_deletes_for_free(journey):
    out = run_full()

    for model_kind in ("flux-lora", "sd15", "faceid"):
        for step in ("create fast tune", "trained", "create test-mode prompt", "download"):
            assert f"{model_kind}: {step}" in out
    assert "delete everything made" in out and "NOT deleted" not in out
    assert "cost $0.00000" in out
    assert "Astria check passed." in out
    tunes = [c for c in journey.requests("POST", "/tunes")]
    assert len(tunes) == 3
    # Every prompt went to the fast tune it belongs to, never to a shared base tune.
    assert sorted(prompt_posts(journey)) == sorted(
        f"/tunes/{c['object_id']}/prompts" for c in tunes
    )
    state = journey.call("GET", "state")
    assert (state["tunes"]["live"], state["prompts"]["live"]) == (0, 0)


def test_it_refuses_to_send_a_prompt_that_may_cost_money(journey, monkeypatch):
    monkeypatch.setattr(Tune, "prompt_target_id", property(lambda tune: 1504944))

    with pytest.raises(CommandError, match="Refused to send a request that may cost money"):
        run_full()

    assert prompt_posts(journey) == []
    assert journey.call("GET", "state")["tunes"]["live"] == 0


def test_a_journey_that_cost_money_fails_the_check(journey, monkeypatch):
    paid = {"branch": "sd15"}
    monkeypatch.setattr(smoke, "free_tune_fields", lambda tune: {**tune.astria_fields(), **paid})

    with pytest.raises(CommandError, match=r"cost \$[1-9].*it should be \$0"):
        run_full()


def test_an_image_host_off_the_allow_list_fails_the_check(journey, settings):
    settings.ASTRIA_MEDIA_HOSTS = ["mp.astria.ai"]

    with pytest.raises(CommandError, match="downloading .* failed: .* not an allowed image host"):
        run_full()

    assert journey.call("GET", "state")["tunes"]["live"] == 0
