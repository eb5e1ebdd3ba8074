"""The monitoring settings: off by default, and a bad value reported, not a crash."""

import pytest

from tests.portal.test_settings import PRODUCTION, load_settings

NAMES = ("SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_TRACES_SAMPLE_RATE", "METRICS_TOKEN")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_sentry_and_metrics_are_off_by_default(monkeypatch):
    conf = load_settings(monkeypatch)
    assert (conf["SENTRY_DSN"], conf["METRICS_TOKEN"]) == ("", "")
    assert conf["SENTRY_TRACES_SAMPLE_RATE"] == 0.0
    assert conf["SENTRY_ENVIRONMENT"] == "development"
    assert load_settings(monkeypatch, **PRODUCTION)["SENTRY_ENVIRONMENT"] == "production"


def test_a_sample_rate_from_0_to_1_is_taken(monkeypatch):
    assert (
        load_settings(monkeypatch, SENTRY_TRACES_SAMPLE_RATE="0.25")["SENTRY_TRACES_SAMPLE_RATE"]
        == 0.25
    )


@pytest.mark.parametrize("raw", ["often", "1.5", "-0.1", "nan"])
def test_a_bad_sample_rate_is_reported_and_falls_back_to_0(monkeypatch, raw):
    conf = load_settings(monkeypatch, SENTRY_TRACES_SAMPLE_RATE=raw)
    assert conf["SENTRY_TRACES_SAMPLE_RATE"] == 0.0
    assert [name for name, _message in conf["CONFIG_ERRORS"]] == ["SENTRY_TRACES_SAMPLE_RATE"]
