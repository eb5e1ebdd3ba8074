import pytest
import sentry_sdk
from django_q import worker
from django_q.signals import pre_execute

from astria_portal import sentry
from tests.monitoring.helpers import METRICS_TOKEN, SentryStandIn


@pytest.fixture
def sentry_standin(monkeypatch):
    """A fresh SDK client sending to a loopback stand-in; switched off again afterwards."""
    server = SentryStandIn()
    server.start()
    monkeypatch.setattr(worker, "error_reporter", None)
    yield server
    sentry_sdk.flush(timeout=5)
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    pre_execute.disconnect(dispatch_uid="sentry-task-scope")
    server.stop()


@pytest.fixture
def start_sentry(sentry_standin):
    def start(traces_sample_rate=0.0):
        sentry.init(sentry_standin.dsn, environment="test", traces_sample_rate=traces_sample_rate)
        return sentry_standin

    return start


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
