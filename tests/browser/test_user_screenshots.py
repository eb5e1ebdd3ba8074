"""The end user's journey at 1280 and 390 px, one screenshot a step, and nothing wider
than the screen. With USER_SCREENSHOTS=docs/screenshots the pictures the README shows
are written there too (user-<step>-<width>.png)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone import fits
from tests.browser.test_tune_journey import photos, sign_up
from tests.browser.test_upload_form import small_jpeg, upload

LOADED = """document.querySelectorAll("img[loading=lazy]").forEach(img => img.loading = "eager");
    Promise.all([...document.images].map(img => img.complete ? null
        : new Promise(done => { img.onload = img.onerror = done; })))"""
DOCS = os.environ.get("USER_SCREENSHOTS")


def keep(page, name):
    page.evaluate(LOADED)
    assert fits(page), f"{name} is wider than the screen"
    page.shot(name)
    if DOCS:
        width = page.viewport_size["width"]
        page.screenshot(path=Path(DOCS) / f"user-{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("screen", ["page", "phone"])
def test_the_user_journey_at_desktop_and_phone_width(request, stack, screen):
    page = request.getfixturevalue(screen)
    width = page.viewport_size["width"]
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", f"lou{width}")
    page.fill("input[name=password1]", "password")
    page.click("text=Create account")
    expect(page.locator(".errorlist").first).to_have_text(
        "Enter your e-mail address: we send a link to it."
    )
    keep(page, "signup")

    sign_up(page, f"mia{width}")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Mia in spring")
    chosen = [*photos(5, start=140), upload("tiny.jpg", small_jpeg())]
    page.set_input_files("input[type=file]", chosen)
    expect(page.locator("#previews li.preview-bad")).to_have_count(1)
    keep(page, "tune-new")
    page.click("#previews li[data-name='tiny.jpg'] .preview-remove")

    stack.control("POST", "config", {"train_seconds": 20})
    try:
        page.click("#tune-form button[type=submit]")
        badge = page.locator("#tune-status .badge")
        expect(badge).to_have_text(re.compile("Starting|Sending|Training"))
        page.fill("textarea[name=text]", "a portrait of a woman in a linen shirt, window light")
        page.click(".prompt-form button[type=submit]")
        expect(page.locator(".prompt-card .badge")).to_have_text("Waits for training")
        keep(page, "tune-training")
    finally:
        stack.control("POST", "config", {"train_seconds": 2})
    expect(page.locator(".prompt-card a.thumb img")).to_have_count(4, timeout=60_000)
    # Opened again, the first image is on the first screen, without scrolling, at
    # either width (the page that was open still shows what it said while training).
    page.page.reload()
    expect(page.locator(".prompt-card a.thumb img")).to_have_count(4)
    assert page.locator(".prompt-card a.thumb").first.bounding_box()["y"] < 844
    keep(page, "tune-images")

    page.goto("/tunes/")
    expect(page.locator(".tune-card")).to_contain_text("4 images")
    keep(page, "tunes")
