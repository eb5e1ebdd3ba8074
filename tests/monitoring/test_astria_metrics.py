"""Every call to Astria is counted by method, route template and outcome."""

import pytest

from astria_portal.astria import AstriaClient, NotFound, RetryLater, get_client
from tests.monitoring.helpers import label_values, sample, scrape

pytestmark = pytest.mark.django_db

CALLS = "portal_astria_calls_total"


def counted(client, **labels):
    return sample(scrape(client), CALLS, **labels) or 0


def test_answers_are_counted_by_route_template_and_status(client, metrics_on, emulator):
    api = get_client()
    account = counted(client, method="GET", route="/users", outcome="200")
    missing = counted(client, method="GET", route="/tunes/:id/prompts/:id", outcome="404")
    api.get_account()
    with pytest.raises(NotFound):
        api.get_prompt(98765, tune_id=4321)
    text = scrape(client)
    assert sample(text, CALLS, method="GET", route="/users", outcome="200") == account + 1
    found = sample(text, CALLS, method="GET", route="/tunes/:id/prompts/:id", outcome="404")
    assert found == missing + 1
    assert not [v for v in label_values(text) if "98765" in v or "4321" in v]


def test_a_server_error_is_counted_with_its_status(client, metrics_on, emulator):
    emulator.fault("DELETE", r"/tunes/\d+", status=503)
    before = counted(client, method="DELETE", route="/tunes/:id", outcome="503")
    with pytest.raises(RetryLater):
        get_client().delete_tune(777)
    assert counted(client, method="DELETE", route="/tunes/:id", outcome="503") == before + 1


def test_no_answer_is_counted_by_its_exception(client, metrics_on):
    refused = {"method": "GET", "route": "/tunes/:id", "outcome": "ConnectionError"}
    before = counted(client, **refused)
    with pytest.raises(RetryLater):
        AstriaClient("http://127.0.0.1:9", "sd_key", timeout=(2, 2)).get_tune(5)
    assert counted(client, **refused) == before + 1
