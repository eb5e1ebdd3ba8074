"""Prompt request fields and prompt records (§3.2, §5); render.py turns records into JSON."""

import re

from . import fields

ASPECT_RATIOS = {"1:1", "16:9", "9:16", "21:9", "9:21", "3:2", "2:3", "5:4", "4:5", "4:3", "3:4"}
LEGACY_ARS = {"1:1", "portrait", "16:9", "landscape"}
SCHEDULERS = {
    "euler",
    "euler_a",
    "dpm++2m_karras",
    "dpm++sde_karras",
    "dpm++2m",
    "dpm++sde",
    "lcm",
    "tcd",
}
COLOR_GRADINGS = {"Film Velvia", "Film Portra", "Ektar"}
STYLES = {
    "Cinematic",
    "Animated",
    "Digital Art",
    "Photographic",
    "Fantasy art",
    "Neonpunk",
    "Enhance",
    "Comic book",
    "Lowpoly",
    "Line art",
}
CONTROLNETS = {
    "composition",
    "reference",
    "segroom",
    "ipadapter",
    "lineart",
    "canny",
    "depth",
    "mlsd",
    "hed",
    "pose",
    "tile",
    "qr",
}
BOOLEANS = (
    "super_resolution",
    "inpaint_faces",
    "hires_fix",
    "face_correct",
    "face_swap",
    "use_lpw",
    "film_grain",
    "controlnet_txt2img",
    "prompt_expansion",
)
# The attribute set compared by idempotent prompt creation (§8).
IDEMPOTENCY_FIELDS = (
    "text",
    "tune_id",
    "cfg_scale",
    "steps",
    "seed",
    "callback",
    "negative_prompt",
    "super_resolution",
    "face_correct",
    "ar",
    "num_images",
    "controlnet",
    "denoising_strength",
    "use_lpw",
    "controlnet_conditioning_scale",
    "w",
    "h",
    "hires_fix",
    "scheduler",
    "controlnet_txt2img",
    "inpaint_faces",
)
DEFAULT_NUM_IMAGES = 4
_ADAPTER = re.compile(r"<(?:lora|faceid):(\d+):[^>]*>")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def read_prompt(attrs, inline=False, prefix=""):
    """Validate one prompt hash from a request; return its normalised fields.

    Raises fields.Invalid with every field's errors; `prefix` names them as
    Rails names a nested model's ("prompts.text").
    """
    form = fields.Form(attrs, prefix)
    text = (form.read(fields.text, "text") or "").strip()
    if not text and "text" not in form.errors:
        form.add("text", "can't be blank")
    cfg_scale = form.read(fields.number, "cfg_scale", low=0, high=15)
    values = {
        "text": text,
        "negative_prompt": form.read(fields.text, "negative_prompt", ""),
        "callback": form.read(fields.text, "callback") or None,
        "num_images": form.read(fields.integer, "num_images", DEFAULT_NUM_IMAGES, 1, 8),
        "seed": form.read(fields.integer, "seed", None, 0, 2**32),
        # Rails renders this decimal column as a string, e.g. "3.0" (§5).
        "cfg_scale": None if cfg_scale is None else str(cfg_scale),
        "steps": form.read(fields.integer, "steps", None, 0, 50),
        "aspect_ratio": form.read(fields.choice, "aspect_ratio", ASPECT_RATIOS),
        "ar": form.read(fields.choice, "ar", LEGACY_ARS, "1:1"),
        "resolution": form.read(fields.choice, "resolution", {"1K", "2K", "4K"}),
        "w": form.read(fields.integer, "w", None, 8, 4096),
        "h": form.read(fields.integer, "h", None, 8, 4096),
        "scheduler": form.read(fields.choice, "scheduler", SCHEDULERS),
        "style": form.read(fields.choice, "style", STYLES),
        "color_grading": form.read(fields.choice, "color_grading", COLOR_GRADINGS),
        "controlnet": form.read(fields.choice, "controlnet", CONTROLNETS),
        "denoising_strength": form.read(fields.number, "denoising_strength", None, 0, 1),
        "controlnet_conditioning_scale": form.read(
            fields.number, "controlnet_conditioning_scale", None, 0, 1
        ),
        "input_image_url": form.read(fields.text, "input_image_url"),
        "mask_image_url": form.read(fields.text, "mask_image_url"),
        "theme": form.read(fields.text, "theme"),
    }
    for name in BOOLEANS:
        values[name] = form.read(fields.boolean, name, False)
    if inline:
        values["lora_scale"] = form.read(fields.number, "lora_scale")
    form.check()
    return values


def referenced_tune_ids(text):
    """Return the tune ids named by `<lora:ID:w>` / `<faceid:ID:1>` tokens, in order."""
    ids = []
    for match in _ADAPTER.finditer(text):
        tune_id = int(match.group(1))
        if tune_id not in ids:
            ids.append(tune_id)
    return ids


def fill_placeholders(text, characteristics):
    """Replace `{{key}}` with the tune's characteristic, as Astria stores prompt text (§5)."""

    def value(match):
        found = characteristics.get(match.group(1))
        return match.group(0) if found is None else str(found)

    return _PLACEHOLDER.sub(value, text)


def new_record(state, tune_id, values, depends_on, cost_mc, now):
    record = {
        **values,
        "id": state.take_prompt_id(),
        "tune_id": tune_id,
        "cost_mc": cost_mc,
        "user_error": None,
        "failed_at": None,
        "images": [],
        "created_at": now,
        "updated_at": now,
        "started_training_at": None,
        "trained_at": None,
        "generate_due": None,
        "depends_on": depends_on,
        "deleted_at": None,
        "failed": None,  # internal: the failure signal once failed, "silent" included
        "fail_with": None,
        "callback_due": False,
    }
    state.prompts[record["id"]] = record
    return record


def same_attributes(prompt, values, tune_id):
    candidate = {**values, "tune_id": tune_id}
    return all(prompt.get(name) == candidate.get(name) for name in IDEMPOTENCY_FIELDS)


def is_finished(prompt):
    return prompt["trained_at"] is not None or prompt["failed"] is not None
