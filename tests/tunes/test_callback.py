"""The callback endpoint: per-object tokens, receipts, refresh (R1–R8, R10)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing
from django.test import override_settings
from django_q.models import OrmQ

from astria_portal.callbacks import callback_token, callback_url
from astria_portal.models import CallbackReceipt
from tests.helpers import drain_queue, queued_funcs
from tunes.models import Tune

pytestmark = pytest.mark.django_db


@pytest.fixture
def tune(make_tune):
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINING, remote_id=4242)
    tune.refresh_from_db()
    return tune


def post(client, url, body=None):
    body = body if body is not None else {"tune": {"id": 4242, "trained_at": None}}
    return client.post(url, json.dumps(body), content_type="application/json")


def path_of(url):
    return url.removeprefix("http://127.0.0.1:8000")


def test_a_valid_callback_records_a_receipt_and_enqueues_a_refresh(client, tune):
    response = post(client, path_of(callback_url("tune", tune)))
    assert response.status_code == 204
    receipt = CallbackReceipt.objects.get()
    assert (receipt.kind, receipt.object_code, receipt.remote_id) == ("tune", tune.code, 4242)
    assert receipt.verdict == CallbackReceipt.Verdict.REFRESH
    assert queued_funcs() == ["tunes.tasks.refresh_tune"]


@pytest.mark.parametrize("case", ["missing", "tampered", "truncated", "other object", "other kind"])
def test_a_bad_token_is_a_404_that_changes_nothing(client, tune, make_tune, case):
    other = make_tune()
    token = callback_token("tune", tune.code, tune.callback_secret)
    tokens = {
        "missing": "",
        "tampered": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "truncated": token[:10],
        "other object": callback_token("tune", other.code, other.callback_secret),
        "other kind": callback_token("prompt", tune.code, tune.callback_secret),
    }
    response = post(client, f"/callbacks/tune/{tune.code}/?token={tokens[case]}")
    assert response.status_code == 404
    assert CallbackReceipt.objects.count() == 0
    assert OrmQ.objects.count() == 0


def test_a_rotated_secret_revokes_the_token(client, tune):
    url = path_of(callback_url("tune", tune))
    Tune.objects.filter(pk=tune.pk).update(callback_secret="f" * 32)
    assert post(client, url).status_code == 404


def test_an_unknown_kind_or_object_is_a_404(client, tune):
    token = callback_token("tune", tune.code, tune.callback_secret)
    assert post(client, f"/callbacks/album/{tune.code}/?token={token}").status_code == 404
    other = "00000000-0000-0000-0000-000000000000"
    assert post(client, f"/callbacks/tune/{other}/?token={token}").status_code == 404


def test_it_compares_tokens_in_constant_time(client, tune, monkeypatch):
    calls = []

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    real = signing.constant_time_compare
    monkeypatch.setattr(signing, "constant_time_compare", spy)
    post(client, path_of(callback_url("tune", tune)))
    assert calls


def test_the_callback_url_is_the_same_every_time(tune):
    assert callback_url("tune", tune) == callback_url("tune", Tune.objects.get(pk=tune.pk))


def test_another_machine_builds_the_same_callback_url(tune):
    """R3 across processes: made from PUBLIC_BASE_URL and SECRET_KEY, never from a request."""
    shared = {"SECRET_KEY": "k" * 50, "PUBLIC_BASE_URL": "https://portal.example.com"}
    code = (
        "import django; django.setup(); from types import SimpleNamespace; "
        "from astria_portal.callbacks import callback_url; "
        f"print(callback_url('tune', SimpleNamespace(code={str(tune.code)!r}, "
        f"callback_secret={tune.callback_secret!r})))"
    )
    env = {**os.environ, **shared}
    env.pop("DATABASE_URL", None)
    elsewhere = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parents[2], env=env,
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    with override_settings(**shared):
        assert callback_url("tune", tune) == elsewhere
    assert elsewhere.startswith(f"https://portal.example.com/callbacks/tune/{tune.code}/?")


def test_a_token_made_with_an_old_key_works_while_the_key_is_a_fallback(client, tune):
    with override_settings(SECRET_KEY="old-key-" + "x" * 50):
        url = path_of(callback_url("tune", tune))
    with override_settings(SECRET_KEY="new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=[]):
        assert post(client, url).status_code == 404
    with override_settings(
        SECRET_KEY="new-key-" + "y" * 50, SECRET_KEY_FALLBACKS=["old-key-" + "x" * 50]
    ):
        assert post(client, url).status_code == 204


def test_only_post_is_accepted(client, tune):
    assert client.get(path_of(callback_url("tune", tune))).status_code == 405


def test_duplicates_make_one_receipt_and_one_refresh(client, tune):
    url = path_of(callback_url("tune", tune))
    for _ in range(3):
        assert post(client, url).status_code == 204
    receipt = CallbackReceipt.objects.get()
    assert receipt.times_received == 3
    assert queued_funcs() == ["tunes.tasks.refresh_tune"]


def test_a_callback_for_a_finished_tune_is_recorded_and_ignored(client, tune):
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINED)
    assert post(client, path_of(callback_url("tune", tune))).status_code == 204
    assert CallbackReceipt.objects.get().verdict == CallbackReceipt.Verdict.IGNORED
    assert OrmQ.objects.count() == 0


def test_the_view_makes_no_outbound_request(client, tune, monkeypatch):
    import requests

    def forbidden(*args, **kwargs):
        raise AssertionError("the callback view must not make HTTP requests")

    monkeypatch.setattr(requests.Session, "send", forbidden)
    body = {"tune": {"id": 4242, "trained_at": "2026-01-01T00:00:00.000Z",
                     "orig_images": ["http://169.254.169.254/latest/meta-data"]}}  # fmt: skip
    assert post(client, path_of(callback_url("tune", tune)), body).status_code == 204


def test_an_oversized_body_is_refused(client, tune, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, path_of(callback_url("tune", tune)), {"tune": {"x": "y" * 2000}})
    assert response.status_code == 400
    assert CallbackReceipt.objects.count() == 0


def test_the_token_never_reaches_a_log_record(client, tune, caplog):
    caplog.set_level(logging.DEBUG)
    url = path_of(callback_url("tune", tune))
    token = url.split("token=")[1]
    post(client, url)
    post(client, url.replace(token, token[:-3] + "xyz"))
    assert caplog.records
    assert not any(token in record.getMessage() for record in caplog.records)
    assert not any(token[:-3] in record.getMessage() for record in caplog.records)


def test_the_body_is_only_a_hint(client, emulator, make_tune):
    """A body claiming 'trained' changes nothing: the API says the tune is still training."""
    emulator.config(train_seconds=3600)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    fake = {"tune": {"id": tune.remote_id, "trained_at": "2026-01-01T00:00:00.000Z"}}
    assert post(client, path_of(callback_url("tune", tune)), fake).status_code == 204
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINING
    assert tune.trained_at is None


def test_a_callback_that_overtakes_the_submission_is_not_lost(
    client, emulator, make_tune, monkeypatch
):
    from tunes import tasks

    real_create = tasks._create

    def create_then_callback(astria_client, tune):
        remote = real_create(astria_client, tune)
        # Astria calls back before the worker has stored the remote id.
        emulator.tune(remote.id, "finish")
        assert post(client, path_of(callback_url("tune", tune))).status_code == 204
        # ... and a second worker runs the refresh at once, before the id is committed.
        assert drain_queue() == ["tunes.tasks.refresh_tune"]
        return remote

    monkeypatch.setattr(tasks, "_create", create_then_callback)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
