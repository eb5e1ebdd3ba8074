"""A free end-to-end check of the configured Astria account: ``astria_check --full``.

For each model the portal offers it trains a ``branch=fast`` tune, writes a
test-mode prompt, downloads one image through the allow-list and the portal's own
download and decoding code, and deletes what it made. Only requests Astria's docs
call free are sent: a fast tune, and prompts on that very tune (docs/astria.md).
"""

import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings

from astria_portal import astria
from astria_portal.astria import media
from prompts.models import astria_text
from prompts.pictures import inspect
from tunes.models import MODELS, Tune

PROMPT = "portrait photo of a man in a navy suit, studio light"


class NotFree(Exception):
    """A request the check was about to send could cost money: it is not sent."""


class SmokeFailed(Exception):
    pass


@dataclass
class Journey:
    """What the check made on Astria, so that everything is deleted at the end."""

    tunes: list = field(default_factory=list)
    prompts: list = field(default_factory=list)  # (prompt id, tune id)


def free_tune_fields(tune):
    fields = tune.astria_fields()
    if fields.get("branch") != "fast":
        raise NotFree(f"the {tune.model_kind} tune would train on branch {fields.get('branch')}")
    return fields


def free_prompt_target(tune):
    if tune.prompt_target_id != tune.remote_id:
        raise NotFree(
            f"a {tune.model_kind} prompt would go to tune {tune.prompt_target_id}, "
            f"not to the free fast tune {tune.remote_id}"
        )
    return tune.prompt_target_id


def run(client, images, say, *, poll=5.0, timeout=900.0):
    """Run the journey for every model; say(step, seconds, detail) reports each step."""
    journey = Journey()
    try:
        for model_kind in MODELS:
            _one_model(client, journey, model_kind, images, say, poll, timeout)
    finally:
        _clean_up(client, journey, say)


def _one_model(client, journey, model_kind, images, say, poll, timeout):
    tune = Tune(model_kind=model_kind, class_name="man", test_mode=True, name="astria check")
    fields = free_tune_fields(tune)
    started = time.monotonic()
    remote = client.create_tune(images=images, **{**fields, "title": str(uuid.uuid4())})
    journey.tunes.append(remote.id)
    say(f"{model_kind}: create fast tune", started, f"tune {remote.id}")

    started = time.monotonic()
    remote = _wait(lambda: client.get_tune(remote.id), lambda r: r.is_trained or r.is_failed,
                   poll, timeout, f"tune {remote.id} to train")  # fmt: skip
    if remote.is_failed:
        raise SmokeFailed(f"tune {remote.id} failed on Astria: {remote.failure}")
    say(f"{model_kind}: trained", started, f"trained_at {remote.trained_at:%H:%M:%S}")

    tune.remote_id = remote.id
    target = free_prompt_target(tune)
    started = time.monotonic()
    prompt = client.create_prompt(target, text=astria_text(tune, PROMPT), num_images=1)
    journey.prompts.append((prompt.id, target))
    say(f"{model_kind}: create test-mode prompt", started, f"prompt {prompt.id} on {target}")

    started = time.monotonic()
    prompt = _wait(lambda: client.get_prompt(prompt.id, tune_id=target),
                   lambda p: p.is_done or p.is_failed, poll, timeout,
                   f"prompt {prompt.id} to finish")  # fmt: skip
    if prompt.is_failed:
        raise SmokeFailed(f"prompt {prompt.id} failed on Astria: {prompt.failure}")
    say(f"{model_kind}: images ready", started, f"{len(prompt.images)} image(s)")

    started = time.monotonic()
    try:
        content, _ = media.download(
            prompt.images[0],
            hosts=settings.ASTRIA_MEDIA_HOSTS,
            max_bytes=settings.IMAGE_MAX_BYTES,
            timeout=settings.IMAGE_DOWNLOAD_TIMEOUT,
        )
        picture = inspect(content)
    except (media.DownloadRefused, media.DownloadFailed, ValueError) as exc:
        raise SmokeFailed(f"downloading {prompt.images[0]} failed: {exc}") from None
    detail = f"{picture.width}×{picture.height} {picture.content_type}, {len(content):,} bytes"
    say(f"{model_kind}: download one image", started, detail)


def _wait(fetch, done, poll, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        found = fetch()
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise SmokeFailed(f"gave up waiting {timeout:.0f} s for {what}")
        time.sleep(poll)


def _clean_up(client, journey, say):
    started = time.monotonic()
    left = []
    for prompt_id, tune_id in journey.prompts:
        left += _delete(f"prompt {prompt_id}", client.delete_prompt, prompt_id, tune_id)
    for tune_id in journey.tunes:
        left += _delete(f"tune {tune_id}", client.delete_tune, tune_id)
    made = f"{len(journey.tunes)} tune(s), {len(journey.prompts)} prompt(s)"
    say("delete everything made", started, made + "".join(f"; NOT deleted: {x}" for x in left))


def _delete(what, call, *args):
    try:
        call(*args)
    except astria.NotFound:
        pass  # already gone counts as deleted
    except astria.AstriaError as exc:
        return [f"{what} ({exc})"]
    return []
