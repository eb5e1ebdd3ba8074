"""With media in a bucket (moto's S3 server), a real browser still shows every picture.

The photo, image and thumbnail views redirect to pre-signed links: the pages'
Content-Security-Policy must allow the bucket, and any refused image is a console
error that fails the test.
"""

import pytest
from playwright.sync_api import expect

from drills.stack import Stack
from tests.browser.conftest import open_page
from tests.browser.test_tune_journey import photos, sign_up


@pytest.fixture(scope="module")
def bucket_stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bucket-stack")
    with Stack(folder, train_seconds=2, prompt_seconds=1, bucket=True) as running:
        yield running


@pytest.fixture
def bucket_page(chromium, bucket_stack, request):
    context, page = open_page(chromium, bucket_stack, request)
    yield page
    context.close()
    assert page.errors == [], f"console errors: {page.errors}"


def all_shown(page, selector, count):
    """Wait until the browser has decoded count images matching selector."""
    images = page.locator(selector)
    expect(images).to_have_count(count)
    images.last.scroll_into_view_if_needed()  # lazy images load once in view
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )


def test_photos_thumbnails_and_images_come_from_the_bucket(bucket_page, bucket_stack):
    page = bucket_page
    sign_up(page, "ines")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Ines")
    page.select_option("select[name=class_name]", "woman")
    page.set_input_files("input[type=file]", photos(4, start=20))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    page.reload()
    all_shown(page, ".photo-grid img", 4)

    page.click("text=Corporate headshot")
    page.click("#new-prompt summary:has-text('Options')")
    page.fill("input[name=num_images]", "2")
    page.click(".prompt-form button[type=submit]")
    card = page.locator(".prompt-card").first
    expect(card.locator("a.thumb img")).to_have_count(2, timeout=45_000)
    page.reload()
    all_shown(page, ".prompt-card a.thumb img", 2)
    page.shot("thumbnails from the bucket")

    page.locator(".prompt-card a.thumb").first.click()
    dialog = page.locator("dialog.lightbox")
    expect(dialog).to_be_visible()
    big = dialog.locator("img")
    page.wait_for_function("d => d.complete && d.naturalWidth > 0", arg=big.element_handle())
    page.shot("lightbox from the bucket")
    keys = bucket_stack.bucket_objects()
    assert len(keys) == 4 + 2 * 2  # photos, then an image and a thumbnail each
    assert not list((bucket_stack.folder / "machines").rglob("*.jpg"))
