"""State changes of tunes and prompts. Callers hold `state.lock`."""

from .clock import RETENTION_MS


def mark_tune_trained(tune, now):
    tune["trained_at"] = now
    tune["expires_at"] = now + RETENTION_MS
    tune["updated_at"] = now
    tune["callback_due"] = bool(tune["callback"])


def mark_tune_failed(state, tune, message, now):
    """Fail training: no trained_at ever, `user_error` set, money back, callback due."""
    tune["user_error"] = message or "Training failed"
    tune["trained_at"] = None
    tune["expires_at"] = None
    tune["fail_with"] = None
    tune["updated_at"] = now
    tune["callback_due"] = bool(tune["callback"])
    state.balance_mc += tune["cost_mc"]


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


def mark_prompt_failed(state, prompt, message, now):
    prompt["user_error"] = message or "Generation failed"
    prompt["images"] = []
    prompt["fail_with"] = None
    prompt["updated_at"] = now
    prompt["callback_due"] = bool(prompt["callback"])
    state.balance_mc += prompt["cost_mc"]


def take_pending_failure(state, kind, value):
    """Use up the first `fail-next-<kind>` rule whose `match` is in `value` (title or text)."""
    for rule in state.pending_failures:
        if rule["kind"] == kind and (rule["match"] or "") in (value or ""):
            state.pending_failures.remove(rule)
            return rule["user_error"]
    return None
