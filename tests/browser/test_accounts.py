"""Accounts in a real browser: verification before the first fine-tune, the same
answer for known and unknown addresses, Google through a loopback stand-in, two-factor,
the data export and the account's deletion while a tune trains."""

import json
import re
import sqlite3
import zipfile

from playwright.sync_api import expect

from tests.accounts import totp
from tests.browser.mail import mail_link, messages
from tests.browser.test_tune_journey import follow_verification, photos, sign_up, wait

PASSWORD = "browser-Pass-2026"


def log_in(page, login, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def log_out(page):
    page.click(".menu summary")
    page.click("text=Log out")
    expect(page.locator("a", has_text="Log in").first).to_be_visible()


def create_tune(page, name, start=0):
    page.goto("/tunes/new/")
    page.fill("input[name=name]", name)
    page.set_input_files("input[type=file]", photos(4, start=start))
    page.click("#tune-form button[type=submit]")


def main_text(page):
    return page.locator("main").inner_text()


def test_the_first_fine_tune_waits_for_the_verified_address(page, stack):
    sign_up(page, "vera", verify=False)
    page.shot("check your e-mail")
    log_in(page, "vera@example.com")  # unverified: may log in and look around
    expect(page.page).to_have_url(re.compile("/tunes/$"))
    page.goto("/tunes/new/")
    notice = page.locator(".verify-first")
    expect(notice).to_contain_text("Confirm your e-mail address before your first fine-tune")
    page.shot("tune form asks for verification")
    create_tune(page, "Too early")
    expect(page.locator(".message-error")).to_contain_text("Confirm your e-mail address first")
    page.shot("tune refused")

    # Another link is sent on request (a few minutes after the last one, the address
    # is not flooded: the page then shows the address as pending, as here).
    page.click("text=Resend the verification e-mail")
    expect(page.locator("main")).to_contain_text("pending verification")
    page.shot("address pending verification")
    follow_verification(page, "vera@example.com")
    create_tune(page, "Vera verified", start=10)
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    page.shot("first tune trained")


def test_sign_up_and_reset_answer_the_same_for_known_and_unknown_addresses(page, stack):
    # An account made earlier (a sign-up a minute ago would still be in its e-mail
    # cool-down, which holds for unknown addresses alike).
    stack.manage("shell", "-c", "from django.contrib.auth.models import User; "
                 "User.objects.create_user('kim', 'kim@example.com', 'x-Pass-2026-x')")  # fmt: skip

    def answer(path, fields):
        page.goto(path)
        for name, value in fields.items():
            page.fill(f"input[name={name}]", value)
        page.click("main button[type=submit]")
        return page.url, main_text(page)

    new = {"username": "kim2", "password1": PASSWORD, "password2": PASSWORD}
    known = answer("/accounts/signup/", {**new, "email": "kim@example.com"})
    page.shot("sign-up with a known address")
    unknown = answer("/accounts/signup/", {**new, "username": "kim3", "email": "kim3@example.com"})
    assert known[0] == unknown[0]
    assert known[1].replace("kim@example.com", "@") == unknown[1].replace("kim3@example.com", "@")
    assert any("already" in body for _, body in messages(page.mail_dir, "kim@example.com"))

    known = answer("/accounts/password/reset/", {"email": "kim@example.com"})
    unknown = answer("/accounts/password/reset/", {"email": "nobody-here@example.com"})
    page.shot("reset requested")
    assert known == unknown
    assert messages(page.mail_dir, "nobody-here@example.com") == []


def test_sign_in_with_google_through_the_stand_in(page, stack, google):
    page.goto("/accounts/login/")
    page.shot("login with google")
    page.click("text=Continue with Google")
    page.shot("continue to google")
    page.click("main button[type=submit]")  # a POST: no sign-in on a plain link
    expect(page.page).to_have_url(re.compile("/tunes/$"))
    page.goto("/accounts/")
    expect(page.locator("main")).to_contain_text("grace@example.com")
    expect(page.locator("main")).to_contain_text("verified")
    expect(page.locator("main")).to_contain_text("Google")
    page.shot("signed in with google")
    assert google.token_requests and google.token_requests[-1]["client_id"] == google.client_id


def test_a_user_turns_on_two_factor_and_logs_in_with_a_code(page, stack):
    sign_up(page, "tom")
    page.goto("/accounts/")
    page.click("text=Two-factor authentication")
    page.shot("two-factor index")
    page.click("main a[href='/accounts/2fa/totp/activate/']")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
    secret = page.input_value("#authenticator_secret")
    page.shot("activate authenticator")
    page.fill("input[name=code]", totp.code(secret))
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("activated")
    log_out(page)

    log_in(page, "tom")
    expect(page.page).to_have_url(re.compile("/accounts/2fa/authenticate/$"))
    page.shot("asked for a code")
    page.fill("input[name=code]", totp.code(secret, 1))  # the last one is used up
    page.click("main button[type=submit]")
    expect(page.page).to_have_url(re.compile("/tunes/$"))


def test_the_export_zip_holds_the_tune_its_photos_and_images(page, stack):
    sign_up(page, "ezra")
    create_tune(page, "Ezra exported", start=20)
    expect(page.locator("#tune-status .badge")).to_have_text("Trained", timeout=45_000)
    page.fill("textarea[name=text]", "ohwx man as an astronaut")
    page.click(".prompt-form button[type=submit]")
    expect(page.locator(".gallery img").first).to_be_visible(timeout=45_000)

    page.goto("/accounts/")
    page.click("text=Export my data")
    expect(page.locator(".messages")).to_contain_text("being gathered")
    page.shot("export asked for")
    link = mail_link(page.mail_dir, "ezra@example.com", "/accounts/export/", seconds=60)
    page.goto("/accounts/")
    expect(page.locator(f"a[href='{link}']")).to_be_visible()
    page.shot("export ready")
    with page.expect_download() as download:
        page.click(f"a[href='{link}']")
    archive = zipfile.ZipFile(download.value.path())
    names = archive.namelist()
    account = json.loads(archive.read("account.json"))
    assert account["username"] == "ezra"
    [tune_json] = [n for n in names if n.endswith("/tune.json")]
    tune = json.loads(archive.read(tune_json))
    assert tune["name"] == "Ezra exported" and tune["remote_id"]
    assert len([n for n in names if "/photos/" in n]) == 4
    assert len([n for n in names if "/prompts/" in n]) == len(tune["prompts"][0]["images"])
    assert tune["prompts"][0]["text"] == "ohwx man as an astronaut"


def stack_rows_naming(stack, word):
    """Tables of the stack's database with a row that mentions word."""
    with sqlite3.connect(stack.folder / "db.sqlite3") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = []
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (table names)
                if word in " ".join(str(value) for value in row):
                    found.append(table)
                    break
    return found


def test_deleting_the_account_while_a_tune_trains_leaves_nothing(page, stack):
    stack.control("POST", "config", {"train_seconds": 600})
    try:
        sign_up(page, "delia")
        create_tune(page, "Delia training", start=40)
        expect(page.locator("#tune-status .badge")).to_have_text("Training", timeout=45_000)
    finally:
        stack.control("POST", "config", {"train_seconds": 2})
    code = page.url.rstrip("/").split("/")[-1]

    def on_astria():
        return [t for t in stack.remote("/tunes") if f"/callbacks/tune/{code}/" in t["callback"]]

    assert on_astria()
    page.goto("/accounts/")
    page.click("text=Delete my account…")
    page.shot("delete asks for the password")
    page.fill("input[name=password]", "not-my-password")
    page.click("main button[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("not your password")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("being deleted")
    page.shot("account being deleted")

    # Within a sweep or two (one a minute), whichever worker deletes the tune first.
    wait(lambda: not stack_rows_naming(stack, "delia"), 150)
    assert not on_astria()
    assert any("deleted" in s for s, _ in messages(page.mail_dir, "delia@example.com"))
    assert stack_rows_naming(stack, "delia") == []
    assert stack_rows_naming(stack, "Delia training") == []
    media = stack.folder / "media"
    assert [path for path in media.rglob("*") if code in str(path)] == []
    log_in(page, "delia")
    expect(page.locator("main")).to_contain_text("not correct")


def test_login_and_reset_pages_and_the_reset_email_say_the_site_name(page, stack):
    sign_up(page, "sina")
    log_out(page)
    host = stack.web_url.removeprefix("http://")
    for path in ("/accounts/login/", "/accounts/password/reset/"):
        page.goto(path)
        assert page.title().endswith("· Astria Portal"), page.title()
        expect(page.locator(".brand")).to_have_text("Astria Portal")
        expect(page.locator(".footer")).to_contain_text("Astria Portal")
        assert host not in page.title() + page.locator("body").inner_text()
    page.shot("reset page")
    page.fill("input[name=email]", "sina@example.com")
    page.click("main button[type=submit]")
    mail_link(page.mail_dir, "sina@example.com", "/accounts/password/reset/key/")
    inbox = messages(page.mail_dir, "sina@example.com")
    [(subject, body)] = [(subject, body) for subject, body in inbox if "assword" in subject]
    assert "Astria Portal" in subject and host not in subject
    assert "Astria Portal" in body


def test_a_password_reset_ends_the_lockout(page, stack):
    sign_up(page, "lena")
    log_out(page)
    for _ in range(5):
        log_in(page, "lena", "not-the-password")
    log_in(page, "lena")  # the right password, but the account is locked from here
    expect(page.locator("h1")).to_have_text("Too many attempts")
    page.shot("locked out")

    page.click("text=Reset your password")
    page.fill("input[name=email]", "lena@example.com")
    page.click("main button[type=submit]")
    page.goto(mail_link(page.mail_dir, "lena@example.com", "/accounts/password/reset/key/"))
    page.fill("input[name=password1]", "a-New-Pass-2026")
    page.fill("input[name=password2]", "a-New-Pass-2026")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("changed")
    page.shot("password changed")
    log_in(page, "lena", "a-New-Pass-2026")
    expect(page.page).to_have_url(re.compile("/tunes/$"))
    # The browser reports the locked-out page's 429 itself; the page handled it.
    page.errors = [error for error in page.errors if "status of 429" not in error]


def test_sign_up_errors_and_help_read_like_a_person_wrote_them(page):
    page.goto("/accounts/signup/")
    username = page.locator(".form-field", has=page.locator("input[name=username]"))
    expect(username.locator(".helptext")).to_have_text(
        "You log in with it. Letters, digits and . - _ work; no spaces."
    )
    page.fill("input[name=username]", "pat smith")
    page.fill("input[name=email]", "pat@example.com")
    page.fill("input[name=password1]", "12345678")
    page.fill("input[name=password2]", "12345678")
    page.click("text=Create account")
    password = page.locator(".form-field", has=page.locator("input[name=password1]"))
    expect(password.locator(".errorlist")).to_contain_text("Many people use this password")
    expect(password.locator(".errorlist")).to_contain_text("Add a letter or two")
    confirmation = page.locator(".form-field", has=page.locator("input[name=password2]"))
    expect(confirmation.locator(".errorlist")).to_have_count(0)
    expect(username.locator(".errorlist")).to_have_text(
        "Use letters, digits and . - _ only, without spaces."
    )
    text = page.locator("main").inner_text()
    assert "@/./+/-/_" not in text and "personal information" not in text
    page.shot("sign-up errors")
