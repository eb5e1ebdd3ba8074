"""Draw the mock output images: real PNGs, the same bytes every time for a prompt."""

import colorsys
import io
import random
import re

from PIL import Image, ImageDraw, ImageFont, ImageOps

LONG_EDGE = 512  # keep mock images small; the portal only needs to show them
LEGACY_ARS = {"1:1": (1, 1), "portrait": (2, 3), "16:9": (16, 9), "landscape": (3, 2)}
_AR_FLAG = re.compile(r"--ar\s+(\d+):(\d+)")
_MAX_LINES = 7


def image_size(prompt):
    """Pick the output size from w/h, aspect_ratio, a `--ar W:H` flag, or legacy `ar`."""
    if prompt.get("w") and prompt.get("h"):
        width, height = prompt["w"], prompt["h"]
        if max(width, height) <= LONG_EDGE:
            return width, height
        return _scaled(width, height)
    if prompt.get("aspect_ratio"):
        width, height = (int(part) for part in prompt["aspect_ratio"].split(":"))
        return _scaled(width, height)
    flag = _AR_FLAG.search(prompt.get("text") or "")
    if flag and int(flag.group(1)) > 0 and int(flag.group(2)) > 0:
        return _scaled(int(flag.group(1)), int(flag.group(2)))
    return _scaled(*LEGACY_ARS.get(prompt.get("ar") or "1:1", (1, 1)))


def _scaled(width, height):
    """Scale a ratio so its long edge is LONG_EDGE, each side a multiple of 8."""
    scale = LONG_EDGE / max(width, height)
    return max(8, round(width * scale / 8) * 8), max(8, round(height * scale / 8) * 8)


def render_png(prompt_id, index, count, text, size):
    """Draw image `index` (0-based) of `count` for a prompt; deterministic in all arguments."""
    width, height = size
    rng = random.Random(f"astria-emulator:{prompt_id}:{index}")
    hue = rng.random()
    first, second, accent = (_colour(hue + shift, rng) for shift in (0.0, 0.18, 0.5))

    gradient = Image.linear_gradient("L").rotate(rng.choice([0, 90, 180, 270]))
    picture = ImageOps.colorize(gradient.resize((width, height)), first, second).convert("RGBA")

    shapes = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(rng.randint(3, 6)):
        radius = rng.randint(min(width, height) // 10, min(width, height) // 3)
        x, y = rng.randint(0, width), rng.randint(0, height)
        fill = (*_colour(hue + rng.uniform(-0.25, 0.25), rng), rng.randint(50, 120))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)
    picture = Image.alpha_composite(picture, shapes)
    # A soft glow of the complementary colour keeps the centre from looking flat.
    glow = ImageOps.invert(Image.radial_gradient("L")).point(lambda value: value * 2 // 5)
    accent_layer = Image.new("RGBA", (width, height), (*accent, 255))
    picture = Image.composite(accent_layer, picture, glow.resize((width, height)))

    _draw_caption(picture, f"prompt {prompt_id} · image {index + 1}/{count}", text)
    output = io.BytesIO()
    picture.convert("RGB").save(output, format="PNG")
    return output.getvalue()


def _colour(hue, rng):
    red, green, blue = colorsys.hsv_to_rgb(
        hue % 1.0, rng.uniform(0.35, 0.65), rng.uniform(0.7, 0.95)
    )
    return int(red * 255), int(green * 255), int(blue * 255)


def _draw_caption(picture, heading, text):
    width, height = picture.size
    size = max(10, width // 30)
    font = ImageFont.load_default(size=size)
    small = ImageFont.load_default(size=max(8, size * 3 // 4))
    panel = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(panel)
    margin = max(6, width // 32)
    lines = _wrap(draw, text, font, width - 4 * margin)
    line_height = size + size // 3
    top = height - margin - (len(lines) + 1) * line_height - 2 * margin
    draw.rounded_rectangle(
        (margin, max(margin, top), width - margin, height - margin),
        radius=margin,
        fill=(12, 16, 28, 150),
    )
    y = max(margin, top) + margin
    draw.text((2 * margin, y), heading, font=small, fill=(255, 255, 255, 170))
    for line in lines:
        y += line_height
        draw.text((2 * margin, y), line, font=font, fill=(255, 255, 255, 235))
    picture.alpha_composite(panel)


def _wrap(draw, text, font, max_width):
    """Greedy word wrap by rendered width, cut to a few lines with an ellipsis."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES]
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 1)] + "…"
    return lines or [""]


def sniff_content_type(data, declared):
    """Name an upload's type from its bytes, falling back to what the client declared."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = Image.MIME.get(image.format)
    except Exception:  # Pillow raises many types for bytes it cannot read
        mime = None
    return mime or declared or "application/octet-stream"
