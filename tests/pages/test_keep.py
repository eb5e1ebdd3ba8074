"""Whole pages are kept while nothing they show changes, and never shown stale."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from astria_portal import fragments
from pages import keep, triggers
from pages.models import Change
from prompts.models import Prompt
from tunes.models import Tune

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def kept_pages():
    """The kept pages' cache keys (the process's own memory)."""
    return [key for key in keep.cache()._cache if ":page:" in key]


def doctor_kept(old, new):
    """Change what is kept, so that a page served from memory can be told apart."""
    (key,) = kept_pages()
    raw_key = key.split(":", 2)[2]
    content_type, html = keep.cache().get(raw_key)
    assert old in html
    keep.cache().set(raw_key, (content_type, html.replace(old, new)))


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def pages(trained_tune):
    return {"list": "/tunes/", "tune": trained_tune.get_absolute_url(), "gallery": "/images/"}


@pytest.mark.parametrize("name", ["list", "tune", "gallery"])
def test_a_page_seen_again_comes_from_memory_after_three_queries(
    name, pages, owner_client, make_prompt
):
    make_prompt(images=2)
    get(owner_client, pages[name])
    doctor_kept("</footer>", "<p>from memory</p></footer>")
    with CaptureQueriesContext(connection) as queries:
        html = get(owner_client, pages[name])
    assert "from memory" in html
    sql = [query["sql"] for query in queries]
    assert len(sql) == 3, sql  # the session, the user, the changes
    assert "pages_change" in sql[2]


def _rename(tune, prompt):
    Tune.objects.filter(pk=tune.pk).update(name="Winter")
    return "Winter"


def _new_prompt(tune, prompt):
    Prompt.objects.create(tune=tune, text="a new one on the beach", status=Prompt.Status.DONE)
    return "a new one on the beach"


def _favourite(tune, prompt):
    prompt.images.first().mark_favourite(True)
    return 'aria-pressed="true"'


def _failed(tune, prompt):
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.FAILED, last_error="No faces found")
    return "No faces found"


def _prompt_gone(tune, prompt):
    Prompt.objects.filter(pk=prompt.pk).update(text="renamed away")
    return "renamed away"


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("list", _rename),
        ("tune", _rename),
        ("tune", _new_prompt),
        ("tune", _favourite),
        ("tune", _failed),
        ("tune", _prompt_gone),
        ("gallery", _favourite),
    ],
)
def test_a_change_shows_at_once(name, change, pages, owner_client, trained_tune, make_prompt):
    prompt = make_prompt(images=2)
    get(owner_client, pages[name])
    doctor_kept("</footer>", "<p>from memory</p></footer>")
    shown = change(trained_tune, prompt)
    html = get(owner_client, pages[name])
    assert "from memory" not in html
    assert shown in html


def test_a_favourite_marked_through_the_page_shows_on_it(owner_client, pages, make_prompt):
    image = make_prompt(images=1).images.get()
    assert 'aria-pressed="true"' not in get(owner_client, pages["gallery"])
    owner_client.post("/images/favourite/", {"image": str(image.code), "favourite": "1"})
    assert 'aria-pressed="true"' in get(owner_client, pages["gallery"])


def test_each_response_has_its_own_token_and_it_works(owner, pages, make_prompt):
    make_prompt(images=1)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    first, second = get(browser, pages["tune"]), get(browser, pages["tune"])
    assert kept_pages()
    tokens = TOKEN.findall(first) + TOKEN.findall(second)
    assert len(set(TOKEN.findall(second))) == 1 and set(TOKEN.findall(first)) != set(
        TOKEN.findall(second)
    )
    assert fragments.CSRF_MARK not in first + second
    assert all(fragments.CSRF_MARK not in token for token in tokens)
    # The token on the page served from memory is accepted.
    response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": TOKEN.findall(second)[0]})
    assert response.status_code == 302


def test_another_browser_of_the_same_user_gets_its_own_token(owner, pages):
    one, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one.force_login(owner)
    other.force_login(owner)
    get(one, pages["list"])
    html = get(other, pages["list"])
    token = TOKEN.findall(html)[0]
    assert other.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_page_with_a_message_is_not_kept_and_the_message_shows_once(owner_client, pages):
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "Once only, please")
    response = HttpResponse()
    storage.update(response)
    owner_client.cookies["messages"] = response.cookies["messages"].value
    assert "Once only, please" in get(owner_client, pages["list"])
    assert not kept_pages()
    assert "Once only, please" not in get(owner_client, pages["list"])
    assert kept_pages()


def test_pages_are_kept_for_each_user_and_query(owner_client, outsider, pages, make_prompt):
    make_prompt(images=1)
    get(owner_client, pages["list"])
    get(owner_client, pages["list"] + "?page=1")
    assert len(kept_pages()) == 2
    someone = Client()
    someone.force_login(outsider)
    assert someone.get(pages["tune"]).status_code == 404
    assert "Me in summer" not in get(someone, pages["list"])


def test_time_alone_moves_the_key(owner_client, pages, monkeypatch):
    get(owner_client, pages["list"])
    doctor_kept("</footer>", "<p>from memory</p></footer>")
    now = keep.time.time()
    monkeypatch.setattr(keep.time, "time", lambda: now + keep.MOMENT)
    assert "from memory" not in get(owner_client, pages["list"])


def test_pages_are_not_kept_when_turned_off(owner_client, pages, settings):
    settings.KEEP_PAGES = False
    get(owner_client, pages["list"])
    assert not kept_pages()


def test_compacting_leaves_one_newer_change_each_and_none_for_users_gone(owner, outsider):
    for _ in range(3):
        User.objects.filter(pk=owner.pk).update(first_name="A")
    gone = outsider.pk
    outsider.delete()
    before = keep.mark(owner.pk)
    newest = Change.objects.filter(user_id=owner.pk).latest("id").id
    keep.compact()
    mine = Change.objects.filter(user_id=owner.pk)
    assert mine.count() == 1 and mine.get().id > newest
    assert keep.mark(owner.pk) != before
    assert not Change.objects.filter(user_id=gone).exists()


def test_a_hard_reload_renders_afresh_and_keeps_that(owner_client, pages):
    get(owner_client, pages["list"])
    doctor_kept("</footer>", "<p>from memory</p></footer>")
    response = owner_client.get(pages["list"], headers={"Cache-Control": "no-cache"})
    assert "from memory" not in response.content.decode()
    assert "from memory" not in get(owner_client, pages["list"])


@pytest.fixture
def forget_the_check():
    triggers._complete.cache_clear()
    yield
    triggers._complete.cache_clear()


def test_pages_are_not_kept_where_a_trigger_is_missing(owner_client, pages, forget_the_check):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TRIGGER "pages_change_prompts_prompt_update"')
        else:
            cursor.execute('DROP TRIGGER "pages_change" ON "prompts_prompt"')
    get(owner_client, pages["list"])
    assert not kept_pages()
    triggers.install(connection)
    triggers._complete.cache_clear()
    get(owner_client, pages["list"])
    assert kept_pages()
