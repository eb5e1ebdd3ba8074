import pytest

from tests.helpers import EmulatorControl


@pytest.fixture
def emulator(emulator_server):
    """A running emulator, reset to a clean account for each test."""
    control = EmulatorControl(
        emulator_server.base_url, emulator_server.api_key, emulator_server.media_url
    )
    control.reset()
    yield control
    control.call("DELETE", "faults")
