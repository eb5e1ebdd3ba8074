"""The admin at the widths staff use, 1280 px and a 390 px phone: every column of a
list in view without a sideways scroll, the storage countdown first of all."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_staff import staff_log_in

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


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_tune_page(page):
    page.goto("/admin/tunes/tune/?q=Margarethe")
    page.click("#result_list tbody th a")
    expect(page.locator("#photos-group img.thumb")).to_have_count(6)


def test_the_fine_tune_list_sorts_and_fits_at_1280(page, stack, seeded):
    staff_log_in(page, stack, "lenore")
    page.goto("/admin/tunes/tune/?q=Layout")
    row = page.locator("#result_list tr", has_text="Layout this week")
    expect(row.locator(".countdown")).to_contain_text("expires in 4 d")
    expect(row.locator(".expiry")).to_be_visible()
    assert overflow(page, "#changelist .results") == 0
    assert in_view(page, row.locator(".field-test"))  # the last column

    page.click("#result_list thead >> text=Time left")
    names = page.locator("#result_list tbody th a")
    expect(names.first).to_have_text("Layout soon")
    expect(names.nth(1)).to_have_text("Layout this week")
    expect(names.last).to_have_text("Layout fresh")
    page.shot("staff fine-tunes 1280")

    # One fine-tune chosen: the question says so in words.
    page.locator("#result_list tr", has_text="Layout soon").locator("input.action-select").check()
    page.select_option("select[name=action]", label="Delete on Astria and here…")
    page.click("button[name=index]")
    expect(page.locator("#content")).to_contain_text("This acts on this fine-tune only:")
    expect(page.locator("h1")).to_have_text("Delete 1 fine-tune on Astria and here?")
    page.shot("staff confirm 1280")
    page.click("text=No, take me back")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto("/admin/tunes/tune/?q=Layout")

    # Nothing to do: no question, a message that says why.
    extended = page.locator("#result_list tr", has_text="Layout extended")
    extended.locator("input.action-select").check()
    page.select_option("select[name=action]", label="Extend storage on Astria (paid)…")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text(
        "Nothing to do: the selected fine-tune is left alone (“Layout extended”: already extended)."
    )
    expect(page.locator("#result_list")).to_be_visible()
    page.shot("staff nothing to do 1280")


def test_prompts_deletion_records_a_fine_tune_and_the_dashboard_fit_1280(page, stack, seeded):
    staff_log_in(page, stack, "lars")
    page.goto("/admin/prompts/prompt/")
    expect(page.locator("#result_list")).to_contain_text("variation 3")
    assert overflow(page, "#changelist .results") == 0
    assert in_view(page, page.locator("#result_list .field-created").first)
    assert in_view(page, page.locator("#result_list .field-astria_id").first)
    page.shot("staff prompts 1280")

    page.goto("/admin/tunes/deletionrecord/")
    expect(page.locator("#result_list")).to_contain_text("Flux LoRA")
    assert overflow(page, "#changelist .results") == 0
    assert in_view(page, page.locator("#result_list .field-trained").first)
    page.shot("staff deletion records 1280")

    open_tune_page(page)
    assert overflow(page, "#photos-group fieldset") == 0
    assert overflow(page, "#prompts-group fieldset") == 0
    assert in_view(page, page.locator("#photos-group .field-checksum").first)
    page.shot("staff fine-tune page 1280")

    page.goto("/admin/dashboard/")
    expect(page.locator(".dash")).to_contain_text("Fine-tunes by status")
    assert fits(page)
    page.shot("staff dashboard 1280")


def test_on_a_phone_the_countdown_stays_in_view(phone, stack, seeded):
    staff_log_in(phone, stack, "pilar")
    phone.goto("/admin/tunes/tune/?q=Layout")
    row = phone.locator("#result_list tr", has_text="Layout this week")
    expect(row.locator(".countdown")).to_contain_text("expires in 4 d")
    assert overflow(phone, "#changelist .results") == 0
    assert in_view(phone, row.locator(".countdown"))
    assert in_view(phone, row.locator(".expiry"))
    assert in_view(phone, row.locator(".status"))
    phone.shot("staff fine-tunes 390")

    phone.goto("/admin/prompts/prompt/")
    assert overflow(phone, "#changelist .results") == 0
    assert in_view(phone, phone.locator("#result_list .status").first)
    phone.shot("staff prompts 390")

    phone.goto("/admin/tunes/deletionrecord/")
    assert overflow(phone, "#changelist .results") == 0
    assert in_view(phone, phone.locator("#result_list .field-deleted").first)
    phone.shot("staff deletion records 390")

    open_tune_page(phone)
    assert overflow(phone, "#photos-group") == 0
    assert overflow(phone, "#prompts-group") == 0
    assert fits(phone)
    phone.shot("staff fine-tune page 390")

    phone.goto("/admin/dashboard/")
    assert fits(phone)
    phone.shot("staff dashboard 390")
