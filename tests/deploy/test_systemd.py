"""The example systemd units: valid for systemd, and saying what the Procfile says."""

import runpy
import shutil
import subprocess

import pytest
from django.conf import settings

from tests.deploy.conftest import ROOT, procfile

UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/srv/astria-portal"


def unit(name):
    """A unit's settings as {section: {key: value}} (each key appears once in ours)."""
    sections, current = {}, None
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, value = line.split("=", 1)
            assert key not in current, f"{name}: {key} twice"
            current[key] = value
    return sections


def seconds(value):
    return int(value.removesuffix("s"))


def test_the_web_unit_runs_the_procfiles_web_line_and_stops_gracefully():
    service = unit("astria-portal-web.service")["Service"]
    assert service["ExecStart"] == f"{INSTALLED}/.venv/bin/{procfile()['web']}"
    gunicorn = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert seconds(service["TimeoutStopSec"]) > gunicorn["graceful_timeout"]
    assert service["KillMode"] == "mixed"
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/astria-portal/env"
    assert service["Type"] == "notify"  # gunicorn tells systemd when it is ready


def test_the_worker_unit_runs_the_procfiles_worker_line_and_waits_for_tasks():
    service = unit("astria-portal-worker.service")["Service"]
    assert service["ExecStart"] == f"{INSTALLED}/.venv/bin/{procfile()['worker']}"
    # Running tasks may take up to the task timeout to finish after SIGTERM.
    assert seconds(service["TimeoutStopSec"]) > settings.Q_CLUSTER["timeout"]
    assert service["KillMode"] == "mixed"
    assert service["KillSignal"] == "SIGTERM"
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/astria-portal/env"


def test_the_target_starts_both():
    target = unit("astria-portal.target")
    assert set(target["Unit"]["Wants"].split()) == {
        "astria-portal-web.service",
        "astria-portal-worker.service",
    }
    for name in ("astria-portal-web.service", "astria-portal-worker.service"):
        assert unit(name)["Unit"]["PartOf"] == "astria-portal.target"
        assert unit(name)["Install"]["WantedBy"] == "astria-portal.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, on copies installed in this checkout: it checks that every
    key is known and that every command exists."""
    (tmp_path / "env").write_text("DEBUG=false\n")
    venv = ROOT / ".venv"
    assert (venv / "bin" / "gunicorn").exists(), "the units expect the project's .venv"
    for path in UNITS.iterdir():
        text = path.read_text().replace("/etc/astria-portal/env", str(tmp_path / "env"))
        text = text.replace(INSTALLED, str(ROOT)).replace("=astria-portal\n", "=root\n")
        (tmp_path / path.name).write_text(text)
    names = sorted(path.name for path in UNITS.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # "Unknown key" is only a warning
