"""Pack endpoints: K1 `GET /packs`, K2 `GET /gallery/packs`, K3 `GET /p/:id`, K4
`POST /p/:pack_id/tunes` (ASTRIA_API.md §2, §3.3, §9.1).

Shapes, from astria-docs `docs/api/2-pack/` (snapshot 5704e937, 2026-08-21):
* a list item has `id, base_tune_id, user_id, slug, title, token, created_at,
  updated_at, multiplier, model_type, public_at, cost_mc_hash` (`1-list.md`), and
  `cover_url`, which headshots-starter's `PacksGalleryZone.tsx` reads from the list;
* the detail adds `cover_url, unlisted_at, costs[class] = {cost, num_images}, logo,
  prompts_per_class[class] = [{id, images}]` (`2-get.md`);
* a create takes the tune fields plus `prompt_attributes[callback]` (a singular
  hash), `prompts_callback` (one POST of an array of prompts when all are done),
  `tune_ids[]` (prompts only, on existing tunes) and `prompt_ids[]`
  (`2-tunes/0-create.md`); it answers the tune. With `tune_ids` the emulator
  answers `{"status": 201, "order": {...}, "prompt_ids": [...]}`, the shape
  Astria's CLI reads for that case (§2 K4).

The pack's prompts are created when its tune finishes training (`tune_trained`),
on the tune itself, texts templated with the tune's token, class and
`characteristics`. Covers are drawn once per reset and served from the media host.
"""

from . import fields, prices, transitions
from .clock import iso, now_ms
from .fields import Invalid
from .images import render_png
from .params import as_list
from .prompt_records import fill_placeholders, read_prompt
from .prompt_records import new_record as new_prompt_record
from .render import prompt_json
from .tunes import store_tune
from .wire import error, json_response, not_found, root_object

ACCOUNT_USER_ID = 1
_CREATED = 1_725_300_000_000  # 2024-09-02
COVER_SIZE = (384, 480)

# (id, slug, title, gallery?, model_type, base_tune_id, {class: [(text, num_images)]})
CATALOGUE = [
    (
        260,
        "corporate-headshots",
        "Corporate Headshots",
        True,
        "lora",
        1504944,
        {
            "woman": [
                ("ohwx woman, corporate headshot, {{hair_color}}, navy blazer, grey studio", 2),
                ("ohwx woman, office portrait by a window, soft light, {{eye_color}}", 2),
                ("ohwx woman, linkedin profile photo, smiling, white background", 2),
            ],
            "man": [
                ("ohwx man, corporate headshot, {{hair_color}}, dark suit, grey studio", 2),
                ("ohwx man, office portrait by a window, soft light, {{eye_color}}", 2),
                ("ohwx man, linkedin profile photo, smiling, white background", 2),
            ],
        },
    ),
    (
        262,
        "dating-profile",
        "Dating Profile",
        True,
        "lora",
        1504944,
        {
            "woman": [
                ("ohwx woman at a cafe terrace, golden hour, candid", 2),
                ("ohwx woman hiking in the alps, {{hair_length}}", 2),
            ],
            "man": [
                ("ohwx man at a cafe terrace, golden hour, candid", 2),
                ("ohwx man hiking in the alps, {{facial_hair}}", 2),
            ],
        },
    ),
    (
        301,
        "studio-portraits",
        "Studio portraits",
        False,
        None,
        690204,
        {
            "woman": [("ohwx woman, studio portrait, rim light, black backdrop", 1)] * 2,
            "man": [("ohwx man, studio portrait, rim light, black backdrop", 1)] * 2,
            "dog": [("ohwx dog, studio portrait, red bandana", 1)] * 2,
        },
    ),
]
FIRST_TEMPLATE_PROMPT_ID = 18_000_001


def catalogue():
    """The packs as fresh records: one per CATALOGUE row, template prompt ids fixed."""
    packs = {}
    template_id = FIRST_TEMPLATE_PROMPT_ID
    for pack_id, slug, title, gallery, model_type, base_tune_id, per_class in CATALOGUE:
        classes = {}
        for class_name, prompts in per_class.items():
            classes[class_name] = []
            for text, num_images in prompts:
                classes[class_name].append({"id": template_id, "text": text, "n": num_images})
                template_id += 1
        packs[pack_id] = {
            "id": pack_id,
            "slug": slug,
            "title": title,
            "gallery": gallery,
            "model_type": model_type,
            "base_tune_id": base_tune_id,
            "classes": classes,
            "cover_key": None,
        }
    return packs


def _find(state, ref):
    if isinstance(ref, int):
        return state.packs.get(ref)
    return next((pack for pack in state.packs.values() if pack["slug"] == ref), None)


def _cover_url(state, pack):
    """Draw the cover the first time it is asked for; the key lives until a reset."""
    if pack["cover_key"] is None or state.read_file(pack["cover_key"]) is None:
        png = render_png(pack["id"], 0, 1, pack["title"], COVER_SIZE)
        pack["cover_key"] = state.store_file(png, "image/png")
    return state.media_file_url(pack["cover_key"])


def _num_images(pack, class_name):
    return sum(prompt["n"] for prompt in pack["classes"][class_name])


def _summary(state, pack):
    return {
        "id": pack["id"],
        "base_tune_id": pack["base_tune_id"],
        "user_id": None if pack["gallery"] else ACCOUNT_USER_ID,
        "slug": pack["slug"],
        "title": pack["title"],
        "token": "ohwx",
        "cover_url": _cover_url(state, pack),
        "created_at": iso(_CREATED),
        "updated_at": iso(_CREATED),
        "multiplier": 1,
        "model_type": pack["model_type"],
        "public_at": iso(_CREATED) if pack["gallery"] else None,
        "cost_mc_hash": {
            name: prices.IMAGE_MC * _num_images(pack, name) for name in pack["classes"]
        },
    }


def _detail(state, pack):
    cover = _cover_url(state, pack)
    body = _summary(state, pack)
    del body["cost_mc_hash"], body["base_tune_id"], body["user_id"], body["token"]
    body.update(
        {
            "unlisted_at": None,
            "costs": {
                name: {
                    "cost": prices.IMAGE_MC * _num_images(pack, name) // 1000,
                    "num_images": _num_images(pack, name),
                }
                for name in pack["classes"]
            },
            "logo": None,
            "prompts_per_class": {
                name: [{"id": prompt["id"], "images": [cover]} for prompt in prompts]
                for name, prompts in pack["classes"].items()
            },
        }
    )
    return body


def list_packs(state, request):
    with state.lock:
        packs = [pack for pack in state.packs.values() if not pack["gallery"]]
        if request.query.get("public") == "true":
            packs = []  # the account's own packs are private
        body = [_summary(state, pack) for pack in sorted(packs, key=lambda p: p["id"])]
        return json_response(200, body)


def list_gallery_packs(state, request):
    with state.lock:
        packs = sorted((p for p in state.packs.values() if p["gallery"]), key=lambda p: p["id"])
        return json_response(200, [_summary(state, pack) for pack in packs])


def get_pack(state, request, ref):
    with state.lock:
        pack = _find(state, ref)
        if pack is None:
            return not_found()
        return json_response(200, _detail(state, pack))


def create_pack_tune(state, request, ref):
    attrs = root_object(request, "tune")
    with state.lock:
        pack = _find(state, ref)
    if pack is None:
        return not_found()
    try:
        extra = _read_pack_fields(attrs, pack)
    except Invalid as exc:
        return json_response(422, exc.errors)
    if extra["tune_ids"]:
        return _prompts_only(state, pack, extra)
    attrs = {key: value for key, value in attrs.items() if key != "prompts_attributes"}
    attrs.setdefault("base_tune_id", str(pack["base_tune_id"]))
    if pack["model_type"]:
        attrs["model_type"] = pack["model_type"]
    name = attrs.get("name")
    if isinstance(name, str) and name and name not in pack["classes"]:
        return json_response(422, {"name": [f"is not a class of this pack: {name}"]})

    def setup(tune):
        tune["pack_id"] = pack["id"]
        tune["pack_prompt_callback"] = extra["callback"]
        tune["pack_prompt_ids"] = extra["prompt_ids"]
        tune["pack_prompts"] = None  # the ids once created, when the tune trains
        tune["prompts_callback_sent"] = False
        if tune["trained_at"] is not None:  # FaceID: trained at once
            tune_trained(state, tune, tune["trained_at"])

    return store_tune(state, attrs, setup)


def _read_pack_fields(attrs, pack):
    form = fields.Form(attrs)
    hash_ = attrs.get("prompt_attributes")
    callback = None
    if isinstance(hash_, dict):
        callback = fields.Form(hash_).read(fields.text, "callback") or None
    elif hash_ is not None:
        form.add("prompt_attributes", "must be a hash")
    values = {"callback": callback, "tune_ids": [], "prompt_ids": []}
    for key in ("tune_ids", "prompt_ids"):
        for item in as_list(attrs.get(key)) if attrs.get(key) is not None else []:
            try:
                values[key].append(int(str(item)))
            except ValueError:
                form.add(key, "must be integers")
    known = {p["id"] for prompts in pack["classes"].values() for p in prompts}
    if any(prompt_id not in known for prompt_id in values["prompt_ids"]):
        form.add("prompt_ids", "must be prompts of this pack")
    form.check()
    return values


def _prompts_only(state, pack, extra):
    """`tune_ids[]`: the pack's prompts on tunes that exist, created now (they wait for
    training like any prompt)."""
    with state.lock:
        now = now_ms()
        tunes = [state.live_tune(tune_id) for tune_id in extra["tune_ids"]]
        if any(tune is None or tune["gallery"] for tune in tunes):
            return error(422, "Tune not found")
        if any(tune["name"] not in pack["classes"] for tune in tunes):
            return error(422, "A tune's class is not a class of this pack")
        created = []
        for tune in tunes:
            created += _make_prompts(state, pack, tune, extra["callback"], extra["prompt_ids"], now)
        state.save()
        order_id = 900_000 + len(state.request_log)
        body = {
            "status": 201,
            "order": {"id": order_id, "tune_ids": [t["id"] for t in tunes]},
            "prompt_ids": [prompt["id"] for prompt in created],
        }
        return json_response(201, body)


def _make_prompts(state, pack, tune, callback, only_ids, now):
    """Create the pack's prompts of the tune's class on the tune; caller holds the lock."""
    made = []
    for template in pack["classes"].get(tune["name"], []):
        if only_ids and template["id"] not in only_ids:
            continue
        text = template["text"].replace("ohwx", tune["token"] or "ohwx")
        text = fill_placeholders(text, tune["characteristics"] or {})
        values = read_prompt({"text": text, "num_images": str(template["n"])})
        values["callback"] = callback
        cost = prices.prompt_cost(template["n"], tune["branch"])
        state.balance_mc -= cost
        prompt = new_prompt_record(state, tune["id"], values, [tune["id"]], cost, now)
        prompt["pack_id"] = pack["id"]
        transitions.arm_failure(state, "prompt", prompt, prompt["text"], now)
        made.append(prompt)
    return made


def tune_trained(state, tune, now):
    """Create a pack tune's prompts once it has trained (caller holds the lock)."""
    pack = state.packs.get(tune.get("pack_id"))
    if pack is None or tune.get("pack_prompts") is not None:
        return
    made = _make_prompts(
        state, pack, tune, tune["pack_prompt_callback"], tune["pack_prompt_ids"], now
    )
    tune["pack_prompts"] = [prompt["id"] for prompt in made]


def due_prompts_callbacks(state):
    """(tune, body) for each pack tune whose prompts are all finished and whose
    `prompts_callback` has not been sent: the body is the array of its prompts."""
    due = []
    for tune in state.tunes.values():
        ids = tune.get("pack_prompts")
        if not ids or tune.get("prompts_callback_sent") or not tune.get("prompts_callback"):
            continue
        prompts = [state.prompts.get(prompt_id) for prompt_id in ids]
        if all(p is not None and _finished(p) for p in prompts):
            tune["prompts_callback_sent"] = True
            due.append((tune, [prompt_json(state, prompt) for prompt in prompts]))
    return due


def _finished(prompt):
    return (
        prompt["deleted_at"] is not None
        or prompt["trained_at"] is not None
        or bool(prompt["failed"])
    )
