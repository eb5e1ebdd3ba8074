"""Download generated images from Astria's media hosts, and nowhere else (R9).

Only URLs from an authenticated API answer reach this module, never from a
callback body (R8). Even so the host must be on the allow-list, redirects are
not followed (a redirect could lead anywhere), and the body is read in chunks
under a byte cap and a total time limit.
"""

import time
from urllib.parse import urlsplit

import requests

from .client import user_agent
from .errors import AstriaError

CHUNK = 64 * 1024


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


def download(url, *, hosts, max_bytes, timeout, session=None):
    """Return (content, content_type) of url, or raise DownloadRefused / DownloadFailed."""
    if not allowed(url, hosts):
        raise DownloadRefused(f"{_host(url)} is not an allowed image host")
    deadline = time.monotonic() + timeout
    http = session or requests
    try:
        response = http.get(
            url,
            stream=True,
            allow_redirects=False,
            timeout=(10, min(30, timeout)),
            headers={"User-Agent": user_agent(), "Accept": "image/*"},
        )
    except requests.RequestException as exc:
        raise DownloadFailed(f"{_host(url)}: {type(exc).__name__}") from None
    with response:
        if response.status_code in (403, 404, 410):
            raise DownloadRefused(f"the image is gone ({response.status_code})")
        if response.status_code != 200:
            raise DownloadFailed(f"the image host answered {response.status_code}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise DownloadRefused(f"the image is larger than {max_bytes} bytes")
        chunks, received = [], 0
        try:
            for chunk in response.iter_content(CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise DownloadRefused(f"the image is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise DownloadFailed(f"the download took longer than {timeout} s")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise DownloadFailed(f"{_host(url)}: {type(exc).__name__}") from None
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return b"".join(chunks), content_type


def _host(url):
    try:
        return urlsplit(url).netloc or "an unknown host"
    except ValueError:
        return "an unknown host"
