"""Per-object callback URLs and their verification (RELIABILITY.md §1.5).

Astria signs nothing, so the URL is the secret: its token is an HMAC (Django's
Signer, SHA-256, constant-time compare, SECRET_KEY_FALLBACKS for rotation) of
the kind, the object's public code and a random per-object nonce. The token is
the same on every retry, so Astria's prompt idempotency (which compares the
callback URL) keeps working.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "astria-callback-v1"


def _signer():
    return signing.Signer(salt=SALT, fallback_keys=settings.SECRET_KEY_FALLBACKS)


def _value(kind, code, secret):
    return f"{kind}:{code}:{secret}"


def callback_token(kind, code, secret):
    return _signer().signature(_value(kind, code, secret))


def token_is_valid(kind, code, secret, token):
    if not token:
        return False
    signer = _signer()
    try:
        signer.unsign(f"{_value(kind, code, secret)}{signer.sep}{token}")
    except signing.BadSignature:
        return False
    return True


def callback_url(kind, job):
    path = reverse("callback", kwargs={"kind": kind, "code": job.code})
    token = callback_token(kind, job.code, job.callback_secret)
    return f"{settings.PUBLIC_BASE_URL}{path}?token={token}"


def pack_callback_url(tune):
    """Where Astria calls for a pack's prompts on the tune: each prompt's callback
    (one URL for all, ``prompt_attributes[callback]``) and ``prompts_callback``.
    Signed like the tune's own, with the kind "pack"; served by the packs app."""
    path = reverse("packs:callback", kwargs={"code": tune.code})
    token = callback_token("pack", tune.code, tune.callback_secret)
    return f"{settings.PUBLIC_BASE_URL}{path}?token={token}"


# kind -> model. The model names its refresh task, which reads the object from the API.
KINDS = {"tune": "tunes.Tune", "prompt": "prompts.Prompt"}
