"""Fixtures for the emulator's own tests: one server per session, reset before each test."""

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from astria_emulator.testing import running_emulator

API_KEY = "test-key"
# Four fake training "photos": the emulator stores bytes as they are, images or not.
PHOTOS = [(f"face-{n}.jpg", f"photo {n}".encode(), "image/jpeg") for n in range(4)]
IMAGE_URLS = [f"https://images.example.com/{n}.jpg" for n in range(4)]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(fetch, ready, seconds=5.0):
    """Call fetch() until ready(result) is true; return the last result either way."""
    deadline = time.monotonic() + seconds
    while True:
        result = fetch()
        if ready(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


class Api:
    """A thin requests wrapper: the API with the bearer key, the control surface without."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.base_url = emulator.base_url
        self.media_url = emulator.media_url
        self.headers = {"Authorization": f"Bearer {API_KEY}"}

    def request(self, method, path, **kwargs):
        timeout = kwargs.pop("timeout", 10)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        url = self.base_url + path
        return requests.request(method, url, headers=headers, timeout=timeout, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def control(self, method, path, data=None):
        response = requests.request(
            method, f"{self.base_url}/_emulator/{path}", json=data, timeout=10
        )
        return response

    def config(self, **values):
        response = self.control("POST", "config", values)
        assert response.status_code == 200, response.text
        return response.json()

    def create_tune(self, **fields):
        """POST a JSON tune (fast, four image URLs, a fresh title unless given)."""
        tune = {
            "title": str(uuid.uuid4()),
            "name": "man",
            "branch": "fast",
            "image_urls": IMAGE_URLS,
            **fields,
        }
        return self.post("/tunes", json={"tune": tune})

    def new_tune(self, **fields):
        response = self.create_tune(**fields)
        assert response.status_code == 201, response.text
        return response.json()

    def create_prompt(self, tune_id, **fields):
        # Small images keep the suite fast; the size tests pass w/h of their own.
        prompt = {"text": "ohwx man in a suit", "num_images": 1, "w": 128, "h": 128, **fields}
        return self.post(f"/tunes/{tune_id}/prompts", json={"prompt": prompt})

    def new_prompt(self, tune_id, **fields):
        response = self.create_prompt(tune_id, **fields)
        assert response.status_code == 201, response.text
        return response.json()

    def tune(self, tune_id):
        return self.get(f"/tunes/{tune_id}").json()

    def prompt(self, prompt_id):
        return self.get(f"/prompts/{prompt_id}").json()

    def trained_tune(self, tune_id):
        return wait_for(lambda: self.tune(tune_id), lambda tune: tune["trained_at"])

    def done_prompt(self, prompt_id):
        return wait_for(
            lambda: self.prompt(prompt_id), lambda p: p["trained_at"] or p["user_error"]
        )

    def balance(self):
        return self.get("/users").json()["usd_balance_mc"]

    def state(self):
        return self.control("GET", "state").json()


@pytest.fixture(scope="session")
def emulator_server():
    with running_emulator(api_key=API_KEY, train_seconds=0, prompt_seconds=0) as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_server):
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def api(emulator):
    return Api(emulator)


class Receiver:
    """A tiny callback receiver that records each POST and answers `status`."""

    def __init__(self):
        self.calls = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.calls.append(
                    {
                        "path": self.path,
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(body),
                    }
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def wait(self, count, seconds=5.0):
        return wait_for(lambda: list(self.calls), lambda calls: len(calls) >= count, seconds)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()
