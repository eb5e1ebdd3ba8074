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
from .pack_objects import (
    INSPECTION_FINDINGS,
    Inspection,
    RemotePack,
    parse_inspection,
    parse_pack,
    read_characteristics,
)
from .rails_form import rails_form

__all__ = [
    "INSPECTION_FINDINGS",
    "Account",
    "Inspection",
    "RemotePack",
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
    "parse_inspection",
    "parse_pack",
    "parse_prompt",
    "parse_tune",
    "rails_form",
    "read_characteristics",
    "referenced_tune_id",
]
