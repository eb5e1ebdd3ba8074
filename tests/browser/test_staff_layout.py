"""The admin at the widths staff use, 1280 px and a 390 px phone: every column of a
list in view without a sideways scroll, the storage countdown first of all."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_staff import staff_log_in

PHONE = {"width": 390, "height": 844}

OVERFLOW = """selector => {
  const box = document.querySelector(selector);
  return box.scrollWidth - box.clientWidth;
}"""


@pytest.fixture(scope="module")
def seeded(stack):
    stack.manage("shell", "-c", "from tests.browser.staff_data import seed; seed('Layout')")


def overflow(page, selector):
    """How many pixels of selector's content are hidden behind a sideways scroll."""
    expect(page.locator(selector)).to_be_visible()
    return page.evaluate(OVERFLOW, selector)


def in_view(page, locator):
    """Whether the element is wholly inside the window, without scrolling sideways."""
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_fine_tune_list_shows_the_countdown_at_both_widths(page, stack, seeded):
    staff_log_in(page, stack, "lena")
    page.goto("/admin/tunes/tune/")
    row = page.locator("#result_list tr", has_text="Layout this week")
    expect(row.locator(".countdown")).to_contain_text("expires in 4 d")
    assert overflow(page, "#changelist .results") == 0
    page.shot("fine-tune list 1280")

    page.set_viewport_size(PHONE)
    page.goto("/admin/tunes/tune/")
    assert overflow(page, "#changelist .results") == 0
    countdown = row.locator(".countdown")
    expect(countdown).to_be_visible()
    assert in_view(page, countdown)
    assert in_view(page, row.locator(".expiry"))
    page.shot("fine-tune list 390")


def test_prompts_deletion_records_and_a_fine_tune_fit_1280(page, stack, seeded):
    staff_log_in(page, stack, "lars")
    page.goto("/admin/prompts/prompt/")
    expect(page.locator("#result_list")).to_contain_text("variation 3")
    assert overflow(page, "#changelist .results") == 0
    page.shot("prompts 1280")

    page.goto("/admin/tunes/deletionrecord/")
    expect(page.locator("#result_list")).to_contain_text("Flux LoRA")
    assert overflow(page, "#changelist .results") == 0
    page.shot("deletion records 1280")

    page.goto("/admin/tunes/tune/?q=Margarethe")
    page.click("#result_list tbody th a")
    expect(page.locator("#photos-group img.thumb")).to_have_count(6)
    assert overflow(page, "#photos-group fieldset") == 0
    assert overflow(page, "#prompts-group fieldset") == 0
    page.shot("fine-tune page 1280")
