"""I1 `POST /images/inspect`: multipart `name` (the class) and `file` (ASTRIA_API.md §9.2).

The answer is a flat object as astria-docs `docs/api/4-images/1-inspect.md` shows
it (snapshot 5704e937): string characteristics, `""` for none as in its sample,
and boolean findings. The emulator looks at the pixels, deterministically, so a
test can make a photo that is flagged:

* `blurry`: little edge energy (the mean of Pillow's FIND_EDGES on a grey copy);
* `wearing_hat`: a patch of marker red (about 230+, <60, <60) in the top third;
* `wearing_sunglasses`: a patch of marker blue (<60, <60, 230+);
* `includes_multiple_people`: a patch of marker green (<60, 230+, <60);
* `full_body_image_or_longshot`: a portrait more than twice as tall as wide;
* `low_resolution`: a short side under 512 px.

Characteristics (age, eye and hair colour, ...) come from the bytes' digest, so the
same photo always gets the same ones. `file_url` is refused: nothing here fetches.
"""

import hashlib
import io

from PIL import Image, ImageFilter, ImageStat

from .bodies import UploadedFile
from .wire import error, json_response

CLASSES = ("man", "woman", "boy", "girl", "baby", "cat", "dog")
BLUR_EDGE_MEAN = 4.0
MARKER_SHARE = 0.02  # of the pixels looked at
SAMPLE_EDGE = 256
MAX_PIXELS = 40_000_000
AGES = ("20 yo", "30 yo", "40 yo", "50 yo")
EYES = ("blue eyes", "brown eyes", "green eyes", "gray eyes")
HAIR = ("black hair", "brown hair", "blonde hair", "red hair")
LENGTHS = ("short hair", "medium hair", "long hair")


def inspect_image(state, request):
    params = request.params()
    name = params.get("name")
    upload = params.get("file")
    if not isinstance(name, str) or not name.strip():
        return json_response(422, {"name": ["can't be blank"]})
    if not isinstance(upload, UploadedFile):
        if params.get("file_url"):
            return error(422, "file_url could not be fetched")
        return json_response(422, {"file": ["can't be blank"]})
    try:
        findings = inspect_bytes(upload.data)
    except ValueError as exc:
        return error(422, str(exc))
    digest = hashlib.sha256(upload.data).digest()
    body = {
        "name": name if name in CLASSES else "NONE",
        "age": AGES[digest[0] % len(AGES)],
        "eye_color": EYES[digest[1] % len(EYES)],
        "hair_color": HAIR[digest[2] % len(HAIR)],
        "hair_length": LENGTHS[digest[3] % len(LENGTHS)],
        "glasses": "",
        "facial_hair": "",
        "is_bald": "",
        "ethnicity": "",
        **findings,
    }
    return json_response(200, body)


def inspect_bytes(data):
    """The boolean findings for an image's bytes; ValueError if it is no image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValueError("image is too large")
            image.draft("RGB", (SAMPLE_EDGE, SAMPLE_EDGE))
            small = image.convert("RGB")
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError("file is not an image") from exc
    small.thumbnail((SAMPLE_EDGE, SAMPLE_EDGE))
    edges = small.convert("L").filter(ImageFilter.FIND_EDGES)
    top = small.crop((0, 0, small.width, max(1, small.height // 3)))
    return {
        "blurry": ImageStat.Stat(edges).mean[0] < BLUR_EDGE_MEAN,
        "wearing_hat": _marker(top, lambda r, g, b: r >= 230 and g < 60 and b < 60),
        "wearing_sunglasses": _marker(small, lambda r, g, b: b >= 230 and r < 60 and g < 60),
        "includes_multiple_people": _marker(small, lambda r, g, b: g >= 230 and r < 60 and b < 60),
        "full_body_image_or_longshot": height > 2 * width,
        "funny_face": False,
        "selfie": False,
        "low_resolution": min(width, height) < 512,
        "low_quality": False,
    }


def _marker(image, matches):
    data = image.convert("RGB").tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    hits = sum(1 for r, g, b in pixels if matches(r, g, b))
    return hits >= MARKER_SHARE * len(pixels)
