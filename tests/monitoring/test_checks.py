"""System checks for the metrics settings."""

from monitoring import checks


def ids(found):
    return [message.id for message in found]


def test_an_unusable_multiprocess_folder_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    assert ids(checks.check_metrics()) == ["monitoring.E001"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert checks.check_metrics() == []


def test_metrics_without_the_folder_are_a_deploy_warning(settings, monkeypatch, tmp_path):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    settings.METRICS_TOKEN = ""
    assert checks.check_metrics_deploy() == []
    settings.METRICS_TOKEN = "x" * 40
    assert ids(checks.check_metrics_deploy()) == ["monitoring.W002"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert checks.check_metrics_deploy() == []


def test_a_short_token_is_a_deploy_warning(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings.METRICS_TOKEN = "short"
    assert ids(checks.check_metrics_deploy()) == ["monitoring.W001"]
