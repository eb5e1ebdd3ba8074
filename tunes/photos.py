"""Turn an uploaded training photo into a clean, metadata-free JPEG.

Uploads are untrusted bytes. See RELIABILITY.md §3.3 for why each step exists:
only four decoders are reachable, the pixel count is checked from the header
before anything is decoded, the whole image is decoded once (so truncated files
fail here and not at Astria), and the pixels are re-encoded from a fresh image
so no EXIF, GPS, XMP, ICC profile or JPEG comment survives.

It happens in two steps, so that a form is refused before any costly work where
it can be: inspect() reads each file's header and structure and hashes its bytes
(milliseconds), and sanitise() decodes and re-encodes (about 0.05 to 0.15 s of CPU
per megapixel decoded), inside preparing(), which holds one of the machine's few
upload slots (astria_portal.slots).
"""

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageFile, ImageOps

from astria_portal import slots
from tunes import truncation

logger = logging.getLogger(__name__)

# Adds a "HEIF" decoder to Pillow (HEIC is what iPhones upload).
pillow_heif.register_heif_opener()

# Everything else Pillow can decode (GIF, BMP, TIFF, PSD, FITS, ...) stays out
# of reach: fewer decoders, fewer decoder bugs reachable from an upload.
FORMATS = ["JPEG", "PNG", "WEBP", "HEIF"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
# Decoded at full size, a photo takes about 6 bytes a pixel (PNG, HEIC) to 15 (WebP,
# whose decoder holds a second copy); JPEGs decode at a reduced scale (draft()).
DEFAULT_MAX_DECODED_PIXELS = 25_000_000
DEFAULT_MIN_SIDE = 512
DEFAULT_MAX_EDGE = 2048
DEFAULT_JPEG_QUALITY = 90

SIXTEEN_BIT_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")


class PhotoError(ValidationError):
    """A photo was refused; the message names the file and is safe to show."""


@dataclass(frozen=True)
class Inspected:
    """What a photo's header and structure say, before any pixel is decoded."""

    name: str
    format: str
    size: tuple  # (width, height) as declared
    decoded_size: tuple  # what it decodes at: smaller for a JPEG
    digest: str  # hex SHA-256 of the uploaded bytes: the same file is found by this

    @property
    def decoded_pixels(self):
        return self.decoded_size[0] * self.decoded_size[1]


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes  # the re-encoded JPEG
    width: int
    height: int
    sha256: str  # hex digest of `content`; duplicates are found by this
    original_name: str  # the user's file name, only for messages; never used in a path


def preparing():
    """Hold one of this machine's upload slots while photos are decoded, or raise
    slots.Busy: a form's photos are prepared UPLOADS_AT_ONCE at a time."""
    return slots.slot("uploads", _setting("UPLOADS_AT_ONCE", 1))


def inspect(fileobj, name: str) -> Inspected:
    """Check a photo from its header and structure, without decoding it."""
    max_bytes = _setting("PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)
    if fileobj.size > max_bytes:
        raise PhotoError(
            f"{name} is larger than the maximum of {filesizeformat(max_bytes)}.",
            code="photo_too_big",
        )
    fileobj.seek(0)
    data = fileobj.read()
    try:
        image_format, size, decoded_size = _header(io.BytesIO(data), name)
        if image_format == "JPEG":
            truncation.check_jpeg(data)
    except PhotoError:
        raise
    except truncation.Truncated as exc:
        raise _truncated(name, exc) from exc
    except Exception as exc:
        raise _refused(name, exc) from exc
    return Inspected(name, image_format, size, decoded_size, hashlib.sha256(data).hexdigest())


def sanitise(fileobj, name: str, inspected: Inspected | None = None) -> CleanPhoto:
    """Validate an uploaded photo and return it re-encoded as a plain RGB JPEG."""
    # With this flag on, Pillow pads a truncated file with grey instead of
    # failing, and a broken photo would be sent to Astria. Refuse loudly.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise ImproperlyConfigured("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False.")
    inspected = inspected or inspect(fileobj, name)
    try:
        image = _decode(fileobj, inspected)
        ImageOps.exif_transpose(image, in_place=True)
        image = to_rgb(image)
        image = downscale(image, _setting("PHOTO_MAX_EDGE", DEFAULT_MAX_EDGE))
        content = encode_jpeg(image, _setting("PHOTO_JPEG_QUALITY", DEFAULT_JPEG_QUALITY))
    except PhotoError:
        raise
    except truncation.Truncated as exc:
        raise _truncated(name, exc) from exc
    except Exception as exc:
        raise _refused(name, exc) from exc

    return CleanPhoto(
        content=content,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=name,
    )


def _setting(name, default):
    # Read at call time so settings overrides apply without a restart.
    return getattr(settings, name, default)


def _refused(name, exc):
    # Decoders fail in many ways (OSError, SyntaxError, ValueError,
    # struct.error, EOFError, MemoryError, libheif errors, ...), and any
    # of them means "this file is not a usable photo". The user gets a
    # generic message; Pillow's own text stays in the log.
    logger.info("Refused photo upload: %s: %s", type(exc).__name__, exc)
    return PhotoError(_not_an_image(name), code="photo_invalid")


def _truncated(name, exc):
    logger.info("Refused a cut photo upload: %s", exc)
    return PhotoError(
        f"{name} is damaged: part of its picture is missing (was the file cut short?).",
        code="photo_truncated",
    )


def _not_an_image(name):
    return f"{name} is not a JPEG, PNG, WebP or HEIC image, or it is damaged."


def _too_many_pixels(name, max_pixels):
    return f"{name} has too many pixels; the maximum is {max_pixels / 1_000_000:g} megapixels."


def _header(fileobj, name):
    """Open with the allowed decoders and check the size from the header; return the
    format, the size and the size the photo will be decoded at."""
    max_pixels = _setting("PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    max_decoded = _setting("PHOTO_MAX_DECODED_PIXELS", DEFAULT_MAX_DECODED_PIXELS)
    min_side = _setting("PHOTO_MIN_SIDE", DEFAULT_MIN_SIDE)

    # Pillow warns about images over Image.MAX_IMAGE_PIXELS and raises over
    # twice that. Our own limit below is lower, but if PHOTO_MAX_PIXELS is
    # ever raised past Pillow's, the warning must still stop the upload.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(fileobj, formats=FORMATS) as header:
                width, height = header.size
                if width * height > max_pixels:
                    raise PhotoError(
                        _too_many_pixels(name, max_pixels), code="photo_too_many_pixels"
                    )
                if min(width, height) < min_side:
                    raise PhotoError(
                        f"{name} is {width}×{height} pixels; "
                        f"the shorter side must be at least {min_side} pixels.",
                        code="photo_too_small",
                    )
                image_format = _format(header)
                if image_format == "JPEG":
                    _reduce_jpeg(header)
                decoded = header.size
                if max_decoded and decoded[0] * decoded[1] > max_decoded:
                    raise PhotoError(_too_large_to_decode(name, image_format, max_decoded),
                                     code="photo_too_many_pixels_to_decode")  # fmt: skip
                # Checks structure and checksums without decoding the pixels.
                header.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoError(
                _too_many_pixels(name, max_pixels), code="photo_too_many_pixels"
            ) from exc
    return image_format, (width, height), decoded


def _too_large_to_decode(name, image_format, max_decoded):
    kind = {"HEIF": "HEIC"}.get(image_format, image_format)
    instead = "" if image_format == "JPEG" else ", or save it as a JPEG"
    return (
        f"{name} has too many pixels for a {kind} photo; the maximum is "
        f"{max_decoded / 1_000_000:g} megapixels. Save it smaller{instead}."
    )


def _reduce_jpeg(image):
    """libjpeg decodes at 1/2, 1/4 or 1/8 of the size for free: take the smallest that
    still covers the size the photo is stored at. A 24-megapixel photo then takes 18
    MB instead of 72, and every byte of it is still decoded. (HEIF's draft() would
    decode an embedded thumbnail instead of the picture: never for the others.)"""
    image.draft(None, fitted(image.size, _setting("PHOTO_MAX_EDGE", DEFAULT_MAX_EDGE)))


def _decode(fileobj, inspected):
    """Decode the whole picture (at a reduced scale for a JPEG) and check it is whole."""
    if inspected.format == "PNG":
        fileobj.seek(0)
        truncation.check_png(fileobj.read())
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # For animated images (APNG, animated WebP, HEIC sequences) and
        # multi-picture JPEGs this is the first frame: the other frames are
        # never decoded and never sent.
        fileobj.seek(0)
        image = Image.open(fileobj, formats=FORMATS)
        if _format(image) == "JPEG":
            _reduce_jpeg(image)
        if (_format(image), image.size) != (inspected.format, inspected.decoded_size):
            raise ValueError("the file changed between inspection and decoding")
        image.load()
    if inspected.format == "JPEG":
        truncation.check_decoded_jpeg(image)
    return image


def _format(image):
    # Pillow opens a JPEG with a second picture (some phones write one) as "MPO".
    return "JPEG" if image.format == "MPO" else image.format


def to_rgb(image):
    """Return an RGB image; transparent areas become white."""
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in SIXTEEN_BIT_MODES:
        # A plain convert() clips 16-bit values at 255 and turns the photo
        # white; scale them into 8 bits instead.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode == "RGB":
        return image  # convert() would copy it
    return image.convert("RGB")


def fitted(size, max_edge):
    """The size with the long edge at most `max_edge`, keeping the aspect ratio."""
    width, height = size
    if max(width, height) <= max_edge:
        return size
    scale = max_edge / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def downscale(image, max_edge):
    """Shrink so the long edge is at most `max_edge`, keeping the aspect ratio."""
    size = fitted(image.size, max_edge)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def encode_jpeg(image, quality):
    """Copy the pixels into a fresh image and save it as a baseline JPEG."""
    # convert() and resize() copy the `info` dict, and save() writes some of
    # it back (a JPEG COM comment survives a naive re-save). A fresh image
    # carries nothing but pixels.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=quality, optimize=True, progressive=False)
    return out.getvalue()
