"""gunicorn listens on loopback unless BIND names other addresses."""

import runpy

import pytest

from tests.deploy.conftest import ROOT

CONFIG = str(ROOT / "deploy" / "gunicorn.conf.py")


@pytest.mark.parametrize(
    ("env", "bind"),
    [
        ({}, ["127.0.0.1:8000"]),
        ({"PORT": "9100"}, ["127.0.0.1:9100"]),
        ({"BIND": "0.0.0.0:8080"}, ["0.0.0.0:8080"]),
        ({"BIND": "0.0.0.0:8080", "PORT": "9100"}, ["0.0.0.0:8080"]),  # BIND is the address
        ({"BIND": "unix:/run/portal.sock, [::1]:8001"}, ["unix:/run/portal.sock", "[::1]:8001"]),
        ({"BIND": " ", "PORT": "9100"}, ["127.0.0.1:9100"]),
    ],
)
def test_it_binds_what_bind_or_port_say_and_loopback_by_default(monkeypatch, env, bind):
    monkeypatch.delenv("BIND", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert runpy.run_path(CONFIG)["bind"] == bind
