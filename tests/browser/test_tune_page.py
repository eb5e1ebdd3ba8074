"""The tune page as its owner lives with it: everything that depends on the status
follows the live status, long prompts are counted and clamped, a tune past its
storage period says so, and on a phone the images come first to hand."""

import re

from playwright.sync_api import expect

from tests.browser.test_phone import fits
from tests.browser.test_tune_journey import photos, sign_up

# Every image loaded (or failed): evaluated, not polled, so the page's CSP allows it.
LOADED = """document.querySelectorAll("img[loading=lazy]").forEach(img => img.loading = "eager");
    Promise.all([...document.images].map(img => img.complete ? null
        : new Promise(done => { img.onload = img.onerror = done; })))"""
LONG = "a portrait in soft window light, wearing a linen shirt, film grain, " * 10


def create_tune(page, name, start):
    page.goto("/tunes/new/")
    page.fill("input[name=name]", name)
    page.set_input_files("input[type=file]", photos(4, start=start))
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    return page.url.removeprefix(page.base_url)


def test_the_page_follows_the_live_status_without_a_reload(page, stack):
    stack.control("POST", "config", {"train_seconds": 20})
    try:
        sign_up(page, "hana")
        create_tune(page, "Hana", start=100)
        expect(page.locator("#new-prompt .notice")).to_contain_text("not ready yet")
        # A prompt written while training waits; it has not run, so it offers no rerun.
        page.fill("textarea[name=text]", "a portrait of a woman on a pier at dusk")
        page.click(".prompt-form button[type=submit]")
        card = page.locator(".prompt-card").first
        expect(card.locator(".badge")).to_have_text("Waits for training")
        expect(card.locator("text=Generate again")).to_have_count(0)
        page.shot("prompt waits for training")
        # Its expected end is under a minute away: said in words, not "0 minutes".
        expect(page.locator("#tune-status .badge")).to_have_text("Training", timeout=20_000)
        expect(page.locator("#tune-status")).to_contain_text(
            re.compile("Expected ready (in under a minute|any moment now)")
        )
        expect(page.locator("#tune-status")).not_to_contain_text("0 minutes")
        page.evaluate("window.__sameDocument = true")
        page.fill("textarea[name=text]", "typed while it trains")
    finally:
        stack.control("POST", "config", {"train_seconds": 2})

    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=60_000)
    expect(page.locator("#new-prompt .notice")).to_have_count(0)
    expect(page.locator("#tune-status")).to_contain_text("30 days left")
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("textarea[name=text]")).to_have_value("typed while it trains")
    expect(card.locator("a.thumb img").first).to_be_visible(timeout=45_000)
    expect(card.locator("text=Generate again")).to_be_visible()
    page.shot("trained without a reload")


def test_long_prompts_are_counted_refused_and_clamped(page, stack):
    sign_up(page, "irene")
    tune_url = create_tune(page, "Ines", start=110)
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)

    too_long = "x" * 1600
    page.fill("textarea[name=text]", too_long)
    count = page.locator(".char-count")
    expect(count).to_contain_text("1,600 / 1,500 characters: 100 too many")
    page.click(".prompt-form button[type=submit]")
    expect(page.locator(".prompt-card")).to_have_count(0)
    assert len(page.input_value("textarea[name=text]")) == 1600  # nothing cut off
    page.shot("too long")

    page.fill("textarea[name=text]", LONG.strip())
    expect(count).to_contain_text(f"{len(LONG.strip())} / 1,500 characters")
    page.click(".prompt-form button[type=submit]")
    card = page.locator(".prompt-card").first
    text = card.locator(".prompt-text")
    more = card.locator(".clamp-toggle")
    expect(more).to_have_text("more")
    assert text.evaluate("p => p.scrollHeight > p.clientHeight + 1")
    clamped = text.bounding_box()["height"]
    more.click()
    expect(more).to_have_text("less")
    assert text.bounding_box()["height"] > clamped * 2
    page.shot("long prompt opened")

    expect(card.locator(".badge")).to_have_text("Done", timeout=45_000)
    page.goto(card.locator("text=Delete…").get_attribute("href"))
    expect(page.locator("main .clamp-toggle")).to_have_text("more")
    page.shot("delete page clamps the text")
    page.goto(tune_url)


def test_a_tune_past_its_storage_period_says_what_happened(page, stack):
    sign_up(page, "jude")
    tune_url = create_tune(page, "Jude", start=120)
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    code = tune_url.strip("/").split("/")[-1]
    stack.manage(
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from tunes.models import Tune; "
        f"Tune.objects.filter(code='{code}')"
        ".update(trained_at=timezone.now() - timedelta(days=31))",
    )
    page.goto(tune_url)
    expect(page.locator("#tune-status .badge")).to_have_text("Storage ended")
    notice = page.locator(".retention-over")
    expect(notice).to_contain_text("Its 30-day storage period ended on")
    expect(page.locator(".prompt-form")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("No images yet")
    expect(notice.locator("text=Start a new fine-tune")).to_be_visible()
    expect(page.locator(".photo-grid")).to_have_count(0)  # being deleted: not shown
    page.shot("storage ended")

    stack.manage(
        "shell", "-c", f"from tunes.models import Tune; Tune.objects.filter(code='{code}')"
        ".update(status='expired')",
    )  # fmt: skip
    page.goto(tune_url)
    expect(page.locator("#tune-status .badge")).to_have_text("Expired")
    expect(notice).to_contain_text("Deleted on")
    expect(notice).to_contain_text("at the end of its 30-day storage period")
    expect(page.locator("main")).not_to_contain_text("The photos have been deleted")
    page.shot("deleted after storage period")
    notice.locator("text=Remove it from your list…").click()
    page.click("button.btn-danger")
    expect(page.locator(".messages")).to_contain_text("“Jude” is off your list.")
    expect(page.locator(".tune-card")).to_have_count(0)


def test_on_a_phone_the_images_and_the_cards_come_first_to_hand(phone, stack):
    sign_up(phone, "kira")
    create_tune(phone, "Kira by the sea", start=130)
    expect(phone.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    phone.fill("textarea[name=text]", "a portrait of a woman on a pier at dusk")
    phone.click(".prompt-form button[type=submit]")
    expect(phone.locator(".prompt-card a.thumb img")).to_have_count(4, timeout=45_000)
    phone.goto(phone.url.removeprefix(phone.base_url).split("#")[0])
    # The first image starts on the first screen, without scrolling.
    phone.evaluate(LOADED)
    phone.shot("tune page on a phone")
    top = phone.locator(".prompt-card a.thumb").first.bounding_box()["y"]
    assert top < 844, top
    assert fits(phone)
    phone.click("text=+ Create more images")
    expect(phone.locator("textarea[name=text]")).to_be_in_viewport()
    expect(phone.locator(".page-head a", has_text="Delete…")).to_be_hidden()
    phone.click(".actions-menu summary")
    expect(phone.locator(".actions-menu a", has_text="Delete…")).to_be_visible()

    phone.goto("/tunes/")
    card = phone.locator(".tune-card").first
    # A generated image's thumbnail (a signed link of kind t), not a training photo (p).
    assert card.locator(".tune-cover img").get_attribute("src").startswith("/files/t/")
    expect(card).to_contain_text("Flux LoRA")
    expect(card).to_contain_text("4 images")
    delete = card.locator(".card-menu a", has_text="Delete…")
    expect(delete).to_be_hidden()
    card.locator(".card-menu summary").click()
    expect(delete).to_be_visible()
    assert fits(phone)
    phone.shot("cards on a phone")
