"""Build test photos in memory, so no binary fixtures live in the repository."""

import io
import random
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image, ImageCms, ImageDraw

# Lets Pillow *write* HEIC in the tests (tunes.photos registers the reader too).
# This pillow-heif wheel ships the x265 encoder, so real HEIC files are built.
pillow_heif.register_heif_opener()

RED = (255, 0, 0)
BLUE = (20, 60, 200)
SKIN = (200, 150, 120)

XMP_WITH_GPS = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    'exif:GPSLatitude="48,51.4N" exif:GPSLongitude="2,21.1E"/>'
    "</rdf:RDF></x:xmpmeta>"
)
COMMENT = "Taken at 12 Secret Street"


def picture(width=600, height=800, background=SKIN):
    """Return an RGB picture with a red top-left corner, to check orientation."""
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 4, height // 4), fill=RED)
    draw.ellipse((width // 3, height // 3, 2 * width // 3, 2 * height // 3), fill=BLUE)
    return image


def encode(image, image_format, **params):
    out = io.BytesIO()
    image.save(out, format=image_format, **params)
    return out.getvalue()


def jpeg_with_metadata(image, orientation=6):
    """Return `image` as a JPEG with EXIF (GPS, Orientation), XMP, ICC and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 6.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        image, "JPEG", exif=exif, xmp=XMP_WITH_GPS.encode(), comment=COMMENT, icc_profile=icc
    )


def with_orientation(image, image_format, orientation):
    """Encode `image` with an EXIF Orientation tag (pillow-heif turns it into `irot`)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneCo"
    return encode(image, image_format, exif=exif.tobytes())


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def black_1bit_png(width, height):
    """Return a 1-bit black PNG; 15000×15000 compresses to about 27 KB."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed pixels, all zero
    compressor = zlib.compressobj(9)
    # Row by row, so building the fixture never holds the 28 MB of raw rows.
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def fits(width=600, height=600):
    """Return a valid 8-bit FITS image, a format Pillow decodes but we must not."""
    cards = [
        "SIMPLE  =                    T",
        "BITPIX  =                    8",
        "NAXIS   =                    2",
        f"NAXIS1  = {width:>20}",
        f"NAXIS2  = {height:>20}",
        "END",
    ]
    header = "".join(card.ljust(80) for card in cards).ljust(2880).encode("ascii")
    data = bytes(width * height)
    return header + data + bytes(-len(data) % 2880)


def random_bytes(size, seed=0):
    return random.Random(seed).randbytes(size)
