"""Download generated images from Astria's media hosts, and nowhere else (R9).

Only URLs from an authenticated API answer reach this module, never from a
callback body (R8). Even so the host must be on the allow-list, redirects are
not followed (a redirect could lead anywhere), and the body is read in chunks
under a byte cap. The time limit is one wall-clock deadline for the whole
download: connecting, the headers and the body. A socket timeout alone bounds
each read, so a host that sends one byte every half second would never trip it;
here every read from the socket gets only the time that is left.
"""

import contextvars
import http.client
import io
import time
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .client import user_agent
from .errors import AstriaError

CHUNK = 64 * 1024
# At most this much of the time limit goes on connecting (and on the TLS handshake,
# which the same socket timeout bounds as a whole).
CONNECT_SHARE = 0.5

# The deadline (time.monotonic()) of the download running in this context.
_deadline = contextvars.ContextVar("media_download_deadline", default=None)


class DownloadRefused(AstriaError):
    """The URL is not allowed or the file breaks a limit: asking again will not help."""


class DownloadFailed(AstriaError):
    """The download did not complete this time (network, 5xx, too slow): retry later."""


def allowed(url, hosts):
    """True if url is on the allow-list: a bare host entry means HTTPS on its default
    port; an entry with a scheme ("http://127.0.0.1:8765") allows exactly that origin."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.username or parts.password or not parts.hostname:
        return False
    origin = (parts.scheme, parts.hostname.lower(), port)
    for entry in hosts:
        entry = entry.strip().rstrip("/")
        if not entry:
            continue
        if "://" not in entry:
            if origin in (("https", entry.lower(), None), ("https", entry.lower(), 443)):
                return True
            continue
        spec = urlsplit(entry)
        if origin == (spec.scheme, (spec.hostname or "").lower(), spec.port):
            return True
    return False


def download(url, *, hosts, max_bytes, timeout):
    """Return (content, content_type) of url, or raise DownloadRefused / DownloadFailed.

    timeout is the wall-clock limit, in seconds, for the whole download.
    """
    if not allowed(url, hosts):
        raise DownloadRefused(f"{_host(url)} is not an allowed image host")
    deadline = time.monotonic() + timeout
    token = _deadline.set(deadline)
    try:
        with _session() as http:
            return _fetch(http, url, max_bytes=max_bytes, timeout=timeout)
    except requests.RequestException as exc:
        if time.monotonic() >= deadline:
            raise DownloadFailed(f"the download took longer than {timeout} s") from None
        raise DownloadFailed(f"{_host(url)}: {type(exc).__name__}") from None
    finally:
        _deadline.reset(token)


def _fetch(http, url, *, max_bytes, timeout):
    connect = max(0.1, min(10, timeout * CONNECT_SHARE))
    response = http.get(
        url,
        stream=True,
        allow_redirects=False,
        timeout=(connect, timeout),
        headers={"User-Agent": user_agent(), "Accept": "image/*"},
    )
    with response:
        if response.status_code in (403, 404, 410):
            raise DownloadRefused(f"the image is gone ({response.status_code})")
        if response.status_code != 200:
            raise DownloadFailed(f"the image host answered {response.status_code}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise DownloadRefused(f"the image is larger than {max_bytes} bytes")
        chunks, received = [], 0
        for chunk in response.iter_content(CHUNK):
            received += len(chunk)
            if received > max_bytes:
                raise DownloadRefused(f"the image is larger than {max_bytes} bytes")
            chunks.append(chunk)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return b"".join(chunks), content_type


def _host(url):
    try:
        return urlsplit(url).netloc or "an unknown host"
    except ValueError:
        return "an unknown host"


# The deadline reaches the socket through urllib3's connection classes: every
# response they read (headers and body) reads through _DeadlineReader.


class _DeadlineReader(io.RawIOBase):
    """The socket's reader, giving each read only the time left before the deadline."""

    def __init__(self, raw, sock, deadline):
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self):
        return True

    def readinto(self, buffer):
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the download deadline has passed")
        self._sock.settimeout(left)
        return self._raw.readinto(buffer)

    def close(self):
        if not self.closed:
            self._raw.close()  # gives back the socket file's reference to the socket
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, **kwargs):
        super().__init__(sock, *args, **kwargs)
        deadline = _deadline.get()
        if deadline is not None:
            # detach(): the socket file is kept open, now read through the deadline.
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline))


class _Connection(HTTPConnection):
    response_class = _DeadlineResponse


class _TLSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if manager.pool_classes_by_scheme.get("https") is HTTPSConnectionPool:  # not SOCKS
            manager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}
        return manager


def _session():
    session = requests.Session()
    adapter = _DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
