"""Shared test helpers: run queued tasks, make photos, talk to the emulator, read media."""

import io
import os
import pydoc
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django_q.models import OrmQ
from PIL import Image, ImageDraw

# The emulator's key in tests: shaped like a real one so leak checks mean something.
API_KEY = "sd_TopSecretKey1234567890"


def drain_queue(limit=100):
    """Run queued django-q2 tasks in order, as a worker would, until none are left."""
    ran = []
    for _ in range(limit):
        queued = OrmQ.objects.order_by("id").first()
        if queued is None:
            return ran
        task = queued.task
        queued.delete()
        pydoc.locate(task["func"])(*task["args"], **task["kwargs"])
        ran.append(task["func"])
    raise AssertionError(f"the queue did not drain after {limit} tasks: {ran[-5:]}")


def queued_funcs():
    return [queued.task["func"] for queued in OrmQ.objects.order_by("id")]


def jpeg_bytes(seed=0, size=(640, 800), **save_options):
    image = Image.new("RGB", size, ((seed * 47) % 256, (seed * 91) % 256, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100 + seed % 50, 120, 500, 600), fill=(250, (seed * 13) % 256, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", **save_options)
    return out.getvalue()


def photo_uploads(count, start=0):
    return [
        SimpleUploadedFile(f"photo-{i}.jpg", jpeg_bytes(seed=i), content_type="image/jpeg")
        for i in range(start, start + count)
    ]


def wait_for(fetch, ready, seconds=5.0):
    """Call fetch() until ready(result) is true; return the last result either way."""
    deadline = time.monotonic() + seconds
    while True:
        result = fetch()
        if ready(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


class EmulatorControl:
    """The emulator's test-only control surface under /_emulator/ (no auth, JSON)."""

    def __init__(self, base_url, api_key, media_url=None):
        self.base_url = base_url
        self.api_key = api_key
        self.media_url = media_url  # where its files are served: another origin than the API

    def call(self, method, path, data=None):
        response = requests.request(
            method, f"{self.base_url}/_emulator/{path}", json=data, timeout=10
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def reset(self):
        self.call("DELETE", "faults")
        return self.call("POST", "reset")

    def config(self, **values):
        return self.call("POST", "config", values)

    def fault(self, method, path, **rule):
        return self.call("POST", "faults", {"method": method, "path": path, **rule})

    def requests(self, method=None, path=None):
        return [
            entry
            for entry in self.call("GET", "requests")
            if (method is None or entry["method"] == method)
            and (path is None or entry["path"].removesuffix(".json") == path)
        ]

    def callbacks(self, count=0, wait=3.0):
        """The callbacks sent so far, waiting up to ``wait`` s for ``count`` of them."""
        return wait_for(lambda: self.call("GET", "callbacks"), lambda s: len(s) >= count, wait)

    def tune(self, tune_id, action, **data):
        return self.call("POST", f"tunes/{tune_id}/{action}", data)

    def prompt(self, prompt_id, action, **data):
        return self.call("POST", f"prompts/{prompt_id}/{action}", data)

    def remote_tunes(self):
        """The account's live tunes, as the API lists them."""
        return self._list("/tunes")

    def remote_prompts(self):
        """The account's live prompts, as the API lists them."""
        return self._list("/prompts")

    def _list(self, path):
        response = requests.get(
            f"{self.base_url}{path}",
            headers={"Authorization": f"Bearer {self.api_key}"},
            params={"limit": 120},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


@dataclass
class Served:
    """What the browser ends up with for a file URL: the portal's own response, and
    with a bucket, the bucket's answer to the pre-signed link it redirected to."""

    status_code: int
    headers: object
    content: bytes
    portal: object = field(repr=False)

    def __getitem__(self, name):
        return self.headers[name]


class Media:
    """Where the files of a test go: the local disk or a bucket on moto's S3 server."""

    bucket = "portal-media"
    region = "eu-central-1"
    credentials = ("testing-key", "testing-secret")

    def __init__(self, kind, location):
        self.kind = kind
        self.location = location  # MEDIA_ROOT, or the S3 endpoint

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.location,
            region_name=self.region,
            aws_access_key_id=self.credentials[0],
            aws_secret_access_key=self.credentials[1],
        )

    def reset_bucket(self):
        requests.post(f"{self.location}/moto-api/reset", timeout=10).raise_for_status()
        self.client().create_bucket(
            Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": self.region}
        )

    def files(self):
        """Every stored file's name, read from the disk or listed from the bucket itself."""
        if self.kind == "disk":
            root = Path(self.location)
            return sorted(
                str(Path(folder, name).relative_to(root))
                for folder, _, names in os.walk(root)
                for name in names
            )
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def get(self, client, url):
        """GET url with the Django test client, and follow a redirect to the bucket."""
        from django.conf import settings

        response = client.get(url)
        if self.kind == "disk" or response.status_code != 302:
            content = b"".join(response.streaming_content) if response.streaming else b""
            return Served(response.status_code, response, content, response)
        link = response["Location"]
        assert link.startswith(f"{self.location}/{self.bucket}/"), link
        assert "X-Amz-Signature=" in link
        assert (
            f"X-Amz-Expires={settings.STORAGES['default']['OPTIONS']['querystring_expire']}&"
            in link
        )
        answer = requests.get(link, timeout=10)
        return Served(answer.status_code, answer.headers, answer.content, response)
