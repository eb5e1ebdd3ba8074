"""The Emulator object: state, the API and media servers, lifecycle ticker, runnable in-process."""

import threading

from .lifecycle import Ticker
from .media import media_server
from .server import Server
from .store import State


class Emulator:
    """An offline stand-in for api.astria.ai, with its files on a media host of their own.

    with Emulator(api_key="test-key", train_seconds=0, prompt_seconds=0).start() as emu:
        requests.get(f"{emu.base_url}/tunes", headers={"Authorization": f"Bearer {emu.api_key}"})
        requests.get(emu.media_url + "/mock")
    """

    def __init__(
        self,
        api_key="demo-key",
        data_dir=None,
        train_seconds=5.0,
        prompt_seconds=3.0,
        public_url=None,
        media_port=0,
        public_media_url=None,
        idempotency=False,
        callback_body="full",
    ):
        self.api_key = api_key
        self.public_url = public_url.rstrip("/") if public_url else None
        self.media_port = media_port
        self.public_media_url = public_media_url.rstrip("/") if public_media_url else None
        config = {
            "train_seconds": float(train_seconds),
            "prompt_seconds": float(prompt_seconds),
            "idempotency": bool(idempotency),
            "callback_body": callback_body,
        }
        self.state = State(api_key, config, data_dir)
        self.base_url = None
        self.media_url = None
        self._servers = []
        self._threads = []
        self._ticker = None

    def start(self, host="127.0.0.1", port=0):
        """Serve on daemon threads (port 0, media_port 0 pick free ports) and return self."""
        if self._servers:
            raise RuntimeError("The emulator is already running")
        api = Server((host, port), self.state)
        try:
            media = media_server((host, self.media_port), self.state)
        except OSError:
            api.server_close()
            raise
        self._servers = [api, media]
        self.base_url = f"http://{_reachable(host)}:{api.server_address[1]}"
        self.media_url = f"http://{_reachable(host)}:{media.server_address[1]}"
        # URLs handed out in tunes and prompts use the public URLs when given
        # (e.g. behind a proxy or in a container), else the addresses we bound.
        self.state.base_url = self.public_url or self.base_url
        self.state.media_url = self.public_media_url or self.media_url
        for server, name in ((api, "emulator-http"), (media, "emulator-media")):
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        self._ticker = Ticker(self.state)
        self._ticker.start()
        return self

    def stop(self):
        if not self._servers:
            return
        self._ticker.stop()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.state.save()
        self._servers, self._threads, self._ticker = [], [], None

    def reset(self):
        """Clear everything except the gallery tunes, as POST /_emulator/reset does."""
        self.state.reset()

    def __enter__(self):
        if not self._servers:
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
