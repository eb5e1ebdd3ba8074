"""The staff dashboard: what runs, what expires, what is stuck, and the Astria balance."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.utils import timezone

from astria_portal.models import CallbackReceipt, Heartbeat
from prompts.models import Prompt
from tests.tunes.retention_helpers import add_prompt
from tunes.models import Tune

pytestmark = pytest.mark.django_db

URL = "/admin/dashboard/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def trained(make_tune, name, days_ago):
    tune = make_tune(name=name, photos=0)
    at = timezone.now() - timedelta(days=days_ago)
    Tune.objects.filter(pk=tune.pk).update(
        status="trained", trained_at=at, remote_id=tune.pk, expires_at=at + timedelta(days=30)
    )
    return tune


def test_it_shows_the_state_of_the_service(staff_client, emulator, make_tune):
    trained(make_tune, "Fresh", 1)
    trained(make_tune, "Ends tomorrow", 29.5)
    trained(make_tune, "Ends this week", 26)
    overdue = trained(make_tune, "Overdue one", 30 + 3 / 24)
    stalled = make_tune(name="Slow one", photos=0)
    Tune.objects.filter(pk=stalled.pk).update(status="stalled", eta=timezone.now())
    failing = make_tune(name="Refused", photos=0)
    Tune.objects.filter(pk=failing.pk).update(
        status="failed", last_error="Insufficient account balance",
        last_error_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    prompt = add_prompt(overdue)
    Prompt.objects.filter(pk=prompt.pk).update(
        status="pending", next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    CallbackReceipt.objects.create(kind="tune", object_code=overdue.code, body_sha256="a",
                                   verdict="refresh")  # fmt: skip
    Heartbeat.beat()

    with time_machine.travel(timedelta(seconds=30)):
        response = staff_client.get(URL)
    ctx = response.context
    page = response.content.decode()

    assert ("Trained", "trained", 4) in ctx["tune_counts"]
    assert ("Overdue", "stalled", 1) in ctx["tune_counts"]
    assert [(t, c) for t, _, c, _ in ctx["expiring"]] == [
        ("Expiring within 24 hours", 1),
        ("Expiring within 7 days", 1),
    ]
    assert "Ends tomorrow" in page and "Ends this week" in page
    assert [t.name for t in ctx["stalled"]] == ["Slow one"]
    assert ("prompts", 1, 0) in ctx["stuck"]  # due an hour ago, never picked up
    assert ctx["overdue_count"] == 1
    assert ctx["overdue_age"].startswith("3 h")
    assert ctx["overdue_warning"] is True
    assert "the hourly purge is stuck on it" in page
    assert ctx["heartbeat_ok"] is True
    assert ctx["last_callback"] is not None
    assert ctx["errors"]["total"] == 1
    assert "Insufficient account balance" in page
    assert ctx["balance"]["usd"] is not None


def test_the_balance_comes_from_astria_is_cached_and_warns_when_low(
    staff_client, emulator, settings
):
    settings.ASTRIA_BALANCE_WARNING_USD = 20
    emulator.config(balance_mc=1_950_000)
    page = staff_client.get(URL).content.decode()
    assert "$19.50" in page
    assert "Below $20: top it up" in page

    emulator.config(balance_mc=2_000_000)
    staff_client.get(URL)  # cached for a few minutes
    assert len(emulator.requests("GET", "/users")) == 1
    cache.clear()
    page = staff_client.get(URL).content.decode()
    assert "$20.00" in page
    assert "top it up" not in page


def test_without_astria_the_balance_is_unavailable_and_the_page_still_works(staff_client, settings):
    settings.ASTRIA_API_URL = "http://127.0.0.1:9"  # nothing listens there
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert "unavailable" in response.content.decode()
    assert response.context["balance"]["usd"] is None


def test_a_dead_worker_and_no_data_are_said_plainly(staff_client, emulator):
    Heartbeat.beat()
    with time_machine.travel(timedelta(minutes=10)):
        page = staff_client.get(URL).content.decode()
    assert "silent" in page
    assert "Nothing past its 30-day retention." in page


def test_the_admin_index_and_header_link_to_it(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert page.count(f'href="{URL}"') == 2


# Who may open it: the same permissions as the data it shows.


def staff_with(*codenames):
    user = User.objects.create_user("erin", "erin@example.com", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_staff_without_view_permissions_get_403_and_see_nothing(client, make_tune, emulator):
    make_tune(name="Secret tune name")
    client.force_login(staff_with())
    response = client.get(URL)
    assert response.status_code == 403
    assert b"Secret tune name" not in response.content
    assert client.get("/admin/tunes/tune/").status_code == 403  # as the tune list answers


@pytest.mark.parametrize(
    ("codenames", "status"),
    [
        (["view_tune"], 403),
        (["view_prompt"], 403),
        (["view_tune", "view_prompt"], 200),
        (["change_tune", "change_prompt"], 200),  # in the admin, change implies view
    ],
)
def test_it_needs_view_permission_on_tunes_and_prompts(client, emulator, codenames, status):
    client.force_login(staff_with(*codenames))
    assert client.get(URL).status_code == status


@pytest.mark.parametrize(
    ("codenames", "shown"),
    [([], False), (["view_tune"], False), (["view_tune", "view_prompt"], True)],
)
def test_the_admin_links_to_it_only_for_those_who_may_open_it(client, codenames, shown):
    client.force_login(staff_with(*codenames))
    content = client.get("/admin/").content.decode()
    assert ("Open the staff dashboard" in content) is shown
    assert (f'<a href="{URL}">Dashboard</a>' in content) is shown


def test_superusers_still_see_the_link_and_the_page(staff_client, emulator):
    assert "Open the staff dashboard" in staff_client.get("/admin/").content.decode()
    assert staff_client.get(URL).status_code == 200
