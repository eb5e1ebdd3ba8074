"""What the Sentry hooks blank in an event, a transaction or a breadcrumb, and what they keep."""

from astria_portal.sentry import scrub_breadcrumb, scrub_event
from tests.helpers import API_KEY


def test_secret_names_in_query_strings_and_cookies_are_blanked(settings):
    event = {
        "request": {
            "query_string": "page=2&X-Amz-Signature=abc123&token=cb-t0ken",
            "headers": {"Cookie": "sessionid=s3ss10n; csrftoken=csrf", "Accept": "text/html"},
            "cookies": {"sessionid": "s3ss10n"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "message": "retrying with sessionid=s3ss10n; csrftoken=csrf",
    }
    scrubbed = scrub_event(event, {})
    request = scrubbed["request"]
    assert request["query_string"] == "page=2&X-Amz-Signature=[redacted]&token=[redacted]"
    assert request["headers"] == {"Cookie": "[redacted]", "Accept": "text/html"}
    assert "cookies" not in request and "env" not in request
    assert scrubbed["message"] == "retrying with sessionid=[redacted]; csrftoken=[redacted]"


def test_the_api_key_and_bearer_credentials_are_blanked_anywhere(settings):
    settings.ASTRIA_API_KEY = API_KEY
    event = {
        "exception": {"values": [{"value": f"refused {API_KEY}", "stacktrace": {"frames": [
            {"vars": {"headers": "{'Authorization': 'Bearer abc.def'}", "key_id": "k-1",
                      "count": 3, "client_secret": "", "db_password": "hunter2"}},
        ]}}]},
    }  # fmt: skip
    scrubbed = scrub_event(event, {})
    value = scrubbed["exception"]["values"][0]
    assert value["value"] == "refused [redacted]"
    frame_vars = value["stacktrace"]["frames"][0]["vars"]
    assert frame_vars == {"headers": "{'Authorization': 'Bearer [redacted]", "key_id": "[redacted]",
                          "count": 3, "client_secret": "", "db_password": "[redacted]"}  # fmt: skip


def test_what_the_sdk_itself_names_is_kept():
    """Only names the code or a client chose are judged by name, not the event's own."""
    event = {
        "contexts": {"trace": {"dynamic_sampling_context": {"public_key": "public"}}},
        "modules": {"keyring": "25.6.0"},
        "breadcrumbs": {"values": [{"category": "query", "data": {"api_token": "t"}}]},
    }
    scrubbed = scrub_event(event, {})
    assert scrubbed["contexts"]["trace"]["dynamic_sampling_context"]["public_key"] == "public"
    assert scrubbed["modules"] == {"keyring": "25.6.0"}
    assert scrubbed["breadcrumbs"]["values"][0]["data"] == {"api_token": "[redacted]"}


def test_a_breadcrumb_is_scrubbed_before_it_is_kept(settings):
    settings.ASTRIA_API_KEY = API_KEY
    crumb = {
        "category": "httplib",
        "data": {"url": "https://mp.astria.ai/x.png", "http.query": "X-Amz-Signature=abc"},
        "message": f"called with {API_KEY}",
    }
    scrubbed = scrub_breadcrumb(crumb, {})
    assert scrubbed["data"]["http.query"] == "X-Amz-Signature=[redacted]"
    assert scrubbed["message"] == "called with [redacted]"
