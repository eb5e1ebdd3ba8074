"""The one seam between the portal and Astria's HTTP API.

Views and tasks use ``get_client()`` and the names below; nothing else in the
portal imports ``requests``. The contract is /work/shared/ASTRIA_API.md.
"""

from .client import AstriaClient, get_client
from .errors import (
    Ambiguous,
    AstriaError,
    InvalidCreateResponse,
    InvalidReadResponse,
    InvalidResponse,
    NotFound,
    PermanentError,
    RetryLater,
    Unauthorized,
)
from .objects import (
    Account,
    RemotePrompt,
    RemoteTune,
    faceid_tag,
    lora_tag,
    parse_account,
    parse_prompt,
    parse_tune,
    referenced_tune_id,
)
from .rails_form import rails_form

__all__ = [
    "Account",
    "Ambiguous",
    "AstriaClient",
    "AstriaError",
    "InvalidCreateResponse",
    "InvalidReadResponse",
    "InvalidResponse",
    "NotFound",
    "PermanentError",
    "RemotePrompt",
    "RemoteTune",
    "RetryLater",
    "Unauthorized",
    "faceid_tag",
    "get_client",
    "lora_tag",
    "parse_account",
    "parse_prompt",
    "parse_tune",
    "rails_form",
    "referenced_tune_id",
]
