"""The HTTP client for Astria's API: the only code in the portal that calls it."""

import logging
import time

import requests
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

import astria_portal
from astria_portal import metrics

from .errors import (
    InvalidResponse,
    Unauthorized,
    error_for_exception,
    error_for_response,
    invalid_response,
    response_body,
)
from .objects import parse_account, parse_prompt, parse_tune
from .pack_objects import parse_inspection, parse_pack
from .rails_form import rails_form, text_first

logger = logging.getLogger("astria")

DEFAULT_URL = "https://api.astria.ai"
# Connect fast; read longer than Astria's own 30 s limit so that shows up as a 504.
DEFAULT_TIMEOUT = (10, 45)
MAX_PAGE_SIZE = 120


def user_agent():
    return f"astria-portal/{getattr(astria_portal, '__version__', 'dev')}"


class _Secret(str):
    """A header value whose repr hides it, so debug pages and tracebacks don't show it."""

    def __repr__(self):
        return "'********'"


class AstriaClient:
    """Talk to Astria. Every failure raises an ``AstriaError`` subclass (see errors.py)."""

    @sensitive_variables("api_key")
    def __init__(self, base_url, api_key, *, timeout=DEFAULT_TIMEOUT, session=None):
        if not api_key:
            raise Unauthorized("no Astria API key is configured (ASTRIA_API_KEY)")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        # The key lives only here, inside the session's headers.
        self.session.headers.update(
            {
                "Authorization": _Secret("Bearer " + api_key),
                "User-Agent": user_agent(),
                "Accept": "application/json",
            }
        )

    def __repr__(self):
        return f"<AstriaClient {self.base_url} key=********>"

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # Tunes

    def create_tune(
        self,
        *,
        title,
        name,
        images=(),
        image_urls=(),
        callback=None,
        branch=None,
        base_tune_id=None,
        model_type=None,
        token=None,
        steps=None,
        face_crop=None,
        training_face_correct=None,
        preset=None,
        auto_extend=None,
        characteristics=None,
        prompts=(),
    ):
        """POST /tunes. ``images`` are ``(filename, bytes_or_file, content_type)``."""
        fields = {
            "title": title,
            "name": name,
            "callback": callback,
            "branch": branch,
            "base_tune_id": base_tune_id,
            "model_type": model_type,
            "token": token,
            "steps": steps,
            "face_crop": face_crop,
            "training_face_correct": training_face_correct,
            "preset": preset,
            "auto_extend": auto_extend,
            "characteristics": characteristics,
            "image_urls": list(image_urls),
            "images": list(images),
            "prompts_attributes": [text_first(prompt) for prompt in prompts],
        }
        return self._call("POST", "/tunes", parse_tune, files=rails_form("tune", fields))

    def get_tune(self, tune_id):
        return self._call("GET", f"/tunes/{int(tune_id)}", parse_tune)

    def iter_tunes(self, page_size=100):
        """Every tune, newest first, fetched page by page with ``before_id``."""
        return self._paginate("/tunes", parse_tune, page_size)

    def update_tune(self, tune_id, **fields):
        """PATCH /tunes/:id, e.g. ``update_tune(1, auto_extend=True)``."""
        path = f"/tunes/{int(tune_id)}"
        return self._call("PATCH", path, parse_tune, files=rails_form("tune", fields))

    def delete_tune(self, tune_id):
        """DELETE /tunes/:id. Raises ``NotFound`` if it is already gone."""
        self._send("DELETE", f"/tunes/{int(tune_id)}")

    # Prompts

    def create_prompt(
        self,
        tune_id,
        *,
        text,
        callback=None,
        negative_prompt=None,
        num_images=None,
        seed=None,
        cfg_scale=None,
        steps=None,
        aspect_ratio=None,
        w=None,
        h=None,
        super_resolution=None,
        face_correct=None,
        inpaint_faces=None,
        hires_fix=None,
        scheduler=None,
        **extra,
    ):
        """POST /tunes/:tune_id/prompts. For a Flux LoRA or FaceID prompt pass the
        base tune id and put ``lora_tag(user_tune_id)`` in ``text``."""
        fields = {
            "text": text,
            "callback": callback,
            "negative_prompt": negative_prompt,
            "num_images": num_images,
            "seed": seed,
            "cfg_scale": cfg_scale,
            "steps": steps,
            "aspect_ratio": aspect_ratio,
            "w": w,
            "h": h,
            "super_resolution": super_resolution,
            "face_correct": face_correct,
            "inpaint_faces": inpaint_faces,
            "hires_fix": hires_fix,
            "scheduler": scheduler,
            **extra,
        }
        path = f"/tunes/{int(tune_id)}/prompts"
        return self._call("POST", path, parse_prompt, files=rails_form("prompt", fields))

    def get_prompt(self, prompt_id, tune_id=None):
        return self._call("GET", _prompt_path(prompt_id, tune_id), parse_prompt)

    def iter_prompts(self, tune_id=None, page_size=100):
        """Prompts of one tune (or all of them), newest first."""
        path = "/prompts" if tune_id is None else f"/tunes/{int(tune_id)}/prompts"
        return self._paginate(path, parse_prompt, page_size)

    def delete_prompt(self, prompt_id, tune_id=None):
        self._send("DELETE", _prompt_path(prompt_id, tune_id))

    # Likes

    def like_prompt(self, prompt_id):
        """POST /prompts/:id/likes: 201 and no body. A pack prompt's original is liked too.

        There is no documented way to take a like back: the "delete a like" page shows
        this same call, so the portal never sends one.
        """
        self._send("POST", f"/prompts/{int(prompt_id)}/likes")

    # Packs (astria-docs docs/api/2-pack/)

    def list_packs(self, gallery=False):
        """GET /packs (the account's own) or GET /gallery/packs: a bare array, no paging."""
        path = "/gallery/packs" if gallery else "/packs"
        response = self._send("GET", path)
        page = _json(response, "GET", path)
        if not isinstance(page, list):
            raise _invalid("expected a JSON array", response, "GET", path)
        return [_parse(parse_pack, item, response, "GET", path) for item in page]

    def get_pack(self, pack_id):
        """GET /p/:id: the detail, with ``costs`` and ``prompts_per_class``."""
        return self._call("GET", f"/p/{int(pack_id)}", parse_pack)

    def create_pack_tune(
        self,
        pack_id,
        *,
        title,
        name,
        images=(),
        callback=None,
        prompt_callback=None,
        prompts_callback=None,
        branch=None,
        characteristics=None,
    ):
        """POST /p/:pack_id/tunes: a tune, whose prompts the pack creates on Astria.

        Base model, model type, preset and prompts come from the pack. Astria calls
        ``prompt_callback`` for each pack prompt (``tune[prompt_attributes][callback]``,
        a singular hash) and ``prompts_callback`` once all of them are done."""
        fields = {
            "title": title,
            "name": name,
            "callback": callback,
            "branch": branch,
            "characteristics": characteristics or None,
            "prompt_attributes": {"callback": prompt_callback} if prompt_callback else None,
            "prompts_callback": prompts_callback,
            "images": list(images),
        }
        path = f"/p/{int(pack_id)}/tunes"
        return self._call("POST", path, parse_tune, files=rails_form("tune", fields))

    def run_pack(self, pack_id, tune_ids, *, prompt_callback=None, prompts_callback=None):
        """POST /p/:pack_id/tunes with ``tune_ids``: the pack's prompts on trained tunes.

        Returns the prompt ids the answer lists (possibly none: they are found by
        listing the tune's prompts anyway)."""
        fields = {
            "tune_ids": [int(tune_id) for tune_id in tune_ids],
            "prompt_attributes": {"callback": prompt_callback} if prompt_callback else None,
            "prompts_callback": prompts_callback,
        }
        path = f"/p/{int(pack_id)}/tunes"
        response = self._send("POST", path, files=rails_form("tune", fields))
        body = _json(response, "POST", path)
        ids = body.get("prompt_ids") if isinstance(body, dict) else None
        return [i for i in ids if isinstance(i, int) and i > 0] if isinstance(ids, list) else []

    # Photo inspection (astria-docs docs/api/4-images/1-inspect.md)

    def inspect_image(self, *, name, image, timeout=None):
        """POST /images/inspect with the class ``name`` and ``image`` as
        ``(filename, bytes, content_type)``; returns an ``Inspection``."""
        parts = [("name", (None, name)), ("file", image)]
        path = "/images/inspect"
        response = self._send("POST", path, files=parts, timeout=timeout)
        return _parse(parse_inspection, _json(response, "POST", path), response, "POST", path)

    # Account

    def get_account(self):
        """GET /users: email, ``usd_balance_mc`` and the account's settings."""
        return self._call("GET", "/users", parse_account)

    # Plumbing

    def _paginate(self, path, parser, page_size):
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        params = {"limit": page_size}
        while True:
            response = self._send("GET", path, params=params)
            page = _json(response, "GET", path)
            if not isinstance(page, list):
                raise _invalid("expected a JSON array", response, "GET", path)
            if not page:
                return
            items = [_parse(parser, item, response, "GET", path) for item in page]
            before_id = params.get("before_id")
            if before_id is not None and any(item.id >= before_id for item in items):
                # The server ignored the cursor; stop rather than loop forever.
                raise _invalid(f"before_id={before_id} did not advance", response, "GET", path)
            yield from items
            params = {"limit": page_size, "before_id": items[-1].id}

    def _call(self, method, path, parser, **kwargs):
        response = self._send(method, path, **kwargs)
        return _parse(parser, _json(response, method, path), response, method, path)

    # The frames below this one (requests, urllib3) hold the Authorization header.
    @sensitive_variables()
    def _send(self, method, path, *, params=None, files=None, timeout=None):
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                files=files or None,
                timeout=timeout or self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            _log(method, path, type(exc).__name__, started)
            # "from None": a chained traceback would put urllib3's frames, whose locals
            # hold the raw request headers, on Django's debug page.
            raise error_for_exception(exc, method, path) from None
        _log(method, path, response.status_code, started)
        if not 200 <= response.status_code < 300:
            raise error_for_response(response, method, path)
        return response


@sensitive_variables()
def get_client(**kwargs):
    """An ``AstriaClient`` for ``settings.ASTRIA_API_URL`` and ``ASTRIA_API_KEY``."""
    return AstriaClient(
        getattr(settings, "ASTRIA_API_URL", "") or DEFAULT_URL,
        getattr(settings, "ASTRIA_API_KEY", ""),
        **kwargs,
    )


def _prompt_path(prompt_id, tune_id):
    if tune_id is None:
        return f"/prompts/{int(prompt_id)}"
    return f"/tunes/{int(tune_id)}/prompts/{int(prompt_id)}"


def _json(response, method, path):
    try:
        return response.json()
    except ValueError:
        raise _invalid("the body is not JSON", response, method, path) from None
    except RecursionError:
        raise _invalid("the body is nested too deeply", response, method, path) from None


def _parse(parser, data, response, method, path):
    try:
        return parser(data)
    except InvalidResponse as exc:
        raise _invalid(exc.message, response, method, path) from None


def _invalid(message, response, method, path):
    return invalid_response(
        message,
        method=method,
        path=path,
        status=response.status_code,
        body=response_body(response),
    )


def _log(method, path, outcome, started):
    elapsed_ms = round((time.monotonic() - started) * 1000)
    logger.info("%s %s %s %dms", method, path, outcome, elapsed_ms)
    metrics.count_astria_call(method, path, outcome)
