"""The shared machinery charges through a registered backend and imports no billing."""

import ast
from pathlib import Path

from astria_portal import quota
from billing import credits

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_astria_portal_never_imports_billing():
    found = [
        (str(path.relative_to(ROOT)), module)
        for path in (ROOT / "astria_portal").rglob("*.py")
        for module in imported_modules(path)
        if module == "billing" or module.startswith("billing.")
    ]
    assert found == []


def test_the_billing_app_registers_the_credits_backend_as_it_starts(settings):
    settings.BILLING_MODE = "credits"
    assert quota.backend() is credits
    settings.BILLING_MODE = "allowance"
    assert quota.backend() is None
