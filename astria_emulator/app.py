"""The Emulator object: state, HTTP server and lifecycle ticker, runnable in-process."""

import threading

from .lifecycle import Ticker
from .server import Server
from .store import State


class Emulator:
    """An offline stand-in for api.astria.ai.

    with Emulator(api_key="test-key", train_seconds=0, prompt_seconds=0).start() as emu:
        requests.get(f"{emu.base_url}/tunes", headers={"Authorization": f"Bearer {emu.api_key}"})
    """

    def __init__(
        self,
        api_key="demo-key",
        data_dir=None,
        train_seconds=5.0,
        prompt_seconds=3.0,
        public_url=None,
    ):
        self.api_key = api_key
        self.public_url = public_url.rstrip("/") if public_url else None
        self.state = State(api_key, float(train_seconds), float(prompt_seconds), data_dir)
        self.base_url = None
        self._server = None
        self._thread = None
        self._ticker = None

    def start(self, host="127.0.0.1", port=0):
        """Serve on a daemon thread (port 0 picks a free port) and return self."""
        if self._server is not None:
            raise RuntimeError("The emulator is already running")
        self._server = Server((host, port), self.state)
        bound_port = self._server.server_address[1]
        self.base_url = f"http://{_reachable(host)}:{bound_port}"
        # URLs handed out in tunes and prompts use the public URL when one is given
        # (e.g. behind a proxy or in a container), else the address we bound.
        self.state.base_url = self.public_url or self.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="emulator-http",
            daemon=True,
        )
        self._thread.start()
        self._ticker = Ticker(self.state)
        self._ticker.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._ticker.stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.state.save()
        self._server = self._thread = self._ticker = None

    def reset(self):
        """Clear everything except the gallery tunes, as POST /_emulator/reset does."""
        self.state.reset()

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()


def _reachable(host):
    """Turn a wildcard bind address into one a local client can connect to."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - reading a bind address, not binding
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
