"""Favourites, the gallery of all images and the selection ZIP, in a real browser."""

import io
import re
import zipfile

from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_tune_journey import photos, sign_up


def trained_tune_with_images(page, name, count):
    page.goto("/tunes/new/")
    page.fill("input[name=name]", name)
    page.select_option("select[name=class_name]", "woman")
    page.select_option("select[name=preset]", "flux-lora-focus")
    page.set_input_files("input[type=file]", photos(4, start=20))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    page.fill("textarea[name=text]", "a portrait of a woman on a rooftop at dusk")
    page.click("#new-prompt summary:has-text('Options')")  # folded in the compact composer
    page.fill("input[name=num_images]", str(count))
    page.click("summary:has-text('More options')")
    page.select_option("select[name=style]", "Cinematic")
    page.check("input[name=film_grain]")
    page.click(".prompt-form button[type=submit]")
    card = page.locator(".prompt-card").first
    expect(card.locator("a.thumb img")).to_have_count(count, timeout=45_000)
    expect(card).to_contain_text("Cinematic style")
    return card


def shoot(page, path):
    """A full-page screenshot once every image on the page has loaded."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load
    loaded = "() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)"
    for _ in range(50):
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def zip_images(download):
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        for name in names:
            Image.open(io.BytesIO(archive.read(name))).verify()
    return names


def test_favourites_the_gallery_and_the_selection_zip(page, chromium, stack):
    sign_up(page, "gina")
    trained_tune_with_images(page, "Gina", 3)
    tune_url = page.url.split("#")[0]
    code = tune_url.rstrip("/").split("/")[-1]
    [remote] = [t for t in stack.remote("/tunes") if f"/callbacks/tune/{code}/" in t["callback"]]
    assert remote["preset"] == "flux-lora-focus"

    # Without JavaScript: the star is a form that posts and comes back, marked.
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(tune_url)
    first = plain.locator(".prompt-card .fav-button").first
    expect(first).to_have_attribute("aria-pressed", "false")
    first.click()
    plain.wait_for_load_state()
    assert plain.url.startswith(tune_url + "#image-")
    expect(plain.locator(".prompt-card .fav-button").first).to_have_attribute(
        "aria-pressed", "true"
    )
    context.close()

    # With JavaScript: the mark changes in place, on the card and in the lightbox.
    page.goto(tune_url.removeprefix(stack.web_url))
    page.evaluate("window.__sameDocument = true")
    stars = page.locator(".prompt-card .fav-button")
    expect(stars.nth(0)).to_have_attribute("aria-pressed", "true")
    stars.nth(1).click()
    expect(stars.nth(1)).to_have_attribute("aria-pressed", "true")
    page.locator(".prompt-card a.thumb").nth(2).click()
    dialog = page.locator("dialog.lightbox")
    lightbox_star = dialog.locator(".fav-button")
    expect(lightbox_star).to_have_attribute("aria-pressed", "false")
    lightbox_star.click()
    expect(lightbox_star).to_have_attribute("aria-pressed", "true")
    expect(stars.nth(2)).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=page.folder / "lightbox-favourite.png")
    lightbox_star.click()  # and off again
    expect(stars.nth(2)).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Escape")
    assert page.evaluate("window.__sameDocument") is True
    page.locator(".prompt-card").first.scroll_into_view_if_needed()
    shoot(page, page.folder / "tune-card-favourites.png")

    # Every image in one place; the favourites filter leaves the two marked.
    page.click("nav.mainnav >> text=All images")
    expect(page.locator(".gallery-item")).to_have_count(3)
    page.check("input[name=favourites]")
    page.click(".gallery-filters button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/images/\?.*favourites=on"))
    items = page.locator(".gallery-item")
    expect(items).to_have_count(2)
    expect(items.locator(".fav-button[aria-pressed=true]")).to_have_count(2)
    items.first.locator("a.thumb").click()
    expect(page.locator("dialog.lightbox")).to_contain_text("1 of 2")
    page.keyboard.press("Escape")

    with page.expect_download() as info:
        page.click("text=Download favourites (ZIP)")
    assert info.value.suggested_filename.startswith("favourites-")
    assert len(zip_images(info.value)) == 2

    # A selection: tick one image of all three, download it alone.
    page.goto("/images/")
    page.locator(".gallery-item input[type=checkbox]").nth(1).check()
    chosen = page.locator(".gallery-item").nth(1).get_attribute("id").removeprefix("image-")
    with page.expect_download() as info:
        page.click("text=Download selected (ZIP)")
    names = zip_images(info.value)
    assert len(names) == 1 and names[0].startswith("gina/")
    assert chosen

    # Screenshots at 1280 and 390 px.
    page.goto("/images/?favourites=on")
    shoot(page, page.folder / "gallery-1280-favourites.png")
    page.goto("/images/")
    shoot(page, page.folder / "gallery-1280.png")
    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    phone.add_cookies(page.context.cookies())
    small = phone.new_page()
    errors = []
    small.on("pageerror", lambda exc: errors.append(str(exc)))
    small.goto(f"{stack.web_url}/images/")
    expect(small.locator(".gallery-item")).to_have_count(3)
    shoot(small, page.folder / "gallery-390.png")
    phone.close()
    assert errors == []
