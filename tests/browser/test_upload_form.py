"""The new fine-tune form as a demanding user meets it: photos checked in the browser
and marked on their tiles, the server's errors on the tiles they name, the upload's
phases beside the Create button, and the daily limit said before anything is sent."""

import io
import re
import signal

import pillow_heif
from PIL import Image
from playwright.sync_api import expect

from drills.portal import photo
from tests.browser.test_tune_journey import photos, sign_up

PHASES = """
    sessionStorage.setItem("phases", "[]");
    const phase = document.getElementById("upload-phase");
    const button = document.querySelector("#tune-form button[type=submit]");
    new MutationObserver(() => {
      const box = phase.getBoundingClientRect(), next = button.getBoundingClientRect();
      const seen = JSON.parse(sessionStorage.getItem("phases"));
      seen.push({
        text: phase.textContent, hidden: phase.hidden,
        inView: box.top >= 0 && box.bottom <= window.innerHeight,
        besideButton: Math.abs(box.top - next.top) < 60,
      });
      sessionStorage.setItem("phases", JSON.stringify(seen));
    }).observe(phase, { childList: true, characterData: true, subtree: true, attributes: true });
"""


def upload(name, data, mime="image/jpeg"):
    return {"name": name, "mimeType": mime, "buffer": data}


def small_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (120, 80, 200)).save(out, "JPEG")
    return out.getvalue()


def heic():
    image = Image.new("RGB", (640, 800), (30, 120, 90))
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, format="HEIF")
    return out.getvalue()


def test_the_picker_marks_what_the_server_would_refuse_before_uploading(page):
    sign_up(page, "bea")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Bea")
    cut = photo(3)[: len(photo(3)) // 2]
    chosen = [
        *photos(3),
        upload("report.jpg", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"),
        upload("cut.jpg", cut),
        upload("tiny.jpg", small_jpeg()),
        upload("iphone.heic", heic(), "image/heic"),
    ]
    page.set_input_files("input[type=file]", chosen)
    bad = page.locator("#previews li.preview-bad")
    expect(bad).to_have_count(3)
    expect(bad.filter(has_text="report.jpg")).to_contain_text("is not a JPEG, PNG, WebP or HEIC")
    expect(bad.filter(has_text="cut.jpg")).to_contain_text("damaged")
    expect(bad.filter(has_text="tiny.jpg")).to_contain_text(
        "300×400 pixels; the shorter side must be at least 512 pixels"
    )
    # A HEIC photo, which a browser cannot show: a placeholder with its name.
    heic_tile = page.locator("#previews li", has_text="iphone.heic")
    expect(heic_tile.locator(".preview-placeholder")).to_have_text("HEIC photo")
    expect(heic_tile).not_to_have_class(re.compile("preview-bad"))
    summary = page.locator("#photo-summary")
    expect(summary).to_contain_text("7 photos chosen: 3 cannot be used (marked)")
    expect(summary).not_to_contain_text("✓")
    page.shot("bad photos marked")

    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile("/tunes/new/$"))  # nothing sent
    expect(page.locator("#upload-phase")).to_be_hidden()
    for name in ("report.jpg", "cut.jpg", "tiny.jpg"):
        page.click(f"#previews li[data-name='{name}'] .preview-remove")
    expect(summary).to_contain_text("4 photos chosen ✓")
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))


def test_the_servers_errors_are_put_on_the_photos_they_name(page):
    sign_up(page, "cora")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Cora")
    # The same picture under another name: only the server, which hashes it, can tell.
    page.set_input_files("input[type=file]", [*photos(4), upload("again.jpg", photo(1))])
    expect(page.locator("#photo-summary")).to_contain_text("5 photos chosen ✓")
    page.click("#tune-form button[type=submit]")
    tile = page.locator("#previews li[data-name='again.jpg']")
    expect(tile).to_have_class(re.compile("preview-bad"))
    expect(tile).to_contain_text("again.jpg is the same picture as me-1.jpg.")
    expect(page.locator("#tune-form .errorlist")).to_have_count(0)  # not under the grid
    expect(page.locator("input[name=name]")).to_have_value("Cora")
    page.shot("duplicate named on its tile")
    page.click("#previews li[data-name='again.jpg'] .preview-remove")
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))


def test_the_upload_says_its_phases_beside_the_create_button(page):
    sign_up(page, "dina")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Dina")
    page.set_input_files("input[type=file]", photos(20, start=30))
    expect(page.locator("#photo-summary")).to_contain_text("20 photos chosen ✓")
    page.evaluate(PHASES)
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('phases'))")
    texts = [step["text"] for step in seen if not step["hidden"]]
    assert any(re.fullmatch(r"Uploading… \d+%", text) for text in texts), texts
    assert "Checking 20 photos…" in texts, texts
    assert texts.index("Checking 20 photos…") > next(
        i for i, text in enumerate(texts) if text.startswith("Uploading")
    )
    assert all(step["inView"] and step["besideButton"] for step in seen if not step["hidden"])


def test_a_failed_upload_keeps_the_photos_and_choices(page):
    sign_up(page, "elif")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Elif")
    page.select_option("select[name=class_name]", "man")
    page.set_input_files("input[type=file]", photos(4, start=60))

    def gateway_down(route):
        if route.request.method == "POST":
            route.fulfill(status=502, body="<html><body>Bad gateway</body></html>")
        else:
            route.continue_()

    page.route("**/tunes/new/", gateway_down)
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#photo-summary")).to_contain_text(
        "could not take the form just now (error 502)"
    )
    page.shot("upload failed")
    expect(page.locator("#previews li")).to_have_count(4)
    expect(page.locator("input[name=name]")).to_have_value("Elif")
    expect(page.locator("select[name=class_name]")).to_have_value("man")
    expect(page.locator("#tune-form button[type=submit]")).to_be_enabled()
    page.unroute("**/tunes/new/")
    page.errors = [error for error in page.errors if "status of 502" not in error]
    page.click("#tune-form button[type=submit]")
    expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))


def test_the_daily_limit_is_said_before_anything_is_uploaded(page, stack):
    stack.overrides["web"] = {"TUNES_PER_DAY": "1"}
    stack.kill("web", signal.SIGTERM)
    stack.start("web")
    try:
        sign_up(page, "fay")
        page.goto("/tunes/new/")
        expect(page.locator(".form-limit")).to_have_count(0)
        page.fill("input[name=name]", "Fay")
        page.set_input_files("input[type=file]", photos(4, start=80))
        page.click("#tune-form button[type=submit]")
        expect(page.page).to_have_url(re.compile(r"/tunes/[0-9a-f-]{36}/$"))

        page.goto("/tunes/new/")
        expect(page.locator(".form-limit")).to_contain_text(
            "You can start 1 fine-tune a day and have started it today."
        )
        expect(page.locator("#tune-form button[type=submit]")).to_be_disabled()
        page.shot("daily limit up front")
    finally:
        stack.overrides.pop("web")
        stack.kill("web", signal.SIGTERM)
        stack.start("web")


def test_the_file_button_is_styled_inside_the_drop_zone(page):
    sign_up(page, "gus")
    page.goto("/tunes/new/")
    button = page.evaluate(
        """getComputedStyle(document.querySelector('#dropzone input[type=file]'),
                            '::file-selector-button').backgroundColor"""
    )
    assert button == "rgb(106, 76, 245)"  # the accent of the portal's buttons
    expect(page.locator("#dropzone input[type=file]")).to_be_visible()
    page.shot("drop zone")
