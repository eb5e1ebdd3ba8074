"""A loopback stand-in for Sentry's ingest endpoint, and reading /metrics."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"


class SentryStandIn:
    """Records every envelope the SDK posts to /api/<project>/envelope/, decompressed."""

    def __init__(self):
        self.bodies = []
        self.paths = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                assert encoding in ("", "gzip"), encoding  # nothing else could be read here
                recorder.paths.append(self.path)
                recorder.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self):
        return f"http://public@127.0.0.1:{self.server.server_port}/1"

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def raw(self):
        """Every byte received, as one string of bytes to search for secrets."""
        return b"\n".join(self.bodies)

    def items(self, kind):
        return [payload for body in self.bodies for header, payload in envelope_items(body)
                if header.get("type") == kind]  # fmt: skip

    def events(self):
        return [json.loads(payload) for payload in self.items("event")]


def envelope_items(body):
    """(header, payload) pairs of an envelope: newline-separated JSON headers, and payloads
    of the header's ``length`` or up to the next newline."""
    _envelope_header, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        if not line.strip():
            continue
        header = json.loads(line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] :]
            rest = rest.removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


def exception_types(event):
    return [value["type"] for value in event.get("exception", {}).get("values", [])]


def scrape(client, token=METRICS_TOKEN):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def sample(text, name, **labels):
    """The value of one sample in Prometheus' text format, or None if it is absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return None


def label_values(text):
    """Every label value of every sample: where an id or a path must never appear (a
    sample's value or timestamp may hold any digits)."""
    return [
        value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for value in sample.labels.values()
    ]
