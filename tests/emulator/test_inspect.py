"""POST /images/inspect: the documented flat object, findings read from the pixels."""

import io

from PIL import Image, ImageDraw


def _jpeg(size=(640, 800), stripes=True, patch=None, where=(180, 0, 460, 140)):
    image = Image.new("RGB", size, (120, 110, 100))
    draw = ImageDraw.Draw(image)
    if stripes:
        for x in range(0, size[0], 16):
            draw.line((x, 0, x, size[1]), fill=(240, 240, 240), width=2)
    if patch:
        draw.rectangle(where, fill=patch)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def _inspect(api, content, name="woman"):
    return api.post("/images/inspect", data={"name": name}, files={"file": ("a.jpg", content)})


def _flags(body):
    return sorted(key for key, value in body.items() if value is True)


def test_a_sharp_plain_photo_has_no_findings_and_stable_characteristics(api):
    first = _inspect(api, _jpeg())
    assert first.status_code == 200
    body = first.json()
    assert _flags(body) == []
    assert body["name"] == "woman" and body["age"].endswith(" yo")
    assert body["glasses"] == ""  # "" for none, as the docs' sample has it
    assert _inspect(api, _jpeg()).json() == body


def test_markers_and_shapes_flag_what_they_stand_for(api):
    assert _flags(_inspect(api, _jpeg(patch=(255, 0, 0))).json()) == ["wearing_hat"]
    assert _flags(_inspect(api, _jpeg(patch=(0, 0, 255))).json()) == ["wearing_sunglasses"]
    green = _inspect(api, _jpeg(patch=(0, 255, 0))).json()
    assert _flags(green) == ["includes_multiple_people"]
    # Red low in the picture is no hat.
    low = _jpeg(patch=(255, 0, 0), where=(180, 660, 460, 800))
    assert _flags(_inspect(api, low).json()) == []
    assert _flags(_inspect(api, _jpeg(stripes=False)).json()) == ["blurry"]
    tall = _inspect(api, _jpeg(size=(520, 1200))).json()
    assert _flags(tall) == ["full_body_image_or_longshot"]
    small = _inspect(api, _jpeg(size=(400, 480))).json()
    assert _flags(small) == ["low_resolution"]


def test_bad_requests_are_refused(api):
    assert _inspect(api, b"not an image").status_code == 422
    assert api.post("/images/inspect", data={"name": "man"}).status_code == 422
    assert _inspect(api, _jpeg(), name="").status_code == 422
