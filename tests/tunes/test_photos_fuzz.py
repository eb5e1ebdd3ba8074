"""Fuzz the upload validator: whatever the bytes, only PhotoError, in bounded memory.

Mutated real JPEG, PNG, WebP and HEIC files, headers claiming any size, and
random bytes go through tunes.photos.sanitise. How many examples, and how long
each may take, is the Hypothesis profile's (tests/conftest.py: "ci" in CI).
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from tests.fuzzing import MB, jpeg_claiming, mutate, mutation, peak_memory, png_claiming
from tests.tunes.photo_fixtures import encode, jpeg_with_metadata, picture, with_orientation
from tunes.photos import PhotoError, sanitise

# Memory is bounded by the pixel caps, not by what a file claims: at worst about
# 15 bytes per decoded pixel (a WebP's decoder holds the picture twice), so about
# 390 MB at the default PHOTO_MAX_DECODED_PIXELS of 25 megapixels (bench.uploads
# --format webp). The fuzzing runs with a 6-megapixel cap, which keeps every
# example under 100 MB.
FUZZ_MAX_PIXELS = 6_000_000
MAX_MEMORY = 100 * MB


def _seeds():
    small = picture(512, 640)
    return {
        "jpeg": jpeg_with_metadata(small),
        "progressive.jpg": encode(small, "JPEG", progressive=True, quality=70),
        "cmyk.jpg": encode(small.convert("CMYK"), "JPEG"),
        "rgba.png": encode(small.convert("RGBA"), "PNG"),
        "16bit.png": encode(small.convert("I;16"), "PNG"),
        "palette.png": encode(small.convert("P"), "PNG", transparency=0),
        "webp": with_orientation(small, "WEBP", 8),
        "heic": with_orientation(small, "HEIF", 6),
    }


SEEDS = _seeds()
names = st.sampled_from(sorted(SEEDS))
sizes = st.integers(1, 65_535)  # the most a JPEG or HEIC header can say

inputs = st.one_of(
    st.builds(
        lambda name, changes: mutate(SEEDS[name], changes), names, st.lists(mutation, max_size=6)
    ),
    st.builds(png_claiming, sizes, sizes),
    st.builds(lambda w, h: jpeg_claiming(SEEDS["jpeg"], w, h), sizes, sizes),
    st.builds(
        lambda magic, rest: magic + rest,
        st.sampled_from(
            [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\0\0\0\0WEBPVP8 ", b"\0\0\0\x18ftypheic"]
        ),
        st.binary(max_size=2048),
    ),  # fmt: skip
    st.binary(max_size=4096),
)


@pytest.fixture
def fuzz_limits(settings):
    settings.PHOTO_MAX_PIXELS = FUZZ_MAX_PIXELS


def check(data):
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    with peak_memory() as peak:
        try:
            photo = sanitise(upload, "photo.jpg")
        except PhotoError:
            photo = None
    assert peak.python < MAX_MEMORY
    assert peak.rss < MAX_MEMORY, f"{peak.rss / MB:.0f} MB"
    if photo is not None:
        assert photo.content.startswith(b"\xff\xd8")
        assert max(photo.width, photo.height) <= 2048


# Pillow warns about the corrupt metadata it skips; that is expected here.
@pytest.mark.filterwarnings("ignore::UserWarning")
@given(inputs)
@example(png_claiming(65535, 65535))
@example(png_claiming(2449, 2449))  # just under the fuzzing cap, with almost no data
@example(SEEDS["heic"][:200])
def test_any_bytes_give_a_clean_photo_or_a_photo_error(fuzz_limits, data):
    check(data)


def test_the_worst_photo_under_the_cap_stays_in_bounds(fuzz_limits):
    """A valid, transparent PNG right at the cap: every pixel is decoded and converted."""
    out = io.BytesIO()
    Image.new("RGBA", (2000, 3000), (10, 20, 30, 128)).save(out, "PNG")
    check(out.getvalue())


def test_the_seeds_are_accepted(fuzz_limits):
    """The fuzzing starts from files the validator takes, so mutations reach the decoders."""
    for name, data in SEEDS.items():
        photo = sanitise(SimpleUploadedFile(name, data), name)
        assert Image.open(io.BytesIO(photo.content)).format == "JPEG"
