"""An offline emulator of the Astria fine-tuning API (api.astria.ai).

It follows /work/shared/ASTRIA_API.md (the project's contract), and where that page's
§0 (corrections from real captured responses) overrules the rest, it follows §0:
201 on create and 200 on an idempotent hit, 401/402/404 and business refusals
shaped `{"error": "..."}`, validation errors as Rails field maps, id-descending
pagination, callbacks sent once and never retried. It never imports Django and
needs only the standard library and Pillow.

Run it:  python -m astria_emulator --port 8765 --api-key demo-key --data-dir var/emulator
         [--media-port 8766] [--public-url URL] [--public-media-url URL]
         [--idempotency] [--callback-body full|thin|bare|empty]
Embed it:  `Emulator(..., media_port=0).start()` (then `.base_url`, `.media_url`) or
           `astria_emulator.testing.running_emulator()`.

Where it follows real material rather than our assumptions, and the evidence:
* Two hosts. The API answers on its port; stored files (`orig_images`, prompt
  `images`, `file_names[].url`) and the mock checkpoint (`ckpt_url`, `ckpt_urls`)
  come from a media host on another port, like a public bucket: no key, the
  28-character object key is the secret (media.py). The API port answers 404 for
  them. Real images are served from `https://mp.astria.ai/<key>` (a June 2025 tune
  record in burgalon/SimpleTuner-astria's fixtures), older ones from S3.
* `started_training_at` is null right after create (a real create answer in the
  avahi-org/Professional-headshot README) and is set on the first tick at least
  min(1 s, train_seconds / 5) later; `eta` is set at create; with train_seconds 0
  a tune may start and finish on one tick.
* Tunes carry the fields Astria's own records carry (SimpleTuner-astria fixture):
  `failed_at`, `characteristics` (object or null), `args` (null, or
  `"preset=<preset>"`), `cost_mc`, `base_pack_id` (null), `prompts_callback`
  (echoed), `auto_extend`, `checkpoint_deleted`, `checkpoint_deleted_at`,
  `file_names` ([{"filename", "url"}]). Prompts also carry `failed_at`, `pack_id`,
  `base_pack_id`, `orig_prompt_id`, `prompt_likes_count` and `liked` (a real C#
  prompt model), and `user_error` (null while fine; Astria's CLI polls for it).
* Likes (likes.py): `POST /prompts/:id/likes` (and the docs' samples' `/like`)
  answers 201 with no body, as astria-docs `docs/api/3-like/` says; the prompt
  then shows `liked` and `prompt_likes_count`, and `GET /prompts?liked=true` lists
  it. A pack prompt's original is liked too. No unlike: the docs' "delete a like"
  page shows the create's POST.
* Packs (packs.py) as astria-docs `docs/api/2-pack/` and headshots-starter's
  packs mode show them: `GET /packs`, `GET /gallery/packs`, `GET /p/:id` (id or
  slug), `POST /p/:id/tunes` with `prompt_attributes[callback]`, `prompts_callback`
  (one POST of the array of the pack's prompts) and `tune_ids`; three packs of its
  own with covers on the media host; a pack tune's prompts appear once it trains,
  and its `base_pack_id` names the pack.
* Photo inspection (inspection.py): `POST /images/inspect` answers the documented
  flat object, with findings read deterministically from the pixels.
* Failure signals (transitions.py). No captured public tune body has `user_error`;
  Astria's records have `failed_at`. The fail controls take a `signal`:
  `failed_at` (the default for tunes), `user_error`, `both` (the default for
  prompts) or `silent` (the object simply never finishes: no field, no timestamp,
  no callback). A tune's JSON has the `user_error` key only when a signal set it.
  Failed work is refunded; callbacks fire for failed objects, except silent ones.
* Callback bodies (render.py, `callback_body`): `full` (default, `{"tune": {...}}`
  as the docs and headshots-starter read it), `thin` (wrapped, about ten keys, as
  a captured real prompt callback had), `bare` (unwrapped) or `empty` (`{}`).
* Idempotency is off until switched on (`--idempotency`, `Emulator(idempotency=True)`
  or POST /_emulator/config), as on a new account: "Idempotency can be enabled
  for the account in the API settings" (docs/api/0-overview.md).
* FaceID tunes are trained at creation (`started_training_at` = `trained_at` =
  `created_at`) and send no tune callback: "The fine-tune's trained_at is set upon
  creation ... As such no callback is needed" (docs/features/faceid.md). Prompts
  on them still call back.
* 422 bodies for model validation are Rails field maps, every field at once
  (fields.py): `{"title": ["can't be blank"]}`, `{"images": ["must contain at least
  one image"]}` (seen in a production log, myorpheus/myphoto),
  `{"num_images": ["must be less than or equal to 8"]}`, inline prompts as
  `"prompts.text"`. Business refusals keep `{"error": "..."}`: "Prompt is not
  using a fine-tuned model", "Base tune not found", a failed tune, 402.

Ledger (millicents; 100,000 mc = $1), see `prices.py`:
    starting balance  100,000,000 mc ($1,000)
    tune              150,000 mc ($1.50), any model type; `branch=fast` is free
    prompt            2,500 mc ($0.025) per image, times num_images; free when posted
                      to a `fast` tune (a user's own fast LoRA or FaceID tune
                      included), as documented. A prompt on a gallery base tune
                      (1504944, 690204, 666678) is always charged, whatever
                      <lora:ID>/<faceid:ID> it names: nothing says that is free.
    auto_extend       50,000 mc ($0.50) per 30-day renewal
Failed tunes and prompts are refunded. An idempotent hit charges nothing.

Control surface (no auth, JSON, API port only; not part of Astria): GET /_emulator
lists it. Fault rules (faults.py) apply to API calls and media downloads. To make a
future tune fail, POST /_emulator/fail-next-tune {"title": "<substring>",
"user_error": "...", "signal": "..."}: the next tune whose title contains the
substring fails when its training would finish (a silent one never starts).

Emulator choices where the contract leaves room:
* Deleted and expired tunes answer 404 and do not count for idempotency.
* A prompt posted to an unknown, deleted or expired tune id gets 404; a
  `<lora:ID>`/`<faceid:ID>` naming such a tune gets 422; a prompt on a gallery
  tune without any adapter gets 422 "Prompt is not using a fine-tuned model".
  A prompt posted to the user's own tune id (LoRA and FaceID included) runs there.
* Gallery tunes can be read but not listed, changed or deleted (404, as a tune
  of someone else's would be).
* DELETE of a tune also deletes the prompts whose tune_id is that tune; LoRA
  prompts live on the base tune and stay, as the docs say for checkpoints only.
* A prompt on a visibly failed tune gets 422; prompts waiting on a tune that fails
  (or is deleted) fail with both signals, and their callbacks fire. Prompts on a
  silently failed tune wait for ever, as they would on a tune that never trains.
* `num_images` defaults to 4; `{{key}}` in prompt text is filled from the
  tune's (or the LoRA/FaceID tune's) characteristics, as Astria stores the text.
* `orig_images` for `image_urls` echo the URLs (nothing is ever fetched).
* With a data dir, tunes, prompts, files and the balance survive a restart
  (state files of older versions are brought up to date); config, fault rules
  and the request/callback logs start afresh.
"""

from .app import Emulator

__all__ = ["Emulator"]
