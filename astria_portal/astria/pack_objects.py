"""Astria's pack and photo-inspection answers, parsed as tolerantly as objects.py parses
tunes and prompts (ASTRIA_API.md §9.1, §9.2; docs/astria.md, "Packs")."""

import json
from dataclasses import dataclass, field
from datetime import datetime

from .errors import InvalidResponse
from .objects import _bool, _id, _int, _str, _time, _unwrap


@dataclass(frozen=True)
class RemotePack:
    """A pack from ``GET /packs``, ``GET /gallery/packs`` or ``GET /p/:id`` (§9.1).

    ``costs`` maps a class name to ``(cost, num_images)`` and ``prompts`` to the
    pack's prompt count for that class; the list items carry neither, only
    ``cost_mc_hash`` (millicents per class).
    """

    id: int
    slug: str = ""
    title: str = ""
    cover_url: str | None = None
    model_type: str | None = None
    base_tune_id: int | None = None
    public_at: datetime | None = None
    unlisted_at: datetime | None = None
    cost_mc: tuple[tuple[str, int], ...] = ()
    costs: tuple[tuple[str, int | None, int | None], ...] = ()
    prompts: tuple[tuple[str, int], ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def class_names(self):
        names = [name for name, *_ in self.costs] + [name for name, _ in self.prompts]
        names += [name for name, _ in self.cost_mc]
        return tuple(dict.fromkeys(names))

    def num_images(self, class_name=None):
        """Images the pack makes for a class (the largest of its classes if None)."""
        counts = {name: n for name, _, n in self.costs if n is not None}
        if class_name is not None:
            return counts.get(class_name)
        return max(counts.values(), default=None)

    def prompt_count(self, class_name=None):
        counts = dict(self.prompts)
        if class_name is not None:
            return counts.get(class_name)
        return max(counts.values(), default=None)


def parse_pack(data):
    raw = _unwrap(data, "pack")
    costs = []
    if isinstance(raw.get("costs"), dict):
        for name, value in raw["costs"].items():
            if isinstance(name, str) and isinstance(value, dict):
                costs.append((name, _int(value.get("cost")), _int(value.get("num_images"))))
    prompts = []
    if isinstance(raw.get("prompts_per_class"), dict):
        for name, value in raw["prompts_per_class"].items():
            if isinstance(name, str) and isinstance(value, list):
                prompts.append((name, sum(1 for item in value if isinstance(item, dict))))
    cost_mc = []
    if isinstance(raw.get("cost_mc_hash"), dict):
        for name, value in raw["cost_mc_hash"].items():
            if isinstance(name, str) and _int(value) is not None:
                cost_mc.append((name, _int(value)))
    return RemotePack(
        id=_id(raw),
        slug=_str(raw.get("slug")) or "",
        title=_str(raw.get("title")) or "",
        cover_url=_str(raw.get("cover_url")),
        model_type=_str(raw.get("model_type")),
        base_tune_id=_int(raw.get("base_tune_id")),
        public_at=_time(raw.get("public_at")),
        unlisted_at=_time(raw.get("unlisted_at")),
        cost_mc=tuple(cost_mc),
        costs=tuple(costs),
        prompts=tuple(prompts),
        raw=raw,
    )


# The findings of POST /images/inspect (§9.2) and what the portal shows for each.
INSPECTION_FINDINGS = {
    "blurry": "blurry",
    "includes_multiple_people": "several people",
    "wearing_sunglasses": "sunglasses",
    "wearing_hat": "a hat",
    "funny_face": "a funny face",
    "full_body_image_or_longshot": "a full-body shot",
    "selfie": "a selfie",
    "low_resolution": "low resolution",
    "low_quality": "low quality",
}
# The string characteristics it returns, sent back as tune[characteristics].
CHARACTERISTICS = (
    "age",
    "body_type",
    "ethnicity",
    "eye_color",
    "facial_hair",
    "glasses",
    "hair_color",
    "hair_length",
    "hair_style",
    "headcover",
    "is_bald",
)
MAX_CHARACTERISTIC = 60


@dataclass(frozen=True)
class Inspection:
    """Astria's answer for one photo: findings (True keys) and characteristics.

    ``name`` is the class Astria saw ("" or "NONE" when it saw none).
    """

    name: str | None = None
    findings: tuple[str, ...] = ()
    characteristics: tuple[tuple[str, str], ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)


def parse_inspection(data):
    """Any key may be missing; "" and "NONE" mean none; unknown keys are ignored."""
    if not isinstance(data, dict):
        raise InvalidResponse(f"expected a JSON object, got {type(data).__name__}")
    findings = tuple(key for key in INSPECTION_FINDINGS if _bool(data.get(key)) is True)
    characteristics = []
    for key in CHARACTERISTICS:
        value = _str(data.get(key))
        if value and value.strip() and value.strip().upper() != "NONE":
            characteristics.append((key, " ".join(value.split())[:MAX_CHARACTERISTIC]))
    name = _str(data.get("name"))
    return Inspection(
        name=name.strip() if name else None,
        findings=findings,
        characteristics=tuple(characteristics),
        raw=data,
    )


def read_characteristics(text):
    """The characteristics a browser sends back after inspection, as a JSON object:
    only the keys Astria returns, short plain strings; anything else is dropped
    (inspection is advice, so a bad value never refuses a form)."""
    try:
        data = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    kept = {}
    for key in CHARACTERISTICS:
        value = data.get(key)
        if isinstance(value, str) and value.strip() and value.strip().upper() != "NONE":
            value = " ".join(value.split())[:MAX_CHARACTERISTIC]
            if not any(char in value for char in "{}<>[]"):
                kept[key] = value
    return kept
