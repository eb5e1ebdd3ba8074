"""Check that a downloaded image decodes, and make its thumbnail.

The bytes come from Astria's media host, which we trust more than an upload
but not blindly: only three decoders, a pixel cap checked from the header,
a full decode (a truncated file fails here), and the thumbnail is re-encoded
from fresh pixels.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from tunes.photos import downscale, encode_jpeg, to_rgb

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_PIXELS = 64_000_000
# No generated image is narrower than this; a sliver of a million rows costs Pillow
# far more memory per pixel than a picture (a buffer per row).
MAX_ASPECT = 20
THUMBNAIL_EDGE = 480


class PictureError(ValueError):
    pass


@dataclass(frozen=True)
class Picture:
    content_type: str
    width: int
    height: int
    thumbnail: bytes


def inspect(content):
    """Return a Picture for image bytes, or raise PictureError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=list(FORMATS)) as header:
                width, height = header.size
                if width * height > MAX_PIXELS:
                    raise PictureError(f"the image has {width}×{height} pixels, too many")
                if max(width, height) > MAX_ASPECT * min(width, height):
                    raise PictureError(f"the image is {width}×{height} pixels, not a picture")
                header.verify()
            with Image.open(io.BytesIO(content), formats=list(FORMATS)) as image:
                image.load()
                content_type = FORMATS[image.format]
                small = downscale(to_rgb(image), THUMBNAIL_EDGE)
                thumbnail = encode_jpeg(small, 82)
        except PictureError:
            raise
        except Exception as exc:
            raise PictureError(f"the file is not a usable image ({type(exc).__name__})") from None
    return Picture(content_type=content_type, width=width, height=height, thumbnail=thumbnail)
