"""Build test photos in memory, so no binary fixtures live in the repository."""

import io
import random
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageDraw

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


def scene(width=1200, height=900, seed=0):
    """Return a photo-like RGB picture: shapes over a gradient, and a camera's noise."""
    image = picture(width, height, background=(120 + seed % 100, 140, 160))
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = [Image.effect_noise((width, height), 12 + band) for band in range(3)]
    bands = [ImageChops.add(ImageChops.multiply(band, gradient), noise[n], 1.5, -40)
             for n, band in enumerate(image.split())]  # fmt: skip
    return Image.merge(
        "RGB", [ImageChops.blend(a, b, 0.5) for a, b in zip(image.split(), bands, strict=True)]
    )


def cut_with_eoi(jpeg, share):
    """Return the first `share` of a JPEG's bytes, ended with an EOI marker (FF D9)."""
    return jpeg[: int(len(jpeg) * share)] + b"\xff\xd9"


def claiming_size(jpeg, width, height):
    """Return the JPEG with its frame header (SOF) claiming another size."""
    position = 2
    while True:
        marker = jpeg[position + 1]
        (length,) = struct.unpack(">H", jpeg[position + 2 : position + 4])
        if marker in (0xC0, 0xC1, 0xC2):
            size = struct.pack(">HH", height, width)
            return jpeg[: position + 5] + size + jpeg[position + 9 :]
        position += 2 + length


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


def png_with_rows(image, rows):
    """Return a PNG of `image` whose compressed data is whole but holds only its first
    `rows` rows: Pillow decodes it without an error, the other rows black."""
    raw = image.convert("RGB").tobytes()
    stride = 3 * image.width
    filtered = b"".join(b"\0" + raw[y * stride : (y + 1) * stride] for y in range(rows))
    ihdr = struct.pack(">IIBBBBB", image.width, image.height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(filtered))
        + png_chunk(b"IEND", b"")
    )


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
