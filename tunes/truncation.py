"""Find photos whose data ends before their picture does.

Pillow refuses most cut files, but two kinds decode without a word:

- A JPEG whose data stops at a marker (a cut file ended with FF D9, or a small
  picture under a header that claims a large one). libjpeg warns, which Pillow does
  not pass on, and decodes the missing blocks as zeros: flat grey (128) from the cut
  to the end of the scan. In a progressive JPEG the scans after the cut are missing,
  and the picture decodes blurred or without colour.
- A PNG whose compressed data ends cleanly before the last row: the missing rows
  stay zero (black, or transparent).

WebP and HEIC decoders check their own lengths, and refuse a cut file.

So the structure is read first, cheaply: a JPEG's scans must carry at least one bit
for every block whose DC coefficient they code (the shortest Huffman code), and
bring every component and every coefficient they begin to its last bit; a PNG's
data must inflate to all of its rows. After decoding, a JPEG whose last row ends
in a run of exact mid-grey is refused too: that is what a cut in a single scan
leaves, and a photo of a real scene never has it (its noise alone varies the
pixels). See tests/tunes/test_photo_truncation.py.
"""

import re
import struct
import zlib
from dataclasses import dataclass, field

# libjpeg decodes arithmetic-coded, lossless and hierarchical JPEGs (or refuses them)
# too, but no camera or browser writes them and their data has no such lower bound:
# only Huffman-coded sequential and progressive JPEGs are taken.
HUFFMAN_FRAMES = {0xC0: "baseline", 0xC1: "extended", 0xC2: "progressive"}
OTHER_FRAMES = {0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# In entropy-coded data FF is followed by 00 (a stuffed byte), D0-D7 (a restart
# marker) or more FF (fill); anything else is the marker that ends the scan.
SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
PADDING_RUN = 32  # decoded pixels of exact mid-grey that end the last row of a cut JPEG
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7: (first column, first row, column step, row step) of each pass.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]  # fmt: skip
INFLATE_CHUNK = 1 << 20


class Truncated(Exception):
    """The file ends, or its data ends, before the picture it declares."""


@dataclass
class _Frame:
    kind: int = 0
    width: int = 0
    height: int = 0
    components: dict = field(default_factory=dict)  # id -> (h, v)


def check_decoded_jpeg(image):
    """Raise Truncated if a decoded JPEG ends in the flat grey that missing data decodes to."""
    if image.width < PADDING_RUN:
        return
    tail = image.crop((image.width - PADDING_RUN, image.height - 1, image.width, image.height))
    colours = tail.getcolors(1)  # None unless every pixel of the run is the same
    if colours and _is_mid_grey(colours[0][1]):
        raise Truncated("the last row of the decoded JPEG ends in flat mid-grey")


def _is_mid_grey(pixel):
    values = pixel if isinstance(pixel, tuple) else (pixel,)
    # 128 in YCbCr and greyscale JPEGs; 127 once an Adobe CMYK JPEG's inversion is undone.
    return all(value in (127, 128) for value in values)


# JPEG


def check_jpeg(data):
    """Raise Truncated if the JPEG's scans cannot code every block of its frame (and
    ValueError for a kind of JPEG that is not taken).

    Only what the structure proves counts: a file that just ends, or that cannot be
    followed, is left to the decoder, which refuses it.
    """
    structure = _jpeg_structure(data)
    if structure is None:
        return
    frame, scans = structure
    if frame.kind not in HUFFMAN_FRAMES:
        raise ValueError(f"JPEG frame type {frame.kind:#x} is not taken")
    hmax = max(h for h, _ in frame.components.values())
    vmax = max(v for _, v in frame.components.values())
    blocks = {
        cid: _ceil(_ceil(frame.width * h, hmax), 8) * _ceil(_ceil(frame.height * v, vmax), 8)
        for cid, (h, v) in frame.components.items()
    }
    # The lowest successive-approximation bit each (component, coefficient) reached.
    lowest = {}
    for components, start, end, _high, low, size in scans:
        coded = sum(blocks.get(cid, 0) for cid in components)
        if start == 0 and 8 * size < coded:
            raise Truncated(f"a scan of {size} bytes cannot code the DC of {coded} blocks")
        for cid in components:
            for k in range(start, end + 1):
                lowest[cid, k] = min(low, lowest.get((cid, k), low))
    for cid in frame.components:
        if lowest.get((cid, 0)) != 0:
            raise Truncated(f"component {cid} is missing")
    if any(low != 0 for low in lowest.values()):
        raise Truncated("a progressive JPEG stops before its last scans")


def _jpeg_structure(data):
    """The frame and the scans (components, Ss, Se, Ah, Al, bytes) up to the first EOI,
    or None if the file ends first or cannot be followed."""
    frame, scans, pos = None, [], 2
    try:
        while True:
            # Like libjpeg, skip stray bytes and fill bytes before a marker.
            pos = data.index(b"\xff", pos)
            while data[pos + 1] == 0xFF:
                pos += 1
            marker = data[pos + 1]
            if marker == 0xD9:  # EOI
                break
            if marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            (length,) = struct.unpack_from(">H", data, pos + 2)
            segment = data[pos + 4 : pos + 2 + length]
            pos += 2 + length
            if marker in HUFFMAN_FRAMES or marker in OTHER_FRAMES:
                frame = _parse_frame(marker, segment)
            elif marker == 0xDA:  # SOS: the scan's header, then its data up to a marker
                found = SCAN_END.search(data, pos)
                if found is None:
                    return None
                scans.append((*_parse_scan(segment), found.start() - pos))
                pos = found.start()
    except (IndexError, ValueError, struct.error):
        return None
    if frame is None or not frame.components or not scans:
        return None
    return frame, scans


def _parse_frame(marker, segment):
    _precision, height, width, count = struct.unpack_from(">BHHB", segment)
    components = {}
    for n in range(count):
        cid, sampling, _table = struct.unpack_from(">BBB", segment, 6 + 3 * n)
        h, v = sampling >> 4, sampling & 0x0F
        if not (1 <= h <= 4 and 1 <= v <= 4):
            raise ValueError("bad sampling factors")
        components[cid] = (h, v)
    return _Frame(marker, width, height, components)


def _parse_scan(segment):
    count = segment[0]
    components = [segment[1 + 2 * n] for n in range(count)]
    start, end, approximation = segment[1 + 2 * count : 4 + 2 * count]
    if not 0 <= start <= end <= 63:
        raise ValueError("bad spectral selection")
    return components, start, end, approximation >> 4, approximation & 0x0F


# PNG


def check_png(data):
    """Raise Truncated unless the PNG's image data (IDAT) inflates to every row declared."""
    pos, expected, inflater, total = 8, None, zlib.decompressobj(), 0
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        chunk = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            expected = _png_bytes(*struct.unpack_from(">IIBBBBB", chunk))
        elif kind == b"IDAT":
            total += _inflated_size(inflater, chunk, expected - total if expected else 0)
        elif kind == b"IEND":
            break
        if expected is not None and total >= expected:
            return
    raise Truncated(f"the PNG's data ends after {total} of {expected} bytes")


def _inflated_size(inflater, chunk, wanted):
    """Bytes that `chunk` inflates to, stopping once `wanted` have come out; in steps,
    so that only INFLATE_CHUNK bytes of output are held at a time."""
    size = 0
    while size < wanted and not inflater.eof:
        out = inflater.decompress(chunk, INFLATE_CHUNK)
        chunk = inflater.unconsumed_tail
        size += len(out)
        if not out and not chunk:
            break
    return size


def _png_bytes(width, height, depth, colour, _compression, _filter, interlace):
    """Bytes of filtered rows that width x height pixels take (a filter byte a row)."""
    bits = depth * PNG_CHANNELS.get(colour, 4)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    total = 0
    for column, row, column_step, row_step in passes:
        columns = _ceil(max(0, width - column), column_step)
        rows = _ceil(max(0, height - row), row_step)
        if columns and rows:
            total += rows * (1 + _ceil(columns * bits, 8))
    return total


def _ceil(numerator, denominator):
    return -(-numerator // denominator)
