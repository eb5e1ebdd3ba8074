"""Advance tunes and prompts through their timestamps (§6, §11) and queue callbacks.

`tick` runs every TICK_SECONDS on a daemon thread, and synchronously after the
control surface forces a change. It holds the state lock only to read and
write records: images are drawn and callbacks sent with the lock released.
"""

import threading

from . import callbacks, packs, prices, transitions
from .clock import now_ms
from .images import image_size, render_png
from .prompt_records import is_finished
from .render import callback_body, prompt_json, tune_json

TICK_SECONDS = 0.05


class Ticker:
    def __init__(self, state):
        self._state = state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emulator-ticker", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self):
        while not self._stop.wait(TICK_SECONDS):
            tick(self._state)


def tick(state):
    with state.tick_lock:
        with state.lock:
            now = now_ms()
            tunes_changed = _advance_tunes(state, now)
            to_render, prompts_changed = _advance_prompts(state, now)
            jobs = _collect_callbacks(state)
            if tunes_changed or prompts_changed or jobs:
                state.save()  # only on change: with a data dir this rewrites a file

        if to_render:
            drawn = [(job["record"], _draw(job)) for job in to_render]
            with state.lock:
                now = now_ms()
                for prompt, pictures in drawn:
                    if _still_waiting_for(state, prompt):
                        keys = [state.store_file(png, "image/png") for png in pictures]
                        transitions.finish_prompt(prompt, keys, now)
                jobs += _collect_callbacks(state)
                state.save()

    callbacks.dispatch(state, jobs)


def _advance_tunes(state, now):
    """Start, train, fail, extend or expire tunes that are due; return whether any changed."""
    changed = False
    for tune in list(state.tunes.values()):
        if tune["gallery"] or state.live_tune(tune["id"]) is None or tune["failed"]:
            continue
        if tune["trained_at"] is None:
            if tune["started_training_at"] is None and now >= tune["start_due"]:
                changed = True
                transitions.start_training(tune, now)
            if tune["started_training_at"] is not None and now >= tune["train_due"]:
                changed = True
                failure = tune["fail_with"]
                if failure:
                    transitions.mark_tune_failed(
                        state, tune, failure["message"], failure["signal"], now
                    )
                else:
                    transitions.mark_tune_trained(tune, now)
                    packs.tune_trained(state, tune, now)
        elif tune["expires_at"] is not None and now >= tune["expires_at"]:
            changed = True
            cost = prices.extend_cost(tune["branch"])
            if not (tune["auto_extend"] and transitions.extend_tune(state, tune, cost, now)):
                transitions.remove_tune(state, tune, now, expired=True)
    return changed


def _advance_prompts(state, now):
    """Start or fail prompts; return (the ones due to be drawn, whether any changed)."""
    due = []
    changed = False
    for prompt in state.prompts.values():
        if state.live_prompt(prompt["id"]) is None or is_finished(prompt):
            continue
        if prompt["started_training_at"] is None:
            problem, ready = dependencies(state, prompt)
            if problem:
                signal = transitions.DEFAULT_SIGNALS["prompt"]
                transitions.mark_prompt_failed(state, prompt, problem, signal, now)
                changed = True
                continue
            if not ready:
                continue
            changed = True
            transitions.start_prompt(prompt, state.config["prompt_seconds"], now)
        if now >= prompt["generate_due"]:
            failure = prompt["fail_with"]
            if failure:
                message, signal = failure["message"], failure["signal"]
                transitions.mark_prompt_failed(state, prompt, message, signal, now)
                changed = True
            else:
                due.append(
                    {
                        "id": prompt["id"],
                        "record": prompt,
                        "count": prompt["num_images"],
                        "text": prompt["text"],
                        "size": image_size(prompt),
                    }
                )
    return due, changed


def dependencies(state, prompt):
    """Return (failure message or None, whether every tune it waits for is trained).

    A tune that failed silently never trains, so its prompts wait for good.
    """
    ready = True
    for tune_id in prompt["depends_on"]:
        tune = state.live_tune(tune_id)
        if tune is None:
            return f"Tune {tune_id} no longer exists", False
        if transitions.failure_blocks(tune):
            return f"Tune {tune_id} failed to train: {tune['fail_message']}", False
        if tune["trained_at"] is None:
            ready = False
    return None, ready


def _still_waiting_for(state, prompt):
    """Tell whether this very record still wants the images drawn for it.

    It may have been deleted or failed meanwhile, and after a reset its id may
    belong to a new prompt, so the record itself is compared, not just the id.
    """
    if state.prompts.get(prompt["id"]) is not prompt:
        return False
    return state.live_prompt(prompt["id"]) is not None and not is_finished(prompt)


def _draw(job):
    return [
        render_png(job["id"], index, job["count"], job["text"], job["size"])
        for index in range(job["count"])
    ]


def _collect_callbacks(state):
    """Take every record whose callback is due and build its body (§7, `callback_body`)."""
    jobs = []
    shape = state.config["callback_body"]
    for tune in state.tunes.values():
        if tune["callback_due"]:
            tune["callback_due"] = False
            body = callback_body("tune", tune_json(state, tune), shape)
            jobs.append(callbacks.Job("tune", tune["id"], tune["callback"], body))
    for prompt in state.prompts.values():
        if prompt["callback_due"]:
            prompt["callback_due"] = False
            body = callback_body("prompt", prompt_json(state, prompt), shape)
            jobs.append(callbacks.Job("prompt", prompt["id"], prompt["callback"], body))
    for tune, body in packs.due_prompts_callbacks(state):
        jobs.append(callbacks.Job("prompts", tune["id"], tune["prompts_callback"], body))
    return jobs
