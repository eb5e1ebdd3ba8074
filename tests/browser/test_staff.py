"""A staff member in the admin: the storage countdown, the filter, a deletion."""

import re

from playwright.sync_api import expect

from tests.accounts import totp
from tests.browser.test_tune_journey import photos, sign_up

PASSWORD = "staff-Browser-2026"


def test_staff_see_the_countdown_and_delete_a_tune_through_the_action(page, stack):
    sign_up(page, "tess")
    page.goto("/tunes/new/")
    page.fill("input[name=name]", "Tess for the admin")
    page.set_input_files("input[type=file]", photos(4, start=30))
    page.click("#tune-form button[type=submit]")
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    code = page.url.rstrip("/").split("/")[-1]
    page.context.clear_cookies()

    staff_log_in(page, stack, "sol")
    page.goto("/admin/tunes/tune/")
    row = page.locator("#result_list tr", has_text="Tess for the admin")
    expect(row).to_contain_text(re.compile(r"expires in (29|30) d"))
    page.shot("tune list with countdown")

    page.click("#changelist-filter >> text=Later")
    expect(page.locator("#result_list")).to_contain_text("Tess for the admin")
    page.click("#changelist-filter >> text=Under 24 hours")
    expect(page.locator("#result_list tr", has_text="Tess for the admin")).to_have_count(0)
    page.shot("expiry filter")
    page.goto("/admin/tunes/tune/")

    row.locator("input.action-select").check()
    page.select_option("select[name=action]", label="Delete on Astria and here…")
    page.click("button[name=index]")
    expect(page.locator("#content")).to_contain_text("Tess for the admin")
    expect(page.locator("#content")).to_contain_text("4")  # its photos are listed
    page.shot("confirm deletion")
    page.click("#content input[type=submit]")
    expect(page.locator(".messagelist")).to_be_visible()
    page.shot("deleted")

    def on_astria():
        return [t for t in stack.remote("/tunes") if f"/callbacks/tune/{code}/" in t["callback"]]

    expect(page.locator("#result_list tr", has_text="Tess for the admin")).to_contain_text(
        re.compile("Being deleted|Deleted"), timeout=20_000
    )
    from tests.browser.test_tune_journey import wait

    wait(lambda: not on_astria(), 20)
    assert not on_astria()

    # The action is in the audit list, with who did it and how it went.
    page.goto("/admin/admin/logentry/")
    row = page.locator("#result_list tr", has_text="Delete on Astria and here: started")
    expect(row).to_contain_text("sol")
    expect(row).to_contain_text(f"tune {code}")
    page.shot("audit list")


def staff_log_in(page, stack, username):
    """A new superuser opens the admin: the portal's login, then (STAFF_REQUIRE_2FA is on
    in the stack, as in production) setting up an authenticator app; returns its secret."""
    stack.manage(
        "createsuperuser", "--noinput", "--username", username, "--email",
        f"{username}@example.com", DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )  # fmt: skip
    page.goto("/admin/")
    expect(page.page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F$"))
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Staff pages need two-factor")
    if "/reauthenticate/" in page.url:  # allauth asks for the password before 2FA changes
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
    expect(page.page).to_have_url(re.compile("/accounts/2fa/totp/activate/$"))
    page.shot("staff sent to set up two-factor")
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", totp.code(secret))
    page.click("main button[type=submit]")
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    return secret
