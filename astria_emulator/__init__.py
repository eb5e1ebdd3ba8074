"""An offline emulator of the Astria fine-tuning API (api.astria.ai).

It follows /work/shared/ASTRIA_API.md (the project's contract), including its §15
decisions: wrapped callbacks sent once, 201 on create and 200 on an idempotent
hit, 401/402/404/422 bodies shaped `{"error": "..."}`, id-descending pagination.
It never imports Django and needs only the standard library and Pillow.

Run it:  python -m astria_emulator --port 8765 --api-key demo-key --data-dir var/emulator
Embed it:  `Emulator(...).start()` or `astria_emulator.testing.running_emulator()`.

Ledger (millicents; 100,000 mc = $1), see `prices.py`:
    starting balance  100,000,000 mc ($1,000)
    tune              150,000 mc ($1.50), any model type; `branch=fast` is free
    prompt            2,500 mc ($0.025) per image, times num_images; free on a
                      `fast` tune, or when every <lora:ID>/<faceid:ID> it uses is `fast`
    auto_extend       50,000 mc ($0.50) per 30-day renewal
Failed tunes and prompts are refunded. An idempotent hit charges nothing.

Control surface (no auth, JSON; not part of Astria): GET /_emulator lists it. Fault
rules are described in faults.py. To make a future tune fail, POST
/_emulator/fail-next-tune {"title": "<substring>", "user_error": "..."}: the next
tune whose title contains the substring fails when its training would finish.

Emulator choices where the contract leaves room:
* Deleted and expired tunes answer 404 and do not count for idempotency.
* A prompt posted to an unknown, deleted or expired tune id gets 404; a
  `<lora:ID>`/`<faceid:ID>` naming such a tune gets 422; a prompt on a gallery
  tune without any adapter gets 422 "Prompt is not using a fine-tuned model".
* Gallery tunes (1504944, 690204, 666678) can be read but not listed, changed
  or deleted (404, as a tune of someone else's would be).
* DELETE of a tune also deletes the prompts whose tune_id is that tune; LoRA
  prompts live on the base tune and stay, as the docs say for checkpoints only.
* A prompt on a failed tune gets 422; prompts waiting on a tune that fails (or
  is deleted) fail with `user_error`, and their callbacks fire.
* `num_images` defaults to 4; `{{key}}` in prompt text is filled from the
  tune's (or the LoRA/FaceID tune's) characteristics, as Astria stores the text.
* FaceID tunes are trained at creation and still call back once.
* `orig_images` for `image_urls` echo the URLs (nothing is ever fetched).
* Tune and prompt objects also carry `preset`, `auto_extend`, `characteristics`
  (tunes) and the optional §5 fields (prompts); clients ignore unknown fields.
* With a data dir, tunes, prompts, files and the balance survive a restart;
  config, fault rules and the request/callback logs start afresh.
"""

from .app import Emulator

__all__ = ["Emulator"]
