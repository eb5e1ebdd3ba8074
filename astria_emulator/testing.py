"""Helpers for tests that need a running emulator (no pytest dependency)."""

import contextlib

from .app import Emulator


@contextlib.contextmanager
def running_emulator(host="127.0.0.1", port=0, **kwargs):
    """Run an Emulator for the block; by default instant (train/prompt seconds 0), its
    API and media host on free ports."""
    kwargs.setdefault("api_key", "test-key")
    kwargs.setdefault("train_seconds", 0.0)
    kwargs.setdefault("prompt_seconds", 0.0)
    kwargs.setdefault("media_port", 0)
    emulator = Emulator(**kwargs).start(host=host, port=port)
    try:
        yield emulator
    finally:
        emulator.stop()
