"""Tune request fields, tune records, and the tune JSON object (§3.1, §4)."""

from . import fields
from .bodies import UploadedFile
from .clock import iso
from .images import sniff_content_type
from .params import as_list
from .prompt_records import read_prompt

BRANCHES = {
    "flux1",
    "sd15",
    "sdxl1",
    "fast",
    "sd21",
    "protogen34",
    "openjourney2",
    "gemini-2",
    "partner-1",
    "flux-pro1",
}
MODEL_TYPES = {"lora", "pti", "faceid"}
PRESETS = {"flux-lora-focus", "flux-lora-portrait", "flux-lora-fast"}
MIN_IMAGES = 4  # for everything but FaceID, which works from a single photo


def read_tune(attrs):
    """Validate the `tune` hash of a create request; return its normalised fields."""
    title = (fields.text(attrs, "title") or "").strip()
    if not title:
        raise fields.Invalid("Title can't be blank")
    name = (fields.text(attrs, "name") or "").strip()
    if not name:
        raise fields.Invalid("Name can't be blank")
    files, urls = _images(attrs)
    model_type = fields.choice(attrs, "model_type", MODEL_TYPES)
    count = len(files) + len(urls)
    if count == 0:
        raise fields.Invalid("Images can't be blank")
    if model_type != "faceid" and count < MIN_IMAGES:
        raise fields.Invalid(f"At least {MIN_IMAGES} images are required")
    prompts = []
    for hash_ in as_list(attrs.get("prompts_attributes")):
        if not isinstance(hash_, dict):
            raise fields.Invalid("Prompts attributes must be hashes")
        prompts.append(read_prompt(hash_, inline=True))
    return {
        "title": title,
        "name": name,
        "files": files,
        "image_urls": urls,
        "model_type": model_type,
        "callback": fields.text(attrs, "callback") or None,
        "branch": fields.choice(attrs, "branch", BRANCHES),
        "base_tune_id": fields.integer(attrs, "base_tune_id"),
        "token": fields.text(attrs, "token") or None,
        "steps": fields.integer(attrs, "steps", None, 1, 100_000),
        "face_crop": fields.boolean(attrs, "face_crop", False),
        "training_face_correct": fields.boolean(attrs, "training_face_correct", False),
        "preset": fields.choice(attrs, "preset", PRESETS),
        "auto_extend": fields.boolean(attrs, "auto_extend", False),
        "characteristics": fields.mapping(attrs, "characteristics") or {},
        "prompts": prompts,
    }


def read_tune_update(attrs):
    """Validate a PATCH: only the fields Astria's CLI edits, each optional."""
    values = {}
    for key in ("title", "name"):
        if key in attrs:
            value = (fields.text(attrs, key) or "").strip()
            if not value:
                raise fields.Invalid(f"{key.capitalize()} can't be blank")
            values[key] = value
    if "auto_extend" in attrs:
        values["auto_extend"] = fields.boolean(attrs, "auto_extend", False)
    if "characteristics" in attrs:
        values["characteristics"] = fields.mapping(attrs, "characteristics") or {}
    return values


def _images(attrs):
    files, urls = [], []
    for item in _listed(attrs.get("images")):
        if isinstance(item, UploadedFile):
            files.append(item)
        elif isinstance(item, str) and item:
            urls.append(item)  # a JSON body can only name images by URL
    for item in _listed(attrs.get("image_urls")):
        if not isinstance(item, str):
            raise fields.Invalid("Image urls must be strings")
        if item:
            urls.append(item)
    return files, urls


def _listed(value):
    if value is None:
        return []
    if isinstance(value, dict):
        return as_list(value)
    return value if isinstance(value, list) else [value]


def default_token(branch):
    return "ohwx" if branch in ("sdxl1", "flux1", "flux-pro1") else "sks"


def new_record(state, values, base, cost_mc, train_seconds, now):
    """Store a new tune; `values["branch"]` is already resolved (request, base, or sd15)."""
    branch = values["branch"]
    model_type = values["model_type"]
    if branch == "sdxl1" and model_type != "faceid":
        model_type = "pti"  # "SDXL1 forces pti" (§3.1)
    due = now + int(train_seconds * 1000)
    record = {
        "id": state.take_tune_id(),
        "title": values["title"],
        "name": values["name"],
        "is_api": True,
        "token": values["token"] or default_token(base["branch"] if base else branch),
        "callback": values["callback"],
        "branch": branch,
        "base_tune_id": base["id"] if base else None,
        "model_type": model_type,
        "steps": values["steps"],
        "face_crop": values["face_crop"],
        "training_face_correct": values["training_face_correct"],
        "preset": values["preset"],
        "auto_extend": values["auto_extend"],
        "characteristics": values["characteristics"],
        "orig_images": [],
        "cost_mc": cost_mc,
        "user_error": None,
        "created_at": now,
        "updated_at": now,
        "started_training_at": now,
        "eta": due,
        "trained_at": None,
        "expires_at": None,
        "train_due": due,
        "gallery": False,
        "deleted_at": None,
        "expired": False,
        "fail_with": None,
        "callback_due": False,
    }
    for upload in values["files"]:
        key = state.store_file(upload.data, sniff_content_type(upload.data, upload.content_type))
        record["orig_images"].append({"key": key})
    # URLs are recorded, never fetched: nothing here may touch the network.
    record["orig_images"].extend({"url": url} for url in values["image_urls"])
    state.tunes[record["id"]] = record
    return record


def tune_json(state, tune):
    """Render a tune record as the API's tune object."""
    trained = tune["trained_at"] is not None
    ckpt_url = state.url("/mock") if trained and tune["model_type"] != "faceid" else None
    if tune["gallery"]:
        ckpt_url = None
    return {
        "id": tune["id"],
        "title": tune["title"],
        "name": tune["name"],
        "is_api": tune["is_api"],
        "token": tune["token"],
        "eta": iso(tune["eta"]),
        "callback": tune["callback"],
        "trained_at": iso(tune["trained_at"]),
        "started_training_at": iso(tune["started_training_at"]),
        "expires_at": iso(tune["expires_at"]),
        "created_at": iso(tune["created_at"]),
        "updated_at": iso(tune["updated_at"]),
        "model_type": tune["model_type"],
        "base_tune_id": tune["base_tune_id"],
        "branch": tune["branch"],
        "args": None,
        "steps": tune["steps"],
        "face_crop": tune["face_crop"],
        "training_face_correct": tune["training_face_correct"],
        "preset": tune["preset"],
        "auto_extend": tune["auto_extend"],
        "characteristics": tune["characteristics"],
        "ckpt_url": ckpt_url,
        "ckpt_urls": [ckpt_url] if ckpt_url else [],
        "url": state.url(f"/tunes/{tune['id']}.json"),
        "orig_images": [_image_url(state, image) for image in tune["orig_images"]],
        "cost_mc": tune["cost_mc"],
        "user_error": tune["user_error"],
    }


def _image_url(state, image):
    return state.file_url(image["key"]) if "key" in image else image["url"]
