"""Fuzz the check of downloaded images: whatever the bytes, only PictureError, in
bounded memory (the same harness as tests/tunes/test_photos_fuzz.py)."""

import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from prompts import pictures
from prompts.pictures import PictureError, inspect
from tests.fuzzing import MB, mutate, mutation, peak_memory, png_claiming
from tests.tunes.photo_fixtures import encode, picture

# As for uploads: memory follows the pixel cap (64 megapixels in production),
# so the fuzzing lowers it to keep every example under 100 MB.
FUZZ_MAX_PIXELS = 6_000_000
MAX_MEMORY = 100 * MB

_small = picture(300, 400)
SEEDS = {
    "png": encode(_small, "PNG"),
    "rgba.png": encode(_small.convert("RGBA"), "PNG"),
    "jpeg": encode(_small, "JPEG", quality=80),
    "webp": encode(_small, "WEBP"),
    "animated.webp": encode(_small, "WEBP", save_all=True, append_images=[_small.rotate(90)]),
}
sizes = st.integers(1, 2**31 - 1)

inputs = st.one_of(
    st.builds(
        lambda name, changes: mutate(SEEDS[name], changes),
        st.sampled_from(sorted(SEEDS)),
        st.lists(mutation, max_size=6),
    ),  # fmt: skip
    st.builds(png_claiming, sizes, sizes),
    st.binary(max_size=4096),
)


@pytest.fixture
def fuzz_limits(monkeypatch):
    monkeypatch.setattr(pictures, "MAX_PIXELS", FUZZ_MAX_PIXELS)


# Pillow warns about the corrupt metadata it skips; that is expected here.
@pytest.mark.filterwarnings("ignore::UserWarning")
@given(inputs)
@example(png_claiming(2**31 - 1, 2**31 - 1))
@example(SEEDS["webp"][:100])
def test_any_bytes_give_a_picture_or_a_picture_error(fuzz_limits, data):
    with peak_memory() as peak:
        try:
            picture = inspect(data)
        except PictureError:
            picture = None
    assert peak.python < MAX_MEMORY
    assert peak.rss < MAX_MEMORY, f"{peak.rss / MB:.0f} MB"
    if picture is not None:
        assert picture.thumbnail.startswith(b"\xff\xd8")
        assert Image.open(io.BytesIO(picture.thumbnail)).size[0] <= pictures.THUMBNAIL_EDGE


def test_the_seeds_are_accepted(fuzz_limits):
    for data in SEEDS.values():
        assert inspect(data).content_type.startswith("image/")


def test_a_sliver_is_refused_before_it_is_decoded(fuzz_limits):
    # 1 × 2 million pixels is under the pixel cap, but decoding it took 117 MB.
    with peak_memory() as peak, pytest.raises(pictures.PictureError, match="not a picture"):
        pictures.inspect(png_claiming(1, 2_097_149))
    assert peak.rss < 20 * MB
