"""localstripe (a stateful Stripe API server from PyPI) on a free loopback port.

python -m drills.localstripe prints the port it listens on, then serves until killed.
Unlike `python -m localstripe` it binds 127.0.0.1 only and keeps its store in memory
(localstripe itself saves every change to /tmp/localstripe.pickle, shared by all).
"""

import contextlib
import socket
import subprocess
import sys

import requests


def main():
    from aiohttp import web
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(server.app, sock=sock, access_log=None, print=None)


@contextlib.contextmanager
def running_localstripe():
    """Start it as a process; yields its base URL (for stripe.api_base)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "drills.localstripe"], stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(process.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            with contextlib.suppress(requests.ConnectionError):
                requests.get(f"{base}/v1/balance", auth=("sk_test_x", ""), timeout=5)
                break
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
