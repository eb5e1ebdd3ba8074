"""Real-browser tests: Debian's Chromium driven by Playwright against the running stack.

The stack is the one the drills use: the emulator, gunicorn and a django-q2
worker as separate processes on loopback, with fast timings. Screenshots of
each step go to BROWSER_SCREENSHOTS (default var/screenshots/).
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from drills.stack import Stack
from tests.accounts.oauth_standin import OAuthStandIn

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", Path(__file__).parents[2] / "var/screenshots"))
ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("BROWSER_TESTS_REQUIRED"):
        raise pytest.UsageError(f"Chromium is required for the browser tests: {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


GOOGLE = {"client_id": "browser-test.apps.googleusercontent.com", "client_secret": "browser-secret"}


@pytest.fixture(scope="session")
def google():
    """The loopback stand-in for Google's OAuth server that the stack signs in with."""
    with OAuthStandIn(**GOOGLE) as standin:
        yield standin


@pytest.fixture(scope="session")
def stack(tmp_path_factory, google):
    stack = Stack(tmp_path_factory.mktemp("stack"), train_seconds=2, prompt_seconds=1)
    # One person at a time here, so production's bound on decoding holds (and a test
    # can take its one slot).
    stack.env["UPLOADS_AT_ONCE"] = "1"
    stack.env.update(
        GOOGLE_CLIENT_ID=GOOGLE["client_id"],
        GOOGLE_CLIENT_SECRET=GOOGLE["client_secret"],
        GOOGLE_OAUTH_URL=google.base_url,
    )
    with stack as running:
        yield running


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Page:
    """A Playwright page that records console errors and numbers its screenshots."""

    def __init__(self, page, base_url, folder):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.errors = []
        self.shots = 0
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def goto(self, path):
        return self.page.goto(f"{self.base_url}{path}")

    def goto_missing(self, path):
        """Visit a page that must be gone; its own 404 is not a console error."""
        response = self.goto(path)
        self.errors = [error for error in self.errors if f"{self.base_url}{path})" not in error]
        return response

    def shot(self, name):
        self.shots += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.shots:02d}-{slug}.png", full_page=True)

    def __getattr__(self, name):
        return getattr(self.page, name)


def open_page(chromium, stack, request, width=1280, height=900):
    context = chromium.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    folder = SHOTS / request.node.name.removeprefix("test_")
    shutil.rmtree(folder, ignore_errors=True)
    page = Page(context.new_page(), stack.web_url, folder)
    page.mail_dir = stack.mail_dir  # where the stack's e-mails are written
    return context, page


@pytest.fixture
def page(chromium, stack, request):
    context, page = open_page(chromium, stack, request)
    yield page
    context.close()
    assert page.errors == [], f"console errors: {page.errors}"


@pytest.fixture
def phone(chromium, stack, request):
    context, page = open_page(chromium, stack, request, width=390, height=844)
    yield page
    context.close()
    assert page.errors == [], f"console errors: {page.errors}"
