"""All of the emulator's state behind one lock, optionally saved to a data directory.

Tunes and prompts are plain dicts ("records") holding the public fields, with
timestamps as epoch milliseconds, plus a few internal keys (`deleted_at`,
`expired`, `fail_with`, `callback_due`, ...). Deleted and expired records stay
as tombstones so `/_emulator/state` can count them; the API answers 404 for them.
"""

import json
import os
import threading
from collections import deque
from pathlib import Path

from . import blobs, packs
from .faults import FaultBook

FIRST_TUNE_ID = 1_000_001
FIRST_PROMPT_ID = 20_000_001
DEFAULT_BALANCE_MC = 100_000_000  # $1,000
LOG_LENGTH = 1000

# The public base models every account can prompt (§3.1); trained long ago.
_GALLERY_TRAINED_AT = 1_722_470_400_000  # 2024-08-01T00:00:00.000Z
GALLERY_TUNES = [
    (1504944, "Flux.1 dev", "flux1", "ohwx"),
    (690204, "Realistic Vision v5.1", "sd15", "sks"),
    (666678, "SDXL 1.0", "sdxl1", "ohwx"),
]


def gallery_record(tune_id, title, branch, token):
    return {
        "id": tune_id,
        "title": title,
        "name": None,
        "is_api": False,
        "token": token,
        "callback": None,
        "prompts_callback": None,
        "branch": branch,
        "base_tune_id": None,
        "model_type": None,
        "steps": None,
        "face_crop": False,
        "training_face_correct": False,
        "preset": None,
        "auto_extend": False,
        "characteristics": None,
        "orig_images": [],
        "cost_mc": 0,
        "user_error": None,
        "failed_at": None,
        "created_at": _GALLERY_TRAINED_AT,
        "updated_at": _GALLERY_TRAINED_AT,
        "started_training_at": _GALLERY_TRAINED_AT,
        "eta": _GALLERY_TRAINED_AT,
        "trained_at": _GALLERY_TRAINED_AT,
        "expires_at": None,
        "checkpoint_deleted_at": None,
        "start_due": _GALLERY_TRAINED_AT,
        "train_due": _GALLERY_TRAINED_AT,
        "gallery": True,
        "deleted_at": None,
        "expired": False,
        "failed": None,
        "fail_message": None,
        "fail_with": None,
        "callback_due": False,
    }


# Keys older state files lack, with the value they stand for there.
_ADDED_TUNE_KEYS = {
    "prompts_callback": None,
    "failed_at": None,
    "fail_message": None,
    "checkpoint_deleted_at": None,
}
_ADDED_PROMPT_KEYS = {"failed_at": None}


def _upgraded(record, added):
    """Bring a record saved by an older emulator up to the current keys."""
    record = {**added, **record}
    record.setdefault("failed", "user_error" if record.get("user_error") else None)
    if "train_due" in record:  # a tune
        record.setdefault("start_due", record["train_due"])
    if isinstance(record.get("fail_with"), str):
        record["fail_with"] = {"message": record["fail_with"], "signal": "user_error"}
    return record


class State:
    def __init__(self, api_key, config, data_dir=None):
        """`config` holds the starting values of train_seconds, prompt_seconds,
        idempotency and callback_body; reset() goes back to them."""
        self.api_key = api_key
        # Re-entrant so helpers may lock again; nothing sleeps or does network I/O under it.
        self.lock = threading.RLock()
        # Serialises lifecycle ticks so a forced "finish" never races the ticker thread.
        self.tick_lock = threading.Lock()
        self.defaults = dict(config)
        self.data_dir = Path(data_dir) if data_dir else None
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.blobs = blobs.DiskBlobs(self.data_dir / "files")
        else:
            self.blobs = blobs.MemoryBlobs()
        self.base_url = "http://127.0.0.1"
        self.media_url = "http://127.0.0.1"
        self.faults = FaultBook()
        self.request_log = deque(maxlen=LOG_LENGTH)
        self.generation = 0  # bumped by reset(), so late answers of older calls are not logged
        self.callback_log = deque(maxlen=LOG_LENGTH)
        self._clear()
        if self.data_dir:
            self._load()

    # --- lifecycle of the whole state -------------------------------------------

    def reset(self):
        with self.lock:
            self.generation += 1
            self.blobs.clear()
            self.faults.clear()
            self.request_log.clear()
            self.callback_log.clear()
            self._clear()
            self.save()

    def _clear(self):
        self.config = {
            "train_seconds": float(self.defaults["train_seconds"]),
            "prompt_seconds": float(self.defaults["prompt_seconds"]),
            # Off on a new Astria account until switched on in its API settings.
            "idempotency": bool(self.defaults.get("idempotency", False)),
            "callbacks_enabled": True,
            "callback_body": self.defaults.get("callback_body", "full"),
        }
        self.balance_mc = DEFAULT_BALANCE_MC
        self.tunes = {row[0]: gallery_record(*row) for row in GALLERY_TUNES}
        self.packs = packs.catalogue()
        self.prompts = {}
        self.files = {}
        self.pending_failures = []
        self.next_tune_id = FIRST_TUNE_ID
        self.next_prompt_id = FIRST_PROMPT_ID

    def _state_file(self):
        return self.data_dir / "state.json"

    def _load(self):
        try:
            saved = json.loads(self._state_file().read_text())
        except FileNotFoundError:
            return
        tunes = (_upgraded(tune, _ADDED_TUNE_KEYS) for tune in saved["tunes"])
        self.tunes.update({tune["id"]: tune for tune in tunes})
        prompts = (_upgraded(prompt, _ADDED_PROMPT_KEYS) for prompt in saved["prompts"])
        self.prompts = {prompt["id"]: prompt for prompt in prompts}
        self.files = saved["files"]
        self.balance_mc = saved["balance_mc"]
        self.next_tune_id = saved["next_tune_id"]
        self.next_prompt_id = saved["next_prompt_id"]

    def save(self):
        """Write the state file atomically; a no-op without a data directory."""
        if not self.data_dir:
            return
        with self.lock:
            snapshot = {
                "tunes": [tune for tune in self.tunes.values() if not tune.get("gallery")],
                "prompts": list(self.prompts.values()),
                "files": self.files,
                "balance_mc": self.balance_mc,
                "next_tune_id": self.next_tune_id,
                "next_prompt_id": self.next_prompt_id,
            }
            temporary = self._state_file().with_suffix(".tmp")
            temporary.write_text(json.dumps(snapshot))
            os.replace(temporary, self._state_file())

    # --- records ------------------------------------------------------------------

    def take_tune_id(self):
        tune_id = self.next_tune_id
        self.next_tune_id += 1
        return tune_id

    def take_prompt_id(self):
        prompt_id = self.next_prompt_id
        self.next_prompt_id += 1
        return prompt_id

    def live_tune(self, tune_id):
        tune = self.tunes.get(tune_id)
        if tune is None or tune["deleted_at"] is not None or tune["expired"]:
            return None
        return tune

    def live_prompt(self, prompt_id):
        prompt = self.prompts.get(prompt_id)
        if prompt is None or prompt["deleted_at"] is not None:
            return None
        if self.live_tune(prompt["tune_id"]) is None:
            return None
        return prompt

    # --- files --------------------------------------------------------------------

    def store_file(self, data, content_type):
        key = blobs.new_key()
        self.blobs.put(key, data)
        self.files[key] = {"content_type": content_type}
        return key

    def drop_files(self, keys):
        for key in keys:
            self.files.pop(key, None)
            self.blobs.delete(key)

    def read_file(self, key):
        """Return (bytes, content type) for a stored file, or None once it is gone."""
        with self.lock:
            meta = self.files.get(key)
            if meta is None:
                return None
            data = self.blobs.get(key)
        if data is None:
            return None
        return data, meta["content_type"]

    def url(self, path):
        """An address on the API host."""
        return f"{self.base_url}{path}"

    def media_file_url(self, key):
        """A stored file's address on the media host, like `https://mp.astria.ai/<key>`."""
        return f"{self.media_url}/{key}"
