"""A new user, in a real browser, from sign-up to a trained fine-tune."""

import io
import re
import time
import zipfile

from PIL import Image
from playwright.sync_api import expect

from drills.portal import photo
from tests.browser.mail import mail_link


def sign_up(page, username, verify=True):
    """Sign up and, unless told not to, follow the verification link e-mailed."""
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@example.com")
    page.fill("input[name=password1]", "browser-Pass-2026")
    page.fill("input[name=password2]", "browser-Pass-2026")
    page.click("text=Create account")
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    if verify:
        follow_verification(page, f"{username}@example.com")


def follow_verification(page, address):
    page.goto(mail_link(page.mail_dir, address, "/accounts/confirm-email/"))
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(f"You have confirmed {address}")


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
    # Test mode is a staff setting: the stack's ASTRIA_TEST_MODE, never shown to a user.
    expect(page.locator("input[name=test_mode]")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("branch=fast")
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


def test_prompts_images_zip_and_deleting_everything(page, stack):
    sign_up(page, "rosa")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Rosa")
    page.select_option("select[name=class_name]", "woman")
    page.set_input_files("input[type=file]", photos(4, start=10))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    tune_url = page.url

    page.click("text=Corporate headshot")  # a preset fills the text
    expect(page.locator("textarea[name=text]")).not_to_have_value("")
    page.click("#new-prompt summary:has-text('Options')")  # folded in the compact composer
    page.fill("input[name=num_images]", "3")
    page.shot("prompt written")
    page.click(".prompt-form button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()
    card = page.locator(".prompt-card").first
    page.shot("prompt queued")
    # The card fills in by itself as the worker downloads the images.
    expect(card.locator("a.thumb img")).to_have_count(3, timeout=45_000)
    expect(card.locator(".badge")).to_have_text("Done")
    page.shot("images arrived")

    card.locator("a.thumb").nth(1).click()
    dialog = page.locator("dialog.lightbox")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("2 of 3")
    page.shot("lightbox")
    page.keyboard.press("ArrowRight")
    expect(dialog).to_contain_text("3 of 3")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    with page.expect_download() as info:
        page.click("text=Download all images (ZIP)")
    download = info.value
    assert download.suggested_filename == "rosa-images.zip"
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        assert len(names) == 3 and all(name.startswith("rosa/") for name in names)
        for name in names:
            Image.open(io.BytesIO(archive.read(name))).verify()

    card.locator(".prompt-menu summary").click()  # Delete… is in the card's menu
    card.locator("text=Delete…").click()
    page.shot("delete prompt")
    page.click("button.btn-danger")
    expect(page.page).to_have_url(re.compile(re.escape(tune_url)))
    expect(page.locator(".prompt-card")).to_have_count(0, timeout=20_000)

    page.goto(tune_url.removeprefix(stack.web_url) + "delete/")
    page.shot("delete tune")
    page.click("button.btn-danger")
    expect(page.locator(".messages")).to_contain_text("is being deleted")
    code = tune_url.rstrip("/").split("/")[-1]

    def gone():
        remote = stack.remote("/tunes")
        return not [t for t in remote if f"/callbacks/tune/{code}/" in t["callback"]]

    wait(gone, 20)
    assert gone(), "the tune is still on Astria"
    assert page.goto_missing(tune_url.removeprefix(stack.web_url)).status == 404


def wait(check, seconds):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.5)
