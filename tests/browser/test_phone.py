"""The pages at phone width (390 px): nothing wider than the screen, no console errors."""

from playwright.sync_api import expect

from tests.browser.test_tune_journey import photos, sign_up


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_every_page_fits_a_phone(phone):
    phone.goto("/")
    assert fits(phone)
    phone.shot("home")
    sign_up(phone, "sami")
    phone.goto("/tunes/new/")
    phone.set_input_files("input[type=file]", photos(4))
    phone.fill("input[name=name]", "Sami by the sea")
    expect(phone.locator("#previews li")).to_have_count(4)
    assert fits(phone)
    phone.shot("new fine-tune")
    phone.click("#tune-form button[type=submit]")
    expect(phone.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    phone.fill("textarea[name=text]", "a portrait of a woman on a pier at dusk")
    phone.click("#new-prompt summary:has-text('Options')")
    phone.fill("input[name=num_images]", "2")
    phone.click(".prompt-form button[type=submit]")
    expect(phone.locator(".prompt-card a.thumb img")).to_have_count(2, timeout=45_000)
    assert fits(phone)
    phone.shot("tune with images")
    phone.locator(".prompt-card a.thumb").first.click()
    expect(phone.locator("dialog.lightbox")).to_be_visible()
    phone.shot("lightbox")
    phone.keyboard.press("Escape")
    phone.goto("/tunes/")
    assert fits(phone)
    phone.shot("fine-tunes")
