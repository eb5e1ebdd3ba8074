"""Packs and photo inspection in a real browser: staff offer a pack, a user makes a
fine-tune from it and sees its images arrive; a flagged photo says so on its tile."""

import io
import os
import re
import time
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from drills.stack import wait_until
from tests.browser.test_staff import staff_log_in
from tests.browser.test_tune_journey import sign_up

OFFER_PACKS = (
    "from packs import catalogue; from packs.models import Pack; catalogue.refresh(); "
    "Pack.objects.filter(remote_id=260).update(enabled=True, name='Office portraits', "
    "description='Six headshots for your CV and LinkedIn.')"
)


# With USER_SCREENSHOTS=docs/screenshots the README's pictures of packs are made anew.
DOCS = os.environ.get("USER_SCREENSHOTS")


def docs_shot(page, name):
    if DOCS:
        page.screenshot(path=Path(DOCS) / name, full_page=True)


def sharp_photo(seed, hat=False):
    """Many edges, so not blurry; with the emulator's hat marker (pure red) on top."""
    image = Image.new("RGB", (640, 800), ((seed * 47) % 200, (seed * 91) % 200, 160))
    draw = ImageDraw.Draw(image)
    for x in range(0, 640, 14):
        draw.line((x, 0, x, 800), fill=(235, 235, 235), width=2)
    draw.ellipse((160, 200, 480, 640), fill=(230, 180, 150))
    if hat:
        draw.rectangle((170, 0, 470, 150), fill=(255, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    name = "with-a-hat.jpg" if hat else f"me-{seed}.jpg"
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def hat_photo():
    return sharp_photo(9, hat=True)


def sharp_photos(count):
    return [sharp_photo(seed) for seed in range(count)]


def test_staff_refresh_and_offer_a_pack(page, stack):
    staff_log_in(page, stack, "pia")
    page.goto("/admin/packs/pack/")
    page.click("text=Refresh from Astria")
    expect(page.locator(".messagelist")).to_contain_text("Reading the packs from Astria")
    for _ in range(40):
        if page.locator("#result_list tbody tr").count() == 3:
            break
        time.sleep(0.5)
        page.reload()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("Corporate Headshots")
    page.shot("packs admin list")
    docs_shot(page, "packs-admin-list.png")

    page.click("#result_list >> text=Dating Profile")
    page.check("input[name=enabled]")
    page.fill("input[name=name]", "Dating profile")
    page.fill("textarea[name=description]", "Warm, candid pictures for your profile.")
    page.fill("input[name=images_cost]", "3")
    docs_shot(page, "packs-admin-edit.png")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    row = page.locator("#result_list tr", has_text="Dating profile")
    expect(row).to_contain_text("3")


def test_a_fine_tune_from_a_pack_and_its_images_arriving(page, stack):
    stack.manage("shell", "-c", OFFER_PACKS)
    sign_up(page, "pat")
    page.goto("/tunes/new/")
    page.click("text=Or start from a pack")
    expect(page.locator("h1")).to_have_text("Packs")
    card = page.locator(".pack-card", has_text="Office portraits")
    expect(card).to_contain_text("takes 6 images of your allowance")
    expect(card.locator("img")).to_be_visible()
    page.shot("packs for users")
    docs_shot(page, "packs-user-list.png")

    card.locator("text=New fine-tune with this pack").click()
    page.fill("input[name=name]", "Pat at work")
    page.select_option("select[name=class_name]", "woman")
    page.set_input_files("input[type=file]", [hat_photo(), *sharp_photos(4)])
    first = page.locator("#previews li").first
    expect(first.locator(".preview-findings")).to_contain_text("a hat")
    page.shot("pack form with photos inspected")
    docs_shot(page, "packs-user-form.png")
    page.click("#tune-form button[type=submit]")

    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    expect(page.locator(".messages")).to_contain_text("with Office portraits")
    code = page.url.rstrip("/").split("/")[-1]

    def on_astria():
        return [t for t in stack.remote("/tunes") if f"/callbacks/tune/{code}/" in t["callback"]]

    wait_until(on_astria, 30, "the pack tune on the emulator")  # the worker sends it
    [remote] = on_astria()
    assert remote["base_pack_id"] == 260
    assert remote["characteristics"]  # what inspection found was sent with the tune
    for _ in range(90):
        if page.locator(".prompt-card .image-grid img").count() == 6:
            break
        time.sleep(1)
        page.reload()
    expect(page.locator(".prompt-card")).to_have_count(3)
    expect(page.locator(".prompt-card .image-grid img")).to_have_count(6)
    page.shot("pack images arrived")
    docs_shot(page, "packs-tune-images.png")


def test_a_flagged_photo_shows_its_finding_on_its_tile(page, stack):
    sign_up(page, "ingrid")
    page.goto("/tunes/new/")
    page.select_option("select[name=class_name]", "man")
    page.set_input_files("input[type=file]", [*sharp_photos(3), hat_photo()])
    flagged = page.locator("#previews li").nth(3)
    expect(flagged.locator(".preview-findings")).to_have_text("Astria noticed: a hat")
    expect(flagged).to_have_class(re.compile("preview-flagged"))
    expect(page.locator("#inspection-note")).to_contain_text("or keep")
    page.shot("a flagged photo")
    docs_shot(page, "packs-inspection.png")
    # Removing it leaves the other tiles' findings as they were, without asking again.
    asked = len([r for r in stack.control("GET", "requests") if r["path"] == "/images/inspect"])
    flagged.locator(".preview-remove").click()
    expect(page.locator("#previews li")).to_have_count(3)
    expect(page.locator("#previews .preview-findings")).to_have_text(["✓ Looks good"] * 3)
    expect(page.locator("#inspection-note")).to_be_hidden()
    again = len([r for r in stack.control("GET", "requests") if r["path"] == "/images/inspect"])
    assert again == asked
