"""A new user, in a real browser, from sign-up to a trained fine-tune."""

import re

from playwright.sync_api import expect

from drills.portal import photo


def sign_up(page, username):
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=password1]", "browser-Pass-2026")
    page.fill("input[name=password2]", "browser-Pass-2026")
    page.click("form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(f"Welcome, {username}")


def photos(count, start=0):
    return [
        {"name": f"me-{n}.jpg", "mimeType": "image/jpeg", "buffer": photo(n)}
        for n in range(start, start + count)
    ]


def test_a_new_user_trains_a_fine_tune_without_reloading(page, stack):
    sign_up(page, "nora")
    page.shot("signed up")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Nora in spring")
    page.select_option("select[name=class_name]", "woman")
    page.set_input_files("input[type=file]", photos(5))
    expect(page.locator("#previews li")).to_have_count(5)
    expect(page.locator("#previews img").first).to_be_visible()
    page.shot("five photos with previews")

    page.click("#previews li:nth-child(3) .preview-remove")
    expect(page.locator("#previews li")).to_have_count(4)
    page.check("input[name=test_mode]")
    page.shot("one removed")
    page.click("#tune-form button[type=submit]")

    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("on its way to Astria")
    page.shot("submitted")
    url = page.url
    # The status box updates itself: no reload, the same document throughout.
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    assert page.evaluate("window.__sameDocument") is True
    assert page.url == url
    expect(page.locator("#tune-status")).to_contain_text("Stored until")
    page.shot("trained")

    code = url.rstrip("/").split("/")[-1]
    [remote] = [t for t in stack.remote("/tunes") if f"/callbacks/tune/{code}/" in t["callback"]]
    assert len(remote["orig_images"]) == 4  # the removed photo was not sent
    assert remote["branch"] == "fast"
