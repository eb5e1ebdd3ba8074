"""Every request is timed by view name and status class, never by raw path."""

import pytest
from django.test import Client

from tests.monitoring.helpers import label_values, sample, scrape

pytestmark = pytest.mark.django_db

COUNT = "portal_http_request_duration_seconds_count"


def counted(client, **labels):
    return sample(scrape(client), COUNT, **labels) or 0


def test_each_request_is_timed_by_its_view_and_status_class(client, metrics_on):
    before = counted(client, view="account_login", status="2xx")
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    assert counted(client, view="account_login", status="2xx") == before + 2


def test_redirects_and_refusals_have_their_own_class(client, metrics_on):
    redirects = counted(client, view="tunes:list", status="3xx")
    assert client.get("/tunes/").status_code == 302  # to the login page
    assert counted(client, view="tunes:list", status="3xx") == redirects + 1


def test_paths_that_match_no_view_share_one_label(client, metrics_on):
    before = counted(client, view="unresolved", status="4xx")
    assert client.get("/no-such-page/4711/").status_code == 404
    text = scrape(client)
    assert sample(text, COUNT, view="unresolved", status="4xx") == before + 1
    assert not [v for v in label_values(text) if "4711" in v or "no-such-page" in v]


def test_the_time_falls_in_a_bucket(client, metrics_on):
    client.get("/accounts/login/")
    text = scrape(client)
    login = {"view": "account_login", "status": "2xx"}
    total = sample(text, COUNT, **login)
    bucket = "portal_http_request_duration_seconds_bucket"
    within_a_minute = sample(text, bucket, **login, le="60.0")
    assert total and within_a_minute == total
    assert sample(text, "portal_http_request_duration_seconds_sum", **login) > 0


@pytest.mark.urls("tests.monitoring.urls")
def test_a_server_error_counts_as_5xx(metrics_on, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    view = "tests.monitoring.urls.fail"
    before = counted(client, view=view, status="5xx")
    assert client.get("/fail/?code=abc").status_code == 500
    assert counted(client, view=view, status="5xx") == before + 1
