"""Login brute force is limited per user name and address, with a cool-off (R30)."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import timezone

from astria_portal.throttle import client_ip, forget_old
from tests.portal.test_settings import load_settings

pytestmark = pytest.mark.django_db

HOME, OFFICE = "192.0.2.10", "198.51.100.7"
GOOD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def log_in(client, password, address=HOME, username="alice", path="/accounts/login/"):
    return client.post(path, {"login": username, "password": password}, REMOTE_ADDR=address)


def fail(client, times, **kwargs):
    """Log in with a wrong password; the failure that reaches the limit gets the pause."""
    for attempt in range(1, times + 1):
        response = log_in(client, "wrong", **kwargs)
        assert response.status_code == (429 if attempt >= 3 else 200)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_after_the_limit_the_user_is_refused_from_that_address(client, owner):
    fail(client, 3)
    response = log_in(client, GOOD)
    assert response.status_code == 429
    assert not is_logged_in(client)
    assert b"Too many attempts" in response.content
    assert b"paused for 15 minutes" in response.content
    assert b"/accounts/password/reset/" in response.content
    assert b'<link rel="stylesheet"' in response.content  # the site's page, not bare text


def test_below_the_limit_the_right_password_still_works(client, owner):
    fail(client, 2)
    assert log_in(client, GOOD).status_code == 302


def test_another_address_can_still_log_in(client, owner):
    fail(client, 3)
    assert log_in(client, GOOD, address=HOME).status_code == 429
    assert log_in(client, GOOD, address=OFFICE).status_code == 302
    assert is_logged_in(client)


def test_other_users_at_the_same_address_are_not_affected(client, owner, outsider):
    fail(client, 3)
    assert log_in(client, GOOD, username="bob").status_code == 302


def test_the_pause_ends_after_the_cool_off(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, 3)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert log_in(client, GOOD).status_code == 429  # and this does not extend the pause
    with time_machine.travel(start + timedelta(minutes=14, seconds=61), tick=False):
        assert log_in(client, GOOD).status_code == 302


def test_a_success_starts_the_count_again(client, owner):
    fail(client, 2)
    assert log_in(client, GOOD).status_code == 302
    client.post("/accounts/logout/")
    fail(client, 2)
    assert log_in(client, GOOD).status_code == 302


def test_the_staff_admin_login_is_limited_too(client, staff):
    # The admin logs in through the same login (accounts: secure_admin_login).
    assert client.get("/admin/login/?next=/admin/")["Location"].startswith("/accounts/login/")
    admin_login = "/accounts/login/?next=/admin/"
    fail(client, 3, username="carol", path=admin_login)
    response = log_in(client, GOOD, username="carol", path=admin_login)
    assert response.status_code == 429
    assert not is_logged_in(client)
    response = log_in(client, GOOD, username="carol", path=admin_login, address=OFFICE)
    assert response["Location"] == "/admin/"


def test_the_username_and_the_email_address_count_as_one_account(client, owner):
    fail(client, 2)
    response = log_in(client, "wrong", username="ALICE@example.com")
    assert response.status_code == 429
    assert log_in(client, GOOD).status_code == 429


def test_failed_logins_past_the_cool_off_are_forgotten(client, owner):
    fail(client, 2)
    assert AccessAttempt.objects.count() == 1
    forget_old(timezone.now() + timedelta(minutes=16))
    assert AccessAttempt.objects.count() == 0


def test_the_limit_and_cool_off_come_from_the_environment(monkeypatch):
    conf = load_settings(monkeypatch, LOGIN_FAILURE_LIMIT="8", LOGIN_COOLOFF_MINUTES="30")
    assert conf["AXES_FAILURE_LIMIT"] == 8
    assert conf["AXES_COOLOFF_TIME"] == timedelta(minutes=30)
    assert conf["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert conf["AXES_RESET_ON_SUCCESS"] is True
    assert load_settings(monkeypatch, LOGIN_COOLOFF_MINUTES="0")["CONFIG_ERRORS"]


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no proxy: the header is anyone's
        (1, "10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the proxy's own entry
        (2, "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, "10.0.0.2", "", "10.0.0.2"),  # a proxy that sent nothing
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::"),  # an IPv6 address stands for its /64
        (0, "::ffff:192.0.2.1", "", "192.0.2.1"),
        (0, "not an address", "", None),
    ],
)
def test_the_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_tls_proxy_without_a_proxy_count_is_warned_about(settings):
    from astria_portal import checks

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    assert "portal.W004" in [message.id for message in checks.check_production(None)]
    settings.TRUSTED_PROXY_COUNT = 1
    assert "portal.W004" not in [message.id for message in checks.check_production(None)]
