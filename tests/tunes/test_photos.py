import hashlib
import io
import struct
import tracemalloc
import warnings

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image, ImageFile

from tests.tunes import photo_fixtures as fx
from tunes.photos import CleanPhoto, PhotoError, sanitise

NOT_AN_IMAGE = "{} is not a JPEG, PNG, WebP or HEIC image, or it is damaged."
TOO_MANY_PIXELS = "{} has too many pixels; the maximum is 40 megapixels."


def upload(data, name="me.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def sof_marker(content):
    """Return the JPEG start-of-frame marker (0xC0 is baseline, 0xC2 progressive)."""
    position = 2
    while True:
        marker = content[position + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        position += 2 + length


def open_clean(photo):
    """Check that `photo` is a decodable baseline RGB JPEG and return it opened."""
    assert isinstance(photo, CleanPhoto)
    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()
    assert sof_marker(photo.content) == 0xC0
    image = Image.open(io.BytesIO(photo.content), formats=["JPEG"])
    image.load()
    assert image.mode == "RGB"
    assert image.size == (photo.width, photo.height)
    assert "progressive" not in image.info
    return image


def assert_colour(actual, expected, tolerance=16):
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), actual


def rejection(data, name="me.jpg"):
    with pytest.raises(PhotoError) as caught:
        sanitise(upload(data, name), name)
    return caught.value


# Accepted formats and modes


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_it_accepts_the_allowed_formats(image_format):
    data = fx.encode(fx.picture(), image_format)

    photo = sanitise(upload(data, "selfie.img"), "selfie.img")

    image = open_clean(photo)
    assert (photo.width, photo.height) == (600, 800)
    assert photo.original_name == "selfie.img"
    assert_colour(image.getpixel((10, 10)), fx.RED)
    assert_colour(image.getpixel((300, 400)), fx.BLUE)


def test_it_flattens_png_transparency_onto_white():
    image = Image.new("RGBA", (600, 800), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (300, 0, 600, 800))
    data = fx.encode(image, "PNG")

    clean = open_clean(sanitise(upload(data, "alpha.png"), "alpha.png"))

    assert_colour(clean.getpixel((10, 400)), (255, 255, 255))
    assert_colour(clean.getpixel((590, 400)), fx.RED)


@pytest.mark.parametrize(
    ("mode", "fill", "image_format", "params", "expected"),
    [
        ("1", 1, "PNG", {}, (255, 255, 255)),
        ("L", 128, "PNG", {}, (128, 128, 128)),
        ("LA", (0, 0), "PNG", {}, (255, 255, 255)),
        ("P", 0, "PNG", {"transparency": 0}, (255, 255, 255)),
        ("CMYK", (0, 255, 255, 0), "JPEG", {}, (255, 0, 0)),
        # A 16-bit grey of 40000 is 156 in 8 bits; a plain convert() gives 255.
        ("I;16", 40000, "PNG", {}, (156, 156, 156)),
    ],
)
def test_it_converts_other_modes_to_rgb(mode, fill, image_format, params, expected):
    data = fx.encode(Image.new(mode, (512, 512), fill), image_format, **params)

    clean = open_clean(sanitise(upload(data), "me.jpg"))

    assert_colour(clean.getpixel((100, 100)), expected, tolerance=3)


def test_it_reads_a_large_upload_from_its_temporary_file():
    data = fx.encode(fx.picture(), "JPEG")
    with TemporaryUploadedFile("big.jpg", "image/jpeg", len(data), None) as uploaded:
        uploaded.write(data)  # left at the end of the file, as after a form read it

        photo = sanitise(uploaded, "big.jpg")

        assert not uploaded.closed
    assert (photo.width, photo.height) == (600, 800)
    open_clean(photo)


# APNG, animated WebP, a HEIC sequence, and the multi-picture JPEG some phones write.
@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "HEIF", "MPO"])
def test_it_keeps_only_the_first_frame_of_an_animation(image_format):
    frames = [fx.picture(600, 600, background=colour) for colour in [(0, 200, 0), (0, 0, 0)]]
    data = fx.encode(frames[0], image_format, save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(data)).n_frames == 2

    clean = open_clean(sanitise(upload(data), "me.jpg"))

    assert_colour(clean.getpixel((590, 590)), (0, 200, 0))


# Refused files


@pytest.mark.parametrize(
    ("image_format", "params"),
    [
        ("GIF", {}),
        ("BMP", {}),
        ("TIFF", {}),
        ("ICO", {"sizes": [(256, 256)]}),
        ("JPEG2000", {}),
        ("AVIF", {}),
    ],
)
def test_it_refuses_valid_images_in_other_formats(image_format, params):
    data = fx.encode(fx.picture(), image_format, **params)
    Image.open(io.BytesIO(data)).load()  # Pillow itself would decode it

    error = rejection(data, "photo.jpg")

    assert error.code == "photo_invalid"
    assert error.messages == [NOT_AN_IMAGE.format("photo.jpg")]


def test_it_refuses_fits():
    # FITS is the format of GHSA-whj4-6x5x-4v2j; Pillow decodes it when unrestricted.
    data = fx.fits()
    Image.open(io.BytesIO(data)).load()

    assert rejection(data, "stars.jpg").code == "photo_invalid"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(fx.random_bytes(50_000), id="random"),
        pytest.param(fx.encode(fx.picture(), "PDF"), id="pdf"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', id="svg"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", id="html-with-png-magic"
        ),
        pytest.param(b"\xff\xd8\xff\xe0" + fx.random_bytes(5000), id="jpeg-magic-then-noise"),
    ],
)
def test_it_refuses_files_that_are_not_images(data):
    error = rejection(data, "holiday.pdf.jpg")

    assert error.code == "photo_invalid"
    assert error.messages == [NOT_AN_IMAGE.format("holiday.pdf.jpg")]


def test_it_strips_a_script_hidden_in_a_valid_png():
    script = b"<script>alert(document.cookie)</script>"
    png = fx.encode(fx.picture(), "PNG")
    # A text chunk before the pixels and trailing bytes after IEND.
    polyglot = png[:33] + fx.png_chunk(b"tEXt", b"Comment\0" + script) + png[33:] + script

    photo = sanitise(upload(polyglot, "page.png"), "page.png")

    open_clean(photo)
    assert b"<script" not in photo.content


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_it_refuses_a_truncated_image(image_format):
    data = fx.encode(fx.picture(), image_format)

    error = rejection(data[: len(data) * 2 // 3], "cut.jpg")

    assert error.code == "photo_invalid"
    assert error.messages == [NOT_AN_IMAGE.format("cut.jpg")]


def test_it_refuses_a_png_with_a_bad_checksum():
    # Only verify() checks PNG checksums; decoding alone accepts this file.
    png = fx.encode(fx.picture(), "PNG")
    idat = png.index(b"IDAT")
    crc = idat + 4 + int.from_bytes(png[idat - 4 : idat], "big")
    corrupted = png[:crc] + bytes(4) + png[crc + 4 :]
    Image.open(io.BytesIO(corrupted)).load()

    assert rejection(corrupted, "flipped.png").code == "photo_invalid"


def test_it_refuses_to_run_if_truncated_images_are_allowed(monkeypatch):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImproperlyConfigured):
        sanitise(upload(fx.encode(fx.picture(), "JPEG")), "me.jpg")


def test_it_refuses_a_file_over_the_byte_limit(settings):
    data = fx.encode(fx.picture(), "PNG")
    settings.PHOTO_MAX_BYTES = len(data)
    sanitise(upload(data), "me.png")

    settings.PHOTO_MAX_BYTES = len(data) - 1
    error = rejection(data, "me.png")

    assert error.code == "photo_too_big"
    assert error.messages[0].startswith("me.png is larger than the maximum of ")


def test_it_checks_the_byte_size_before_decoding():
    data = bytes(20 * 1024 * 1024 + 1)  # not an image: it must never get that far

    error = rejection(data, "huge.jpg")

    assert error.code == "photo_too_big"
    assert error.messages == ["huge.jpg is larger than the maximum of 20.0\xa0MB."]


def test_it_refuses_a_photo_below_the_minimum_side():
    sanitise(upload(fx.encode(fx.picture(512, 800), "JPEG")), "ok.jpg")

    error = rejection(fx.encode(fx.picture(800, 511), "JPEG"), "tiny.jpg")

    assert error.code == "photo_too_small"
    assert error.messages == [
        "tiny.jpg is 800×511 pixels; the shorter side must be at least 512 pixels."
    ]


# Decompression bombs (R23)


@pytest.mark.parametrize(
    ("side", "expected_data_size"),
    [
        pytest.param(15000, range(20_000, 35_000), id="225-megapixels"),
        pytest.param(7000, range(1, 10_000), id="49-megapixels"),
    ],
)
def test_it_refuses_a_decompression_bomb_before_decoding(monkeypatch, side, expected_data_size):
    data = fx.black_1bit_png(side, side)
    assert len(data) in expected_data_size
    uploaded = upload(data, "bomb.png")
    # tracemalloc only sees Python's allocator, not Pillow's pixel buffers,
    # so also prove that no decoder ran.
    loads = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: loads.append(image))

    tracemalloc.start()
    try:
        with pytest.raises(PhotoError) as caught:
            sanitise(uploaded, "bomb.png")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.code == "photo_too_many_pixels"
    assert caught.value.messages == [TOO_MANY_PIXELS.format("bomb.png")]
    assert peak < 50 * 1024 * 1024
    assert loads == []


def test_it_treats_pillows_bomb_warning_as_an_error(settings, monkeypatch):
    # With our own limit raised past Pillow's, Pillow's warning must still stop it.
    settings.PHOTO_MAX_PIXELS = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 400_000)
    data = fx.encode(fx.picture(), "PNG")  # 400,000 < 600×800 < twice that

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # so only sanitise() can make it an error
        error = rejection(data, "big.png")

    assert error.code == "photo_too_many_pixels"


# Metadata, orientation and size


def test_it_strips_metadata_and_applies_the_orientation():
    data = fx.jpeg_with_metadata(fx.picture(800, 600))
    with Image.open(io.BytesIO(data)) as original:  # the fixture really has it all
        assert original.getexif()[274] == 6
        assert {"exif", "xmp", "comment", "icc_profile"} <= original.info.keys()
    assert fx.COMMENT.encode() in data

    photo = sanitise(upload(data, "phone.jpg"), "phone.jpg")

    clean = open_clean(photo)
    assert not clean.getexif()
    assert not {"exif", "xmp", "comment", "icc_profile"} & clean.info.keys()
    for marker in [b"xmpmeta", b"Exif", b"GPS", b"PhoneCo", fx.COMMENT.encode()]:
        assert marker not in photo.content
    # Orientation 6 means "rotate 90° clockwise to display": the red top-left
    # corner of the stored pixels ends up top-right.
    assert (photo.width, photo.height) == (600, 800)
    assert_colour(clean.getpixel((590, 10)), fx.RED)
    assert_colour(clean.getpixel((10, 10)), fx.SKIN)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "HEIF"])
def test_it_applies_the_orientation_in_other_formats(image_format):
    data = fx.with_orientation(fx.picture(800, 600), image_format, 6)

    photo = sanitise(upload(data), "me.img")

    clean = open_clean(photo)
    assert (photo.width, photo.height) == (600, 800)
    assert_colour(clean.getpixel((590, 10)), fx.RED)
    assert not clean.getexif()
    assert b"PhoneCo" not in photo.content


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3000, 4000), (1536, 2048)),
        ((4000, 3000), (2048, 1536)),
        ((2048, 2048), (2048, 2048)),
        ((600, 800), (600, 800)),
    ],
)
def test_it_downscales_to_the_maximum_edge(size, expected):
    data = fx.encode(fx.picture(*size), "JPEG")

    photo = sanitise(upload(data), "me.jpg")

    assert (photo.width, photo.height) == expected
    assert_colour(open_clean(photo).getpixel((10, 10)), fx.RED)


def test_it_decodes_a_large_jpeg_at_a_reduced_scale(monkeypatch):
    decoded = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or load(self)
    )
    data = fx.encode(fx.picture(4400, 3000), "JPEG")

    photo = sanitise(upload(data), "camera.jpg")

    # Half the size still covers 2048 x 1396, a quarter would not.
    assert set(decoded) == {(2200, 1500)}
    assert (photo.width, photo.height) == (2048, 1396)
    clean = open_clean(photo)
    assert_colour(clean.getpixel((10, 10)), fx.RED)
    assert_colour(clean.getpixel((1024, 698)), fx.BLUE)


def test_it_refuses_a_truncated_jpeg_decoded_at_a_reduced_scale():
    data = fx.encode(fx.picture(4400, 3000), "JPEG")

    error = rejection(data[: len(data) * 2 // 3], "cut.jpg")

    assert error.code == "photo_invalid"


def test_it_downscales_with_a_smoothing_filter(settings):
    settings.PHOTO_MAX_EDGE = 600
    stripes = Image.frombytes("L", (1200, 1200), bytes([0, 255]) * 600 * 1200)
    data = fx.encode(stripes, "PNG")

    photo = sanitise(upload(data), "me.png")

    # Averaging 1-pixel stripes gives grey; dropping every other column would
    # leave them all black or all white.
    assert (photo.width, photo.height) == (600, 600)
    assert_colour(open_clean(photo).getpixel((300, 300)), (128, 128, 128), tolerance=20)


def test_it_uses_the_configured_jpeg_quality(settings):
    data = fx.encode(fx.picture(), "PNG")
    settings.PHOTO_JPEG_QUALITY = 95
    fine = sanitise(upload(data), "me.png")
    settings.PHOTO_JPEG_QUALITY = 20
    coarse = sanitise(upload(data), "me.png")

    assert len(coarse.content) < len(fine.content)


# Duplicates


def test_the_same_picture_with_different_metadata_has_the_same_hash():
    image = fx.picture()
    plain = sanitise(upload(fx.encode(image, "PNG")), "a.png")
    tagged = sanitise(upload(fx.with_orientation(image, "PNG", 1)), "b.png")
    # Stored sideways with an Orientation tag: upright after exif_transpose.
    sideways = image.transpose(Image.Transpose.ROTATE_90)
    rotated = sanitise(upload(fx.with_orientation(sideways, "PNG", 6)), "c.png")

    assert plain.sha256 == tagged.sha256 == rotated.sha256

    other = sanitise(upload(fx.encode(fx.picture(background=(90, 90, 90)), "PNG")), "d.png")
    assert other.sha256 != plain.sha256


def test_the_same_jpeg_with_and_without_metadata_has_the_same_hash():
    image = fx.picture()
    tagged = sanitise(upload(fx.jpeg_with_metadata(image, orientation=1)), "a.jpg")
    bare = sanitise(upload(fx.encode(image, "JPEG")), "b.jpg")

    assert tagged.sha256 == bare.sha256


# Error messages


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(fx.encode(fx.picture(), "GIF"), id="unidentified"),
        pytest.param(fx.encode(fx.picture(), "JPEG")[:4000], id="truncated"),
        pytest.param(fx.encode(fx.picture(), "PNG")[:-2000], id="truncated-png"),
        pytest.param(fx.black_1bit_png(15000, 15000), id="bomb"),
    ],
)
def test_error_messages_name_the_file_but_not_pillows_own_text(data):
    error = rejection(data, "cat.jpg")

    assert error.messages in (
        [NOT_AN_IMAGE.format("cat.jpg")],
        [TOO_MANY_PIXELS.format("cat.jpg")],
    )
    pillow_message = str(error.__cause__)
    assert pillow_message  # there was an internal message to hide
    assert pillow_message not in str(error)
