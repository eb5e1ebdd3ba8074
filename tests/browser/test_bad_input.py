"""Bad input as a person makes it: clear messages, and nothing entered is lost."""

import re

from playwright.sync_api import expect

from tests.browser.test_tune_journey import photos, sign_up


def test_a_pdf_renamed_jpg_is_named_and_the_other_photos_stay_chosen(page):
    sign_up(page, "olga")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Olga at work")
    pdf = {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"}
    page.set_input_files("input[type=file]", [*photos(4), pdf])
    expect(page.locator("#previews li")).to_have_count(5)
    page.click("#tune-form button[type=submit]")

    error = page.locator("#tune-form .errorlist")
    expect(error).to_contain_text("scan.jpg is not a JPEG, PNG, WebP or HEIC image")
    page.shot("pdf refused")
    expect(page.locator("input[name=name]")).to_have_value("Olga at work")
    expect(page.locator("#previews li")).to_have_count(5)  # nothing to choose again

    page.click("#previews li:nth-child(5) .preview-remove")
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("“Olga at work” is on its way")


def test_too_few_photos_and_a_huge_one_are_stopped_before_uploading(page, stack):
    sign_up(page, "piet")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Piet")
    page.set_input_files("input[type=file]", photos(2))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#photo-summary")).to_contain_text("add at least 2 more")
    page.shot("too few")

    huge = {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * (21 << 20)}
    page.set_input_files("input[type=file]", [*photos(4), huge])
    expect(page.locator("#photo-summary")).to_contain_text("huge.jpg too large (max 20.0 MB)")
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(f"{stack.web_url}/tunes/new/")
    expect(page.locator("input[name=name]")).to_have_value("Piet")
    page.shot("too large")
