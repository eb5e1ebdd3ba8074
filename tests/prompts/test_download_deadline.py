"""IMAGE_DOWNLOAD_TIMEOUT is one wall-clock deadline for the whole download (R9).

A real HTTP server on loopback sends its answer one byte every half second: every
single read succeeds well within any socket timeout, so only a deadline over the
connection, the headers and the body together ends it.
"""

import http.server
import ssl
import subprocess
import threading
import time

import pytest
from django.utils import timezone

from prompts import tasks
from prompts.models import GeneratedImage, Prompt

pytestmark = pytest.mark.django_db

TIMEOUT = 1
DRIP_EVERY = 0.5
# The server gives up by itself after this many bytes (10 s), whatever the client does.
DRIP_LIMIT = 20


class DripHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.close_connection = True
        if self.path == "/headers.png":
            self._drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * DRIP_LIMIT)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.flush()
        self._drip(b"\x89PNG" + b"x" * DRIP_LIMIT)

    def _drip(self, data):
        for byte in data[:DRIP_LIMIT]:
            if self.server.stopping.wait(DRIP_EVERY):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return

    def log_message(self, format, *args):
        pass


def serve(tls_context=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DripHandler)
    server.daemon_threads = True
    server.stopping = threading.Event()
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server, thread):
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def drip_origin(settings):
    server, thread = serve()
    origin = f"http://127.0.0.1:{server.server_port}"
    settings.ASTRIA_MEDIA_HOSTS = [origin]
    settings.IMAGE_DOWNLOAD_TIMEOUT = TIMEOUT
    yield origin
    stop(server, thread)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_drip_origin(settings, certificate, monkeypatch):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server, thread = serve(context)
    origin = f"https://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    settings.ASTRIA_MEDIA_HOSTS = [origin]
    settings.IMAGE_DOWNLOAD_TIMEOUT = TIMEOUT
    yield origin
    stop(server, thread)


def image_at(url, make_tune):
    prompt = Prompt.objects.create(
        tune=make_tune(), text="x", status=Prompt.Status.DONE, remote_id=9
    )
    return GeneratedImage.objects.create(
        prompt=prompt, position=0, remote_url=url, next_attempt_at=timezone.now()
    )


def timed_download(image):
    started = time.monotonic()
    outcome = tasks.download_image(image.pk)
    return outcome, time.monotonic() - started


@pytest.mark.parametrize("path", ["/body.png", "/headers.png"])
def test_a_dripping_host_is_cut_off_at_the_deadline(drip_origin, make_tune, path):
    image = image_at(f"{drip_origin}{path}", make_tune)
    outcome, elapsed = timed_download(image)
    # Without the deadline this runs until the server stops dripping, 10 s later.
    assert elapsed < TIMEOUT + 2
    assert outcome == "retry"
    image.refresh_from_db()
    assert image.last_error == f"the download took longer than {TIMEOUT} s"
    assert image.attempts == 1 and not image.file
    assert image.next_attempt_at > timezone.now()


def test_the_deadline_holds_over_tls_too(tls_drip_origin, make_tune):
    image = image_at(f"{tls_drip_origin}/body.png", make_tune)
    outcome, elapsed = timed_download(image)
    assert elapsed < TIMEOUT + 2
    assert outcome == "retry"
    image.refresh_from_db()
    assert image.last_error == f"the download took longer than {TIMEOUT} s"
