"""/metrics: off without METRICS_TOKEN, and then only for its bearer."""

import pytest

from monitoring import views
from tests.monitoring.helpers import METRICS_TOKEN, sample

pytestmark = pytest.mark.django_db


def test_it_is_not_there_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {METRICS_TOKEN}x", f"Bearer {METRICS_TOKEN[:-1]}", f"Basic {METRICS_TOKEN}",
     METRICS_TOKEN, f"bearer  {METRICS_TOKEN}"],
)  # fmt: skip
def test_it_refuses_anything_but_the_bearer_token(client, metrics_on, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"portal_" not in response.content


def test_it_answers_the_token_in_prometheus_text_format(client, metrics_on):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert sample(text, "portal_database_up") == 1
    assert sample(text, "portal_build_info", version="0.1.0") == 1


def test_the_token_is_compared_in_constant_time(client, metrics_on, monkeypatch):
    seen = []

    def spy(given, expected):
        seen.append((given, expected))
        return False

    monkeypatch.setattr(views, "constant_time_compare", spy)
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess").status_code == 401
    assert seen == [("Bearer guess", f"Bearer {METRICS_TOKEN}")]


def test_it_answers_only_get(client, metrics_on):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 405
