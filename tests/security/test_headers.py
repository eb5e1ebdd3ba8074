"""Every page carries the Content-Security-Policy and the other security headers."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/tunes/", "/tunes/new/", "/admin/",
         "/admin/dashboard/", "/admin/tunes/tune/", "/no-such-page/"]  # fmt: skip


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_policy_and_the_headers(client, staff, path, emulator):
    client.force_login(staff)
    response = client.get(path)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_the_policy_allows_nothing_inline():
    from django.conf import settings

    for values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].values():
        assert "'unsafe-inline'" not in values
        assert "'unsafe-eval'" not in values


def test_no_template_or_script_needs_inline_code_or_styles():
    """What the policy would block: style attributes, <style>, inline <script>, on* handlers."""
    inline = re.compile(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}: {match.group().strip()}"
        for folder in ("templates", "static/js")
        for path in (ROOT / folder).rglob("*.*")
        if path.suffix in (".html", ".js")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


def test_scripts_set_no_style_attributes_or_markup():
    """Scripts may set element.style (the CSSOM is allowed), not a style attribute."""
    for path in (ROOT / "static/js").glob("*.js"):
        text = path.read_text()
        assert 'setAttribute("style"' not in text, path.name
        assert "style=" not in text, path.name


def test_hsts_in_production():
    from tests.portal.test_settings import PRODUCTION, manage

    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
        **PRODUCTION,
    )  # fmt: skip
    assert result.stdout.splitlines()[-1] == "31536000", result.stderr
