"""Tune request fields and tune records (§3.1, §4); render.py turns records into JSON."""

from . import fields
from .bodies import UploadedFile
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
    """Validate the `tune` hash of a create request; return its normalised fields.

    Raises fields.Invalid with every field's errors, inline prompts' included
    (named "prompts.text" as Rails names a nested model's).
    """
    form = fields.Form(attrs)
    title, name = (_required(form, key) for key in ("title", "name"))
    files, urls = _images(form)
    model_type = form.read(fields.choice, "model_type", MODEL_TYPES)
    count = len(files) + len(urls)
    if count == 0:
        form.add("images", "must contain at least one image")
    elif model_type != "faceid" and count < MIN_IMAGES:
        form.add("images", f"must contain at least {MIN_IMAGES} images")
    prompts = []
    for hash_ in as_list(attrs.get("prompts_attributes")):
        if not isinstance(hash_, dict):
            form.add("prompts_attributes", "must be hashes")
            continue
        try:
            prompts.append(read_prompt(hash_, inline=True, prefix="prompts."))
        except fields.Invalid as exc:
            form.merge(exc)
    values = {
        "title": title,
        "name": name,
        "files": files,
        "image_urls": urls,
        "model_type": model_type,
        "callback": form.read(fields.text, "callback") or None,
        "prompts_callback": form.read(fields.text, "prompts_callback") or None,
        "branch": form.read(fields.choice, "branch", BRANCHES),
        "base_tune_id": form.read(fields.integer, "base_tune_id"),
        "token": form.read(fields.text, "token") or None,
        "steps": form.read(fields.integer, "steps", None, 1, 100_000),
        "face_crop": form.read(fields.boolean, "face_crop", False),
        "training_face_correct": form.read(fields.boolean, "training_face_correct", False),
        "preset": form.read(fields.choice, "preset", PRESETS),
        "auto_extend": form.read(fields.boolean, "auto_extend", False),
        "characteristics": form.read(fields.mapping, "characteristics") or None,
        "prompts": prompts,
    }
    form.check()
    return values


def read_tune_update(attrs):
    """Validate a PATCH: only the fields Astria's CLI edits, each optional."""
    form = fields.Form(attrs)
    values = {}
    for key in ("title", "name"):
        if key in attrs:
            values[key] = _required(form, key)
    if "auto_extend" in attrs:
        values["auto_extend"] = form.read(fields.boolean, "auto_extend", False)
    if "characteristics" in attrs:
        values["characteristics"] = form.read(fields.mapping, "characteristics") or None
    form.check()
    return values


def _required(form, key):
    value = (form.read(fields.text, key) or "").strip()
    if not value and key not in form.errors:
        form.add(key, "can't be blank")
    return value


def _images(form):
    files, urls = [], []
    for item in _listed(form.params.get("images")):
        if isinstance(item, UploadedFile):
            files.append(item)
        elif isinstance(item, str) and item:
            urls.append(item)  # a JSON body can only name images by URL
    for item in _listed(form.params.get("image_urls")):
        if not isinstance(item, str):
            form.add("image_urls", "must be strings")
        elif item:
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
    """Store a new tune; `values["branch"]` is already resolved (request, base, or sd15).

    Training begins on a tick at least min(1 s, train_seconds / 5) after the
    create (a real create answers `started_training_at: null`) and ends at `eta`.
    """
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
        "prompts_callback": values["prompts_callback"],
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
        "failed_at": None,
        "created_at": now,
        "updated_at": now,
        "started_training_at": None,
        "eta": due,
        "trained_at": None,
        "expires_at": None,
        "checkpoint_deleted_at": None,
        "start_due": now + int(min(1.0, train_seconds / 5) * 1000),
        "train_due": due,
        "gallery": False,
        "deleted_at": None,
        "expired": False,
        "failed": None,  # internal: the failure signal once failed, "silent" included
        "fail_message": None,
        "fail_with": None,
        "callback_due": False,
    }
    for upload in values["files"]:
        key = state.store_file(upload.data, sniff_content_type(upload.data, upload.content_type))
        record["orig_images"].append({"key": key, "filename": upload.filename})
    # URLs are recorded, never fetched: nothing here may touch the network.
    record["orig_images"].extend({"url": url} for url in values["image_urls"])
    state.tunes[record["id"]] = record
    return record
