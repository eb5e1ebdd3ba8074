"""State changes of tunes and prompts. Callers hold `state.lock`.

How a failure shows is its signal (SIGNALS): `failed_at` sets that timestamp,
as Astria's own tune records carry it; `user_error` sets that message, which
Astria's CLI reads on prompts; `both` sets the two; `silent` shows nothing at
all: the object simply never finishes and no callback comes. Every failure
gives the money back.
"""

from .clock import RETENTION_MS

SIGNALS = ("failed_at", "user_error", "both", "silent")
# No captured tune body has `user_error`, but Astria's tune records have
# `failed_at`; prompts keep `user_error`, which Astria's CLI polls for.
DEFAULT_SIGNALS = {"tune": "failed_at", "prompt": "both"}
DEFAULT_MESSAGES = {"tune": "Training failed", "prompt": "Generation failed"}


def start_training(tune, now):
    tune["started_training_at"] = now
    tune["updated_at"] = now


def mark_tune_trained(tune, now):
    if tune["started_training_at"] is None:
        tune["started_training_at"] = now
    tune["trained_at"] = now
    tune["expires_at"] = now + RETENTION_MS
    tune["updated_at"] = now
    # FaceID is ready at once and "no callback is needed" (docs/features/faceid.md).
    tune["callback_due"] = bool(tune["callback"]) and tune["model_type"] != "faceid"


def mark_tune_failed(state, tune, message, signal, now):
    """Fail training: no trained_at ever, the signal shown, money back, callback due."""
    tune["fail_message"] = message or DEFAULT_MESSAGES["tune"]
    tune["trained_at"] = None
    tune["expires_at"] = None
    _fail(tune, tune["fail_message"], signal, now)
    if tune["model_type"] == "faceid":
        tune["callback_due"] = False
    state.balance_mc += tune["cost_mc"]


def mark_prompt_failed(state, prompt, message, signal, now):
    prompt["images"] = []
    _fail(prompt, message or DEFAULT_MESSAGES["prompt"], signal, now)
    state.balance_mc += prompt["cost_mc"]


def _fail(record, message, signal, now):
    record["failed"] = signal
    record["fail_with"] = None
    if signal == "silent":
        return  # nothing changes that a client could see
    if signal in ("failed_at", "both"):
        record["failed_at"] = now
    if signal in ("user_error", "both"):
        record["user_error"] = message
    record["updated_at"] = now
    record["callback_due"] = bool(record["callback"])


def failure_blocks(tune):
    """Tell whether prompts on this tune are refused: it failed, and not silently."""
    return tune["failed"] is not None and tune["failed"] != "silent"


def extend_tune(state, tune, cost_mc, now):
    """Renew storage of an `auto_extend` tune; answer False when the balance cannot pay."""
    if cost_mc > state.balance_mc:
        return False
    state.balance_mc -= cost_mc
    tune["expires_at"] += RETENTION_MS
    tune["updated_at"] = now
    return True


def remove_tune(state, tune, now, expired=False):
    """Delete (or expire) a tune with its files, and its own prompts with theirs.

    Only prompts whose `tune_id` is this tune go: LoRA/FaceID prompts live on the
    gallery base tune, as the docs say DELETE removes prompts "for checkpoint tunes".
    """
    state.drop_files(image["key"] for image in tune["orig_images"] if "key" in image)
    tune["orig_images"] = [image for image in tune["orig_images"] if "key" not in image]
    if expired:
        tune["expired"] = True
        tune["checkpoint_deleted_at"] = now
    else:
        tune["deleted_at"] = now
    tune["callback_due"] = False
    for prompt in state.prompts.values():
        if prompt["tune_id"] == tune["id"] and prompt["deleted_at"] is None:
            remove_prompt(state, prompt, now)


def remove_prompt(state, prompt, now):
    state.drop_files(prompt["images"])
    prompt["images"] = []
    prompt["deleted_at"] = now
    prompt["callback_due"] = False


def start_prompt(prompt, prompt_seconds, now):
    prompt["started_training_at"] = now
    prompt["generate_due"] = now + int(prompt_seconds * 1000)
    prompt["updated_at"] = now


def finish_prompt(prompt, image_keys, now):
    prompt["images"] = list(image_keys)
    prompt["trained_at"] = now
    prompt["updated_at"] = now
    prompt["callback_due"] = bool(prompt["callback"])


def arm_failure(state, kind, record, value, now):
    """Give a new record the first matching `fail-next-<kind>` rule, if any, and return it.

    A silent failure takes hold at once: the object never starts at all.
    """
    failure = take_pending_failure(state, kind, value)
    record["fail_with"] = failure
    if failure and failure["signal"] == "silent":
        fail = mark_tune_failed if kind == "tune" else mark_prompt_failed
        fail(state, record, failure["message"], "silent", now)
    return failure


def take_pending_failure(state, kind, value):
    """Use up the first `fail-next-<kind>` rule whose `match` is in `value` (title or text).

    Returns {"message": ..., "signal": ...} for the record's `fail_with`, or None.
    """
    for rule in state.pending_failures:
        if rule["kind"] == kind and (rule["match"] or "") in (value or ""):
            state.pending_failures.remove(rule)
            return {"message": rule["user_error"], "signal": rule["signal"]}
    return None
