"""Bad input as a person makes it: clear messages, and nothing entered is lost."""

import fcntl
import os
import re

import environ
from playwright.sync_api import expect

from astria_portal import slots
from tests.browser.test_tune_journey import photos, sign_up


def test_a_pdf_renamed_jpg_is_named_and_the_other_photos_stay_chosen(page):
    sign_up(page, "olga")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Olga at work")
    pdf = {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"}
    page.set_input_files("input[type=file]", [*photos(4), pdf])
    expect(page.locator("#previews li")).to_have_count(5)
    page.click("#tune-form button[type=submit]")

    # Named on its tile by the browser, before anything is uploaded.
    bad = page.locator("#previews li.preview-bad")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("scan.jpg is not a JPEG, PNG, WebP or HEIC image")
    expect(page.page).to_have_url(re.compile("/tunes/new/$"))
    page.shot("pdf refused")
    expect(page.locator("input[name=name]")).to_have_value("Olga at work")
    expect(page.locator("#previews li")).to_have_count(5)  # nothing to choose again

    page.click("#previews li:nth-child(5) .preview-remove")
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("“Olga at work” is on its way")


def test_a_busy_portal_asks_to_send_again_and_the_photos_stay_chosen(page, stack):
    sign_up(page, "uma")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Uma by the sea")
    page.set_input_files("input[type=file]", photos(4))
    # Take the one upload slot of the stack's web server, as another upload would.
    database = environ.Env.db_url_config(stack.env["DATABASE_URL"])
    lock = slots.path("uploads", 0, database)
    lock.parent.mkdir(mode=0o700, exist_ok=True)
    held = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        page.click("#tune-form button[type=submit]")
        expect(page.locator("#tune-form .form-errors")).to_contain_text(
            "The portal is busy preparing other photos right now."
        )
        page.shot("busy")
        expect(page.locator("input[name=name]")).to_have_value("Uma by the sea")
        expect(page.locator("#previews li")).to_have_count(4)
    finally:
        os.close(held)
    # The browser reports the 503 answer itself; the page handled it.
    page.errors = [error for error in page.errors if "status of 503" not in error]

    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("“Uma by the sea” is on its way")


def test_too_few_photos_and_a_huge_one_are_stopped_before_uploading(page, stack, tmp_path):
    sign_up(page, "piet")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Piet")
    page.set_input_files("input[type=file]", photos(2))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#photo-summary")).to_contain_text("add at least 2 more")
    page.shot("too few")

    # From a file, not a buffer: Chromium then reads it itself, instead of 21 MB
    # travelling through the test protocol (slow on a busy machine).
    chosen = []
    for payload in photos(4):
        chosen.append(tmp_path / payload["name"])
        chosen[-1].write_bytes(payload["buffer"])
    chosen.append(tmp_path / "huge.jpg")
    chosen[-1].write_bytes(b"\xff\xd8" + b"0" * (21 << 20))
    page.set_input_files("input[type=file]", chosen)
    expect(page.locator("#photo-summary")).to_contain_text("1 cannot be used (marked)")
    expect(page.locator("#previews li.preview-bad")).to_contain_text(
        "huge.jpg is larger than the maximum of 20.0 MB"
    )
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(f"{stack.web_url}/tunes/new/")
    expect(page.locator("input[name=name]")).to_have_value("Piet")
    page.shot("too large")


def test_an_empty_prompt_is_refused_and_the_settings_chosen_stay(page):
    sign_up(page, "quinn")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Quinn")
    page.set_input_files("input[type=file]", photos(4))
    page.click("#tune-form button[type=submit]")
    expect(page.locator(".prompt-form")).to_be_visible()

    page.fill("textarea[name=text]", "   ")
    page.click("#new-prompt summary:has-text('Options')")
    page.fill("input[name=num_images]", "6")
    page.select_option("select[name=aspect_ratio]", "4:5")
    page.fill("input[name=negative_prompt]", "sunglasses")
    page.click(".prompt-form button[type=submit]")
    expect(page.locator(".prompt-form .errorlist")).to_contain_text(
        "Describe the picture you want."
    )
    expect(page.locator("input[name=num_images]")).to_have_value("6")
    expect(page.locator("select[name=aspect_ratio]")).to_have_value("4:5")
    expect(page.locator("input[name=negative_prompt]")).to_have_value("sunglasses")
    # Folded again, the options still say what they are set to.
    expect(page.locator(".options-summary")).to_have_text(
        "· 6 images · shape 4:5 · leaving out “sunglasses”"
    )
    expect(page.locator(".prompt-card")).to_have_count(0)
    page.shot("empty prompt")
