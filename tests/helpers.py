"""Shared test helpers: run queued tasks, make photos, talk to the emulator."""

import io
import pydoc

import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django_q.models import OrmQ
from PIL import Image, ImageDraw


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


class EmulatorControl:
    """The emulator's test-only control surface under /_emulator/."""

    def __init__(self, base_url):
        self.base_url = base_url

    def _call(self, method, path, **kwargs):
        response = requests.request(
            method, f"{self.base_url}/_emulator/{path}", timeout=10, **kwargs
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self):
        return self._call("POST", "reset")

    def config(self, **changes):
        return self._call("POST", "config", json=changes)

    def fault(self, **rule):
        return self._call("POST", "faults", json=rule)

    def requests(self, method=None, path=None):
        log = self._call("GET", "requests")
        return [
            entry
            for entry in log
            if (method is None or entry["method"] == method)
            and (path is None or entry["path"].removesuffix(".json") == path)
        ]

    def callbacks(self):
        return self._call("GET", "callbacks")

    def tune(self, tune_id, action, **data):
        return self._call("POST", f"tunes/{tune_id}/{action}", json=data)

    def remote_tunes(self, api_key):
        response = requests.get(
            f"{self.base_url}/tunes",
            headers={"Authorization": f"Bearer {api_key}"},
            params={"limit": 120},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()
