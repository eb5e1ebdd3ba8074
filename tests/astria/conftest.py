import time

import pytest
import requests

from .helpers import API_KEY


class EmulatorControl:
    """The emulator's ``/_emulator/`` test surface (no auth, JSON)."""

    def __init__(self, base_url):
        self.base_url = base_url

    def call(self, method, path, data=None):
        response = requests.request(
            method, f"{self.base_url}/_emulator/{path}", json=data, timeout=5
        )
        assert response.status_code < 300, response.text
        return response.json()

    def reset(self):
        self.call("DELETE", "faults")
        return self.call("POST", "reset")

    def config(self, **values):
        return self.call("POST", "config", values)

    def fault(self, method, path, **rule):
        return self.call("POST", "faults", {"method": method, "path": path, **rule})

    def requests(self):
        return self.call("GET", "requests")

    def callbacks(self, count=1, wait=3.0):
        """The callbacks sent so far, waiting up to ``wait`` s for ``count`` of them."""
        deadline = time.monotonic() + wait
        while True:
            sent = self.call("GET", "callbacks")
            if len(sent) >= count or time.monotonic() > deadline:
                return sent
            time.sleep(0.05)


@pytest.fixture(scope="module")
def emulator_server():
    from astria_emulator import Emulator

    emulator = Emulator(api_key=API_KEY, data_dir=None, train_seconds=0.0, prompt_seconds=0.0)
    emulator.start(host="127.0.0.1", port=0)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(emulator_server):
    """A running emulator, reset to a clean account for each test."""
    control = EmulatorControl(emulator_server.base_url)
    control.reset()
    yield control
    control.call("DELETE", "faults")
