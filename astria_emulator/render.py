"""Tune and prompt records as the API's JSON objects (§4, §5), and callback bodies (§7).

The objects carry what real tune and prompt records carry (a June 2025 tune
record in burgalon/SimpleTuner-astria's fixtures; the avahi-org/Professional-headshot
README's create answer; a C# prompt model with `prompt_likes_count` and `liked`).
A tune has `user_error` only when a failure signal set it: no captured tune
body has the key.
"""

from posixpath import basename
from urllib.parse import urlsplit

from .clock import iso
from .prompt_records import referenced_tune_ids

CALLBACK_BODIES = ("full", "thin", "bare", "empty")
# The keys of a captured real prompt callback, and of the tune callback that
# headshots-starter's TuneData type reads: about ten, never the whole object.
THIN_KEYS = {
    "prompt": (
        "id",
        "tune_id",
        "text",
        "images",
        "trained_at",
        "created_at",
        "updated_at",
        "url",
        "user_error",
        "tunes",
    ),
    "tune": (
        "id",
        "title",
        "name",
        "model_type",
        "branch",
        "trained_at",
        "created_at",
        "updated_at",
        "url",
    ),
}


def tune_json(state, tune):
    """Render a tune record as the API's tune object."""
    trained = tune["trained_at"] is not None
    ckpt_url = None
    if trained and tune["model_type"] != "faceid" and not tune["gallery"]:
        ckpt_url = state.media_file_url("mock")
    images = [(_image_url(state, image), image) for image in tune["orig_images"]]
    body = {
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
        "failed_at": iso(tune["failed_at"]),
        "model_type": tune["model_type"],
        "base_tune_id": tune["base_tune_id"],
        "branch": tune["branch"],
        "args": f"preset={tune['preset']}" if tune["preset"] else None,
        "steps": tune["steps"],
        "face_crop": tune["face_crop"],
        "training_face_correct": tune["training_face_correct"],
        "preset": tune["preset"],
        "auto_extend": tune["auto_extend"],
        "characteristics": tune["characteristics"] or None,
        "ckpt_url": ckpt_url,
        "ckpt_urls": [ckpt_url] if ckpt_url else [],
        "url": state.url(f"/tunes/{tune['id']}.json"),
        "orig_images": [url for url, _ in images],
        "file_names": [
            {"filename": image.get("filename") or _last_segment(url), "url": url}
            for url, image in images
        ],
        "cost_mc": tune["cost_mc"],
        "base_pack_id": tune.get("pack_id"),
        "prompts_callback": tune["prompts_callback"],
        "checkpoint_deleted": tune["checkpoint_deleted_at"] is not None,
        "checkpoint_deleted_at": iso(tune["checkpoint_deleted_at"]),
    }
    if tune["user_error"] is not None:
        body["user_error"] = tune["user_error"]
    return body


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
        "failed_at": iso(prompt["failed_at"]),
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
        "images": [state.media_file_url(key) for key in prompt["images"]],
        "user_error": prompt["user_error"],
        "cost_mc": prompt["cost_mc"],
        "pack_id": prompt.get("pack_id"),
        "base_pack_id": prompt.get("pack_id"),
        "orig_prompt_id": None,
        "prompt_likes_count": prompt.get("likes", 0),
        "liked": prompt.get("likes", 0) > 0,
        "tune": {"id": tune["id"], "title": tune["title"]} if tune else None,
        "tunes": [{"id": t["id"], "title": t["title"]} for t in adapters if t],
    }


def callback_body(kind, obj, shape):
    """The body POSTed for a finished tune or prompt, in the configured `callback_body` shape.

    "full" wraps the whole object as the docs and headshots-starter read it
    (`{"tune": {...}}`); "thin" wraps only THIN_KEYS, as a captured real
    prompt callback had; "bare" is the object unwrapped; "empty" is `{}`.
    """
    if shape == "thin":
        return {kind: {key: obj[key] for key in THIN_KEYS[kind] if key in obj}}
    if shape == "bare":
        return obj
    if shape == "empty":
        return {}
    return {kind: obj}


def _image_url(state, image):
    return state.media_file_url(image["key"]) if "key" in image else image["url"]


def _last_segment(url):
    return basename(urlsplit(url).path) or url
