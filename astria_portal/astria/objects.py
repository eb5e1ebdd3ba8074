"""Astria's tune, prompt and account objects, parsed tolerantly at the boundary.

Parsing accepts what the real service may send (ASTRIA_API.md §15): numbers as
strings, missing optional fields, unknown extra fields, a wrapped ``{"tune": {...}}``
or a bare object. It rejects only what nobody can act on: no positive integer id
that fits a database's 64-bit integer, or a body nested too deeply to parse. A
number or time out of any usable range reads as missing.
"""

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .errors import InvalidResponse

RETENTION = timedelta(days=30)
MILLICENTS_PER_DOLLAR = 100_000
ADAPTER_TAG = re.compile(r"<[^>]*:(\d+):")
FAILED_WITHOUT_MESSAGE = "Astria marked it as failed without saying why."
# Names under which Astria's records carry a failure message (docs/astria.md).
FAILURE_MESSAGES = ("user_error", "fail_message")
# What a BigIntegerField holds; an id or count beyond that is no real one.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Later than this is no real time, and adding a retention period to it would overflow.
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RemoteTune:
    id: int
    title: str = ""
    name: str | None = None
    token: str | None = None
    branch: str | None = None
    model_type: str | None = None
    base_tune_id: int | None = None
    callback: str | None = None
    steps: int | None = None
    face_crop: bool | None = None
    cost_mc: int | None = None
    eta: datetime | None = None
    started_training_at: datetime | None = None
    trained_at: datetime | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    user_error: str | None = None
    failed_at: datetime | None = None
    ckpt_url: str | None = None
    ckpt_urls: tuple[str, ...] = ()
    orig_images: tuple[str, ...] = ()
    url: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_trained(self):
        return self.trained_at is not None

    @property
    def is_failed(self):
        """Astria says training failed: ``user_error`` or ``failed_at`` (docs/astria.md)."""
        return (bool(self.user_error) or self.failed_at is not None) and not self.is_trained

    @property
    def failure(self):
        """What to tell the owner of a failed tune, in Astria's words where it gave any."""
        return self.user_error or FAILED_WITHOUT_MESSAGE

    def is_expired(self, now=None):
        now = now or datetime.now(UTC)
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class RemotePrompt:
    id: int
    tune_id: int | None = None
    text: str = ""
    negative_prompt: str | None = None
    callback: str | None = None
    num_images: int | None = None
    seed: int | None = None
    steps: int | None = None
    cfg_scale: float | None = None
    aspect_ratio: str | None = None
    ar: str | None = None
    w: int | None = None
    h: int | None = None
    super_resolution: bool | None = None
    cost_mc: int | None = None
    images: tuple[str, ...] = ()
    tune_ids: tuple[int, ...] = ()  # the fine-tunes it uses, from its "tunes" list
    user_error: str | None = None
    failed_at: datetime | None = None
    started_training_at: datetime | None = None
    trained_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    url: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_done(self):
        """Finished with images (ASTRIA_API.md §6.2)."""
        return self.trained_at is not None and bool(self.images)

    @property
    def is_failed(self):
        """Astria says it failed (``user_error`` or ``failed_at``) and it has no images."""
        return (bool(self.user_error) or self.failed_at is not None) and not self.images

    @property
    def failure(self):
        return self.user_error or FAILED_WITHOUT_MESSAGE

    @property
    def user_tune_id(self):
        """The user's tune: the id in a ``<lora:ID:w>`` tag, else the one fine-tune of
        its ``tunes`` list (thin bodies may lack the text), else ``tune_id``."""
        if referenced_tune_id(self.text):
            return referenced_tune_id(self.text)
        if len(self.tune_ids) == 1:
            return self.tune_ids[0]
        return self.tune_id


@dataclass(frozen=True)
class Account:
    id: int | None = None
    email: str | None = None
    name: str | None = None
    usd_balance_mc: int | None = None
    auto_extend_tunes: bool | None = None
    top_off_amount: int | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def balance_usd(self):
        if self.usd_balance_mc is None:
            return None
        return Decimal(self.usd_balance_mc) / MILLICENTS_PER_DOLLAR


def lora_tag(tune_id, weight=1):
    return f"<lora:{int(tune_id)}:{weight}>"


def faceid_tag(tune_id):
    return f"<faceid:{int(tune_id)}:1>"


def referenced_tune_id(text):
    """The tune id inside the first ``<lora:ID:w>`` / ``<faceid:ID:1>`` tag, or None."""
    match = ADAPTER_TAG.search(text or "")
    return _int(match.group(1)) if match else None


def parse_tune(data):
    """Parse a tune from an API answer or a callback body (wrapped or bare)."""
    raw = _unwrap(data, "tune")
    trained_at = _time(raw.get("trained_at"))
    expires_at = _time(raw.get("expires_at"))
    if expires_at is None and trained_at is not None:
        expires_at = trained_at + RETENTION
    return RemoteTune(
        id=_id(raw),
        title=_str(raw.get("title")) or "",
        name=_str(raw.get("name")),
        token=_str(raw.get("token")),
        branch=_str(raw.get("branch")),
        model_type=_str(raw.get("model_type")),
        base_tune_id=_int(raw.get("base_tune_id")),
        callback=_str(raw.get("callback")),
        steps=_int(raw.get("steps")),
        face_crop=_bool(raw.get("face_crop")),
        cost_mc=_int(raw.get("cost_mc")),
        eta=_time(raw.get("eta")),
        started_training_at=_time(raw.get("started_training_at")),
        trained_at=trained_at,
        expires_at=expires_at,
        created_at=_time(raw.get("created_at")),
        updated_at=_time(raw.get("updated_at")),
        user_error=_failure_message(raw),
        failed_at=_time(raw.get("failed_at")),
        ckpt_url=_str(raw.get("ckpt_url")),
        ckpt_urls=_strings(raw.get("ckpt_urls")),
        orig_images=_strings(raw.get("orig_images")),
        url=_str(raw.get("url")),
        raw=raw,
    )


def parse_prompt(data):
    """Parse a prompt from an API answer or a callback body (wrapped or bare)."""
    if isinstance(data, list):
        # Astria's CLI takes element [0] when a create answers with an array.
        if not data:
            raise InvalidResponse("expected a prompt, got an empty array")
        data = data[0]
    raw = _unwrap(data, "prompt")
    return RemotePrompt(
        id=_id(raw),
        tune_id=_int(raw.get("tune_id")),
        text=_str(raw.get("text")) or "",
        negative_prompt=_str(raw.get("negative_prompt")),
        callback=_str(raw.get("callback")),
        num_images=_int(raw.get("num_images")),
        seed=_int(raw.get("seed")),
        steps=_int(raw.get("steps")),
        cfg_scale=_float(raw.get("cfg_scale")),
        aspect_ratio=_str(raw.get("aspect_ratio")),
        ar=_str(raw.get("ar")),
        w=_int(raw.get("w")),
        h=_int(raw.get("h")),
        super_resolution=_bool(raw.get("super_resolution")),
        cost_mc=_int(raw.get("cost_mc")),
        images=_strings(raw.get("images")),
        tune_ids=_tune_ids(raw.get("tunes")),
        user_error=_failure_message(raw),
        failed_at=_time(raw.get("failed_at")),
        started_training_at=_time(raw.get("started_training_at")),
        trained_at=_time(raw.get("trained_at")),
        created_at=_time(raw.get("created_at")),
        updated_at=_time(raw.get("updated_at")),
        url=_str(raw.get("url")),
        raw=raw,
    )


def parse_account(data):
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    raw = _unwrap(data, "user")
    return Account(
        id=_int(raw.get("id")),
        email=_str(raw.get("email")),
        name=_str(raw.get("name")),
        usd_balance_mc=_int(raw.get("usd_balance_mc")),
        auto_extend_tunes=_bool(raw.get("auto_extend_tunes")),
        top_off_amount=_int(raw.get("top_off_amount")),
        raw=raw,
    )


def _tune_ids(value):
    if not isinstance(value, list):
        return ()
    ids = (_int(item.get("id")) for item in value if isinstance(item, dict))
    return tuple(tune_id for tune_id in ids if tune_id and tune_id > 0)


def _failure_message(raw):
    for name in FAILURE_MESSAGES:
        message = _str(raw.get(name))
        if message and message.strip():
            return message.strip()
    return None


def _unwrap(data, root):
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except ValueError:
            raise InvalidResponse(f"expected a JSON {root}, got unparseable text") from None
        except RecursionError:
            raise InvalidResponse(f"expected a JSON {root}, got one nested too deeply") from None
    if isinstance(data, dict) and "id" not in data and isinstance(data.get(root), dict):
        data = data[root]
    if not isinstance(data, dict):
        raise InvalidResponse(f"expected a JSON object for a {root}, got {type(data).__name__}")
    return data


def _id(raw):
    value = _int(raw.get("id"))
    if value is None or value <= 0:
        raise InvalidResponse(f"no integer id in {_preview(raw)}")
    return value


def _int(value):
    """An integer that fits a BigIntegerField, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            # int() first: float() would round ids above 2**53.
            value = int(value.strip())
        except ValueError:
            value = _float(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and INT_MIN <= value <= INT_MAX:
        return value
    return None


def _float(value):
    """A finite float, else None (JSON text may say NaN, Infinity or 1e999)."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip())
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def _str(value):
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _strings(value):
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _time(value):
    """An aware UTC datetime from ISO-8601 (``Z`` or an offset, with or without ms)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed < LATEST else None


def _preview(raw):
    try:
        return json.dumps(raw, default=str)[:200]
    except RecursionError:
        return "a body nested too deeply to show"
