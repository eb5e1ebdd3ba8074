"""In a real browser: the Content-Security-Policy holds, and a locked-out login is a page."""

from playwright.sync_api import expect

INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
  document.body.setAttribute("style", "background: red");
}"""


def test_the_browser_refuses_inline_scripts_and_styles(page, stack):
    response = page.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(INJECT)
    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    violations = [error for error in page.errors if "Content Security Policy" in error]
    assert len(violations) == 2, page.errors
    page.errors.clear()  # the refusals were the point; any other error still fails


def test_too_many_wrong_passwords_get_a_page_that_says_so(page, stack):
    page.goto("/accounts/login/")
    for _ in range(5):  # LOGIN_FAILURE_LIMIT
        page.fill("input[name=login]", "mallory")
        page.fill("input[name=password]", "guess-again")
        page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Too many attempts")
    # Refused logins answer 200 (the form again), the last one 429: not a console error.
    # Filtered once the page shows, since the browser may report the 429 after the click.
    page.errors = [e for e in page.errors if "status of 429" not in e]
    expect(page.locator(".card")).to_contain_text("paused for 15 minutes")
    page.shot("locked out")
