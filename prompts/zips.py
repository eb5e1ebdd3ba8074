"""Readable names for downloaded images, and ZIP archives of them streamed a chunk at a time."""

import zipfile
from contextlib import closing

from django.utils import timezone
from django.utils.text import slugify

from astria_portal import serving


def tune_slug(tune):
    return slugify(tune.name) or "fine-tune"


def prompt_slug(prompt):
    """e.g. 2026-11-27-a-corporate-headshot-of-a-woman-in-a-9f2c41d0"""
    words = slugify(prompt.text)
    text = words[:40]
    if len(words) > 40 and words[40] != "-" and "-" in text:
        text = text.rsplit("-", 1)[0]  # whole words only
    text = text.strip("-") or "prompt"
    return f"{timezone.localdate(prompt.created_at):%Y-%m-%d}-{text}-{prompt.code.hex[:8]}"


def image_filename(image):
    return f"{prompt_slug(image.prompt)}-{image.position + 1:02d}.{image.extension}"


def member_name(image):
    """Where an image goes in an archive: tune folder, prompt folder, number."""
    prompt = image.prompt
    number = f"{image.position + 1:02d}.{image.extension}"
    return f"{tune_slug(prompt.tune)}/{prompt_slug(prompt)}/{number}"


class _Buffer:
    """The file zipfile writes to: it only collects bytes until the generator takes them."""

    def __init__(self):
        self._chunks = []
        self._written = 0

    def write(self, data):
        self._chunks.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self):
        # Without seek(), zipfile streams: sizes and CRCs follow each file's data.
        return self._written

    def flush(self):
        pass

    def drain(self):
        """Yield what was written since the last drain, if anything."""
        if self._chunks:
            data = b"".join(self._chunks)
            self._chunks = []
            yield data


def stream_zip(images):
    """Yield a ZIP archive of downloaded images, reading one storage chunk at a time.

    Images are already compressed, so they are stored as they are. An image whose
    file vanished meanwhile (its prompt is being deleted) is left out.
    """
    buffer = _Buffer()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for image in images:
            try:
                chunks = serving.open_chunks(image.file)
            except FileNotFoundError:
                continue
            moment = timezone.localtime(image.downloaded_at or image.prompt.created_at)
            info = zipfile.ZipInfo(member_name(image), date_time=moment.timetuple()[:6])
            info.external_attr = 0o644 << 16
            info.file_size = image.size or 0
            with closing(chunks), archive.open(info, "w") as target:
                for chunk in chunks:
                    target.write(chunk)
                    yield from buffer.drain()
            yield from buffer.drain()
    yield from buffer.drain()
