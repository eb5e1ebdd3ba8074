"""Prompt request fields, prompt records, and the prompt JSON object (§3.2, §5)."""

import re

from . import fields
from .clock import iso

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


def read_prompt(attrs, inline=False):
    """Validate one prompt hash from a request; return its normalised fields."""
    text = (fields.text(attrs, "text") or "").strip()
    if not text:
        raise fields.Invalid("Text can't be blank")
    cfg_scale = fields.number(attrs, "cfg_scale", low=0, high=15)
    values = {
        "text": text,
        "negative_prompt": fields.text(attrs, "negative_prompt", ""),
        "callback": fields.text(attrs, "callback") or None,
        "num_images": fields.integer(attrs, "num_images", DEFAULT_NUM_IMAGES, 1, 8),
        "seed": fields.integer(attrs, "seed", None, 0, 2**32),
        # Rails renders this decimal column as a string, e.g. "3.0" (§5).
        "cfg_scale": None if cfg_scale is None else str(cfg_scale),
        "steps": fields.integer(attrs, "steps", None, 0, 50),
        "aspect_ratio": fields.choice(attrs, "aspect_ratio", ASPECT_RATIOS),
        "ar": fields.choice(attrs, "ar", LEGACY_ARS, "1:1"),
        "resolution": fields.choice(attrs, "resolution", {"1K", "2K", "4K"}),
        "w": fields.integer(attrs, "w", None, 8, 4096),
        "h": fields.integer(attrs, "h", None, 8, 4096),
        "scheduler": fields.choice(attrs, "scheduler", SCHEDULERS),
        "style": fields.choice(attrs, "style", STYLES),
        "color_grading": fields.choice(
            attrs, "color_grading", {"Film Velvia", "Film Portra", "Ektar"}
        ),
        "controlnet": fields.choice(attrs, "controlnet", CONTROLNETS),
        "denoising_strength": fields.number(attrs, "denoising_strength", None, 0, 1),
        "controlnet_conditioning_scale": fields.number(
            attrs, "controlnet_conditioning_scale", None, 0, 1
        ),
        "input_image_url": fields.text(attrs, "input_image_url"),
        "mask_image_url": fields.text(attrs, "mask_image_url"),
        "theme": fields.text(attrs, "theme"),
    }
    for name in BOOLEANS:
        values[name] = fields.boolean(attrs, name, False)
    if inline:
        values["lora_scale"] = fields.number(attrs, "lora_scale")
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
        "images": [],
        "created_at": now,
        "updated_at": now,
        "started_training_at": None,
        "trained_at": None,
        "generate_due": None,
        "depends_on": depends_on,
        "deleted_at": None,
        "fail_with": None,
        "callback_due": False,
    }
    state.prompts[record["id"]] = record
    return record


def same_attributes(prompt, values, tune_id):
    candidate = {**values, "tune_id": tune_id}
    return all(prompt.get(name) == candidate.get(name) for name in IDEMPOTENCY_FIELDS)


def is_finished(prompt):
    return prompt["trained_at"] is not None or prompt["user_error"] is not None


def prompt_json(state, prompt):
    """Render a prompt record as the API's prompt object."""
    tune = state.tunes.get(prompt["tune_id"])
    adapters = [state.tunes.get(tune_id) for tune_id in referenced_tune_ids(prompt["text"])]
    return {
        "id": prompt["id"],
        "callback": prompt["callback"],
        "text": prompt["text"],
        "negative_prompt": prompt["negative_prompt"],
        "cfg_scale": prompt["cfg_scale"],
        "steps": prompt["steps"],
        "seed": prompt["seed"],
        "trained_at": iso(prompt["trained_at"]),
        "started_training_at": iso(prompt["started_training_at"]),
        "created_at": iso(prompt["created_at"]),
        "updated_at": iso(prompt["updated_at"]),
        "tune_id": prompt["tune_id"],
        "super_resolution": prompt["super_resolution"],
        "inpaint_faces": prompt["inpaint_faces"],
        "hires_fix": prompt["hires_fix"],
        "face_correct": prompt["face_correct"],
        "face_swap": prompt["face_swap"],
        "use_lpw": prompt["use_lpw"],
        "film_grain": prompt["film_grain"],
        "ar": prompt["ar"],
        "aspect_ratio": prompt["aspect_ratio"],
        "resolution": prompt["resolution"],
        "w": prompt["w"],
        "h": prompt["h"],
        "scheduler": prompt["scheduler"],
        "style": prompt["style"],
        "color_grading": prompt["color_grading"],
        "num_images": prompt["num_images"],
        "controlnet": prompt["controlnet"],
        "controlnet_conditioning_scale": prompt["controlnet_conditioning_scale"],
        "controlnet_txt2img": prompt["controlnet_txt2img"],
        "denoising_strength": prompt["denoising_strength"],
        "input_image": prompt["input_image_url"],
        "mask_image": prompt["mask_image_url"],
        "url": state.url(f"/tunes/{prompt['tune_id']}/prompts/{prompt['id']}.json"),
        "images": [state.file_url(key) for key in prompt["images"]],
        "user_error": prompt["user_error"],
        "cost_mc": prompt["cost_mc"],
        "tune": {"id": tune["id"], "title": tune["title"]} if tune else None,
        "tunes": [{"id": t["id"], "title": t["title"]} for t in adapters if t],
    }
