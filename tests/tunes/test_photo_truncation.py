"""Photos whose data ends before their picture does are refused, though Pillow decodes
them without an error (libjpeg pads a JPEG's missing blocks with grey; a PNG's missing
rows stay black); whole photos of every kind are still taken."""

import functools
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from tests.tunes import photo_fixtures as fx
from tunes import truncation
from tunes.photos import sanitise

DAMAGED = "{} is damaged: part of its picture is missing (was the file cut short?)."


def upload(data, name):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def refusal(data, name="cut.jpg"):
    with pytest.raises(Exception) as caught:
        sanitise(upload(data, name), name)
    return caught.value


def decodes_silently(data):
    """What Pillow itself makes of the file: it decodes, without an error."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@functools.cache
def scene_of(width, height):
    return fx.scene(width, height)


@pytest.fixture
def scene():
    return scene_of(1600, 1200)


@pytest.mark.parametrize(
    ("progressive", "share"),
    [
        (False, 0.1),
        (False, 0.5),
        (False, 0.9),
        # A progressive JPEG's last scan (here from 34% of the file on) only refines the
        # detail of what came before: cut inside it, the whole picture decodes a little
        # softer, and that is not told apart. Before it, whole scans are missing.
        (True, 0.05),
        (True, 0.2),
    ],
)
def test_it_refuses_a_jpeg_cut_and_ended_with_eoi(scene, share, progressive):
    data = fx.cut_with_eoi(fx.encode(scene, "JPEG", quality=90, progressive=progressive), share)
    decodes_silently(data)

    error = refusal(data, "holiday.jpg")

    assert error.code == "photo_truncated"
    assert error.messages == [DAMAGED.format("holiday.jpg")]


def test_what_a_cut_baseline_jpeg_decodes_to_is_refused_after_decoding(scene):
    # The structure of a single scan cannot tell where it was cut; the padding can.
    data = fx.cut_with_eoi(fx.encode(scene, "JPEG", quality=90), 0.5)
    truncation.check_jpeg(data)
    image = decodes_silently(data)
    assert image.getpixel((image.width - 1, image.height - 1)) == (128, 128, 128)

    with pytest.raises(truncation.Truncated):
        truncation.check_decoded_jpeg(image)


def test_it_refuses_a_small_jpeg_under_a_header_claiming_a_large_one(monkeypatch):
    data = fx.claiming_size(fx.encode(fx.scene(16, 16), "JPEG"), 4000, 4000)
    assert decodes_silently(data).size == (4000, 4000)
    loads = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: loads.append(image))

    error = refusal(data, "tiny.jpg")

    assert error.code == "photo_truncated"
    assert error.messages == [DAMAGED.format("tiny.jpg")]
    assert loads == []  # refused from its structure, before any decoding


def test_it_refuses_a_progressive_jpeg_without_its_last_scans(scene):
    data = fx.encode(scene, "JPEG", quality=90, progressive=True)
    # Cut after the first scan that refines the DC coefficients, then end the file.
    scans = [n for n in range(len(data) - 1) if data[n : n + 2] == b"\xff\xda"]
    damaged = data[: scans[len(scans) // 2]] + b"\xff\xd9"
    decodes_silently(damaged)

    assert refusal(damaged).code == "photo_truncated"


def test_it_refuses_a_png_whose_data_ends_before_its_last_row(scene):
    data = fx.png_with_rows(scene, rows=scene.height // 2)
    image = decodes_silently(data)
    assert image.getpixel((10, scene.height - 1)) == (0, 0, 0)

    error = refusal(data, "half.png")

    assert error.code == "photo_truncated"
    assert error.messages == [DAMAGED.format("half.png")]


def test_a_png_with_every_row_is_taken(scene):
    data = fx.png_with_rows(scene, rows=scene.height)

    assert sanitise(upload(data, "whole.png"), "whole.png").width == 1600


@pytest.mark.parametrize("marker", [0xC3, 0xC9, 0xCA])
def test_it_refuses_kinds_of_jpeg_no_camera_writes(marker):
    # Lossless and arithmetic-coded JPEGs have no lower bound on their data.
    data = bytearray(fx.encode(fx.picture(), "JPEG"))
    data[data.index(b"\xff\xc0") + 1] = marker

    assert refusal(bytes(data)).code == "photo_invalid"


@pytest.mark.parametrize(
    "params",
    [
        {"quality": 95},
        {"quality": 75, "optimize": True},
        {"quality": 30},
        {"quality": 90, "progressive": True},
        {"quality": 60, "progressive": True, "optimize": True},
        {"quality": 90, "subsampling": 0},
        {"quality": 90, "subsampling": 1},
        {"quality": 85, "restart_marker_blocks": 4},
    ],
    ids=lambda params: "-".join(f"{key}={value}" for key, value in params.items()),
)
@pytest.mark.parametrize("size", [(640, 512), (1600, 1200), (3000, 4200)])
def test_whole_jpegs_are_taken(params, size):
    data = fx.encode(scene_of(*size), "JPEG", **params)

    photo = sanitise(upload(data, "whole.jpg"), "whole.jpg")

    assert max(photo.width, photo.height) == min(2048, max(size))


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_whole_greyscale_and_cmyk_jpegs_are_taken(scene, mode):
    data = fx.encode(scene.convert(mode), "JPEG", quality=90)

    assert sanitise(upload(data, "whole.jpg"), "whole.jpg").width == 1600


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_cut_greyscale_and_cmyk_jpegs_are_refused(scene, mode):
    data = fx.cut_with_eoi(fx.encode(scene.convert(mode), "JPEG", quality=90), 0.5)
    decodes_silently(data)

    assert refusal(data).code == "photo_truncated"


def test_a_jpeg_with_bytes_after_its_end_is_taken(scene):
    # Some cameras append data after the picture; it is not part of it.
    data = fx.encode(scene, "JPEG", quality=90) + b"\xff\xd8trailer" + bytes(5000)

    assert sanitise(upload(data, "camera.jpg"), "camera.jpg").width == 1600
