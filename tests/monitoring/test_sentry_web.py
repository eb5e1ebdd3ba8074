"""An error in a view reaches Sentry (a loopback stand-in), with nothing secret in it."""

import uuid

import pytest
import requests
import sentry_sdk
from django.contrib.auth.models import User
from django.test import Client

from astria_portal.callbacks import callback_token
from tests.helpers import API_KEY
from tests.monitoring.helpers import exception_types

pytestmark = pytest.mark.urls("tests.monitoring.urls")

PASSWORD = "Correct-Horse-Battery-2026"


@pytest.fixture
def signed_in(transactional_db):
    """A session of a real user, as its browser would send it."""
    user = User.objects.create_user("alice", "alice@example.com", PASSWORD)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def fail_on_the_live_server(live_server, session, token, code):
    return requests.post(
        f"{live_server.url}/fail/?code={code}&token={token}",
        data={"username": "alice", "password1": PASSWORD, "note": "kept"},
        headers={"Authorization": f"Bearer {API_KEY}"},
        cookies={"sessionid": session},
        timeout=10,
    )


def test_an_error_in_a_view_reaches_sentry_with_its_type(
    live_server, signed_in, settings, start_sentry
):
    settings.ASTRIA_API_KEY = API_KEY
    standin = start_sentry()
    code = uuid.uuid4()
    response = fail_on_the_live_server(live_server, signed_in, "t0ken", code)
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    (event,) = standin.events()
    assert exception_types(event) == ["RuntimeError"]
    assert event["environment"] == "test"
    assert event["request"]["method"] == "POST"
    assert event["request"]["url"].endswith("/fail/")
    assert all(path == "/api/1/envelope/" for path in standin.paths)


def test_nothing_secret_leaves_for_sentry(live_server, signed_in, settings, start_sentry):
    """The callback token (query string, message, breadcrumb, local variable), the API key
    (Authorization header, local variable, log line), the session cookie and a password."""
    settings.ASTRIA_API_KEY = API_KEY
    standin = start_sentry(traces_sample_rate=1.0)  # the transaction is sent too
    code = uuid.uuid4()
    token = callback_token("tune", str(code), "nonce")
    response = fail_on_the_live_server(live_server, signed_in, token, code)
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)

    (event,) = standin.events()
    assert standin.items("transaction"), "a sampled request sends its transaction"
    raw = standin.raw
    for secret in (token, API_KEY, signed_in, PASSWORD):
        assert secret.encode() not in raw, f"{secret[:6]}… reached Sentry"
    # Redacted where it was, not merely missing: the report still says what happened.
    assert f"code={code}&token=[redacted]" in event["request"]["query_string"]
    assert "token=[redacted]" in event["exception"]["values"][0]["value"]
    assert event["request"]["data"]["note"] == "kept"
    crumbs = [crumb["message"] for crumb in event["breadcrumbs"]["values"]]
    assert any("[redacted]" in crumb and "call back" in crumb for crumb in crumbs), crumbs
