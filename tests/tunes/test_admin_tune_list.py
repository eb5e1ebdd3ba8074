"""The staff's list of tunes: countdown column, storage filter, search, constant queries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tunes.models import Tune

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
LIST = "/admin/tunes/tune/"


def ending(delta, **fields):
    """Fields for a trained tune whose 30 days end delta from NOW."""
    trained_at = NOW + delta - timedelta(days=30)
    return {"status": "trained", "trained_at": trained_at, "expires_at": trained_at + 30 * DAY,
            **fields}  # fmt: skip


CASES = {
    "ends now": ("expired", ending(timedelta(0))),
    "ends in 1 s": ("day", ending(timedelta(seconds=1))),
    "ends in 24 h": ("day", ending(DAY)),
    "ends in 24 h 1 s": ("week", ending(DAY + timedelta(seconds=1))),
    "ends in 7 d": ("week", ending(7 * DAY)),
    "ends in 7 d 1 s": ("later", ending(7 * DAY + timedelta(seconds=1))),
    "expired": ("expired", ending(-3 * DAY, status="expired")),
    "training": ("untrained", {"status": "training"}),
    "failed 2 h ago": ("later", {"status": "failed", "last_error_at": NOW - 2 * HOUR}),
    "failed 30 d ago": ("expired", {"status": "failed", "last_error_at": NOW - 30 * DAY}),
    "extended": ("week", ending(-60 * DAY, auto_extend=True, expires_at=NOW + 3 * DAY)),
    "deleted": (None, ending(-DAY, status="deleted")),
}
BANDS = {"expired": "expired", "day": "day", "week": "week", "later": "plenty",
         "untrained": "none"}  # fmt: skip


@pytest.fixture
def tunes(owner):
    for name, (_, fields) in CASES.items():
        Tune.objects.create(owner=owner, name=name, class_name="woman", model_kind="sd15",
                            created_at=NOW - 60 * DAY, **fields)  # fmt: skip


def listed(client, query=""):
    response = client.get(f"{LIST}{query}")
    assert response.status_code == 200
    return sorted(tune.name for tune in response.context["cl"].result_list)


@pytest.mark.parametrize("window", ["expired", "day", "week", "later", "untrained"])
def test_the_storage_filter_cuts_exactly_at_the_boundaries(admin_client, tunes, window):
    expected = sorted(name for name, (where, _) in CASES.items() if where == window)
    with time_machine.travel(NOW, tick=False):
        assert listed(admin_client, f"?storage={window}") == expected


def test_the_filter_and_the_countdown_colour_agree(admin_client, tunes):
    with time_machine.travel(NOW, tick=False):
        page = admin_client.get(LIST).content.decode()
        for tune in Tune.objects.exclude(status="deleted"):
            where = CASES[tune.name][0]
            band = "extended" if tune.auto_extend else BANDS[where]
            assert tune.storage.band == band, tune.name
            assert f'class="countdown countdown-{band}"' in page


def test_the_countdown_column_reads_like_a_clock(admin_client, owner):
    Tune.objects.create(owner=owner, name="x", class_name="woman", model_kind="sd15",
                        **ending(6 * DAY + timedelta(hours=4, minutes=20)))  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        page = admin_client.get(LIST).content.decode()
    assert '<span class="countdown countdown-week"' in page
    assert "expires in 6 d 4 h" in page
    assert '<span class="status status-trained">Trained</span>' in page


@pytest.mark.parametrize(
    ("query", "found"),
    [("alice", True), ("alice@example", True), ("summer", True), ("4242", True),
     ("nobody", False)],
)  # fmt: skip
def test_search_finds_owner_name_title_and_remote_id(admin_client, make_tune, query, found):
    tune = make_tune(name="Me in summer", photos=0)
    Tune.objects.filter(pk=tune.pk).update(remote_id=4242)
    assert listed(admin_client, f"?q={query}") == (["Me in summer"] if found else [])


def test_search_finds_the_title(admin_client, make_tune):
    tune = make_tune(photos=0)
    make_tune(name="Other", photos=0)
    assert listed(admin_client, f"?q={tune.title}") == [tune.name]


def test_the_list_makes_as_many_queries_for_1000_tunes_as_for_10(admin_client):
    users = [User.objects.create_user(f"user{i}", f"user{i}@example.com") for i in range(20)]

    def fill(count):
        Tune.objects.bulk_create(
            Tune(owner=users[i % 20], name=f"tune {i}", class_name="man", model_kind="sd15",
                 status=("trained", "failed", "training", "expired")[i % 4],
                 trained_at=NOW - (i % 40) * DAY if i % 4 in (0, 3) else None,
                 last_error_at=NOW if i % 4 == 1 else None, auto_extend=i % 7 == 0)
            for i in range(count)
        )  # fmt: skip

    def queries():
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    fill(10)
    few = queries()
    fill(990)
    assert Tune.objects.count() == 1000
    assert queries() == few


def test_the_filter_counts_each_window(admin_client, tunes):
    with time_machine.travel(NOW, tick=False):
        page = admin_client.get(f"{LIST}?_facets=True").content.decode()
    for window, label in [("expired", "Expired"), ("day", "Under 24 hours"),
                          ("week", "Under 7 days"), ("later", "Later"),
                          ("untrained", "Not trained yet")]:  # fmt: skip
        count = sum(1 for where, _ in CASES.values() if where == window)
        assert f'storage={window}">{label} ({count})</a>' in page


def column(client, name):
    """The ?o= index of a list_display column, as the header links use it."""
    response = client.get(LIST)
    return response.context["cl"].list_display.index(name)


def test_staff_sort_the_list_by_time_left(admin_client, tunes):
    storage = column(admin_client, "storage")
    with time_machine.travel(NOW, tick=False):
        soonest = admin_client.get(f"{LIST}?o={storage}").context["cl"].result_list
        latest = admin_client.get(f"{LIST}?o=-{storage}").context["cl"].result_list
    soonest = [tune.name for tune in soonest]
    # The model's own rule, ties by newest first as the change list breaks them; a
    # tune with no end (not trained yet) or gone (deleted) comes last.
    ends = [(t.retention_ends_at, -t.pk, t.name) for t in Tune.objects.exclude(status="deleted")]
    expected = [name for _, _, name in sorted(e for e in ends if e[0] is not None)]
    assert len(expected) == 10
    assert soonest[:10] == expected
    assert soonest[0] == "expired" and soonest[-3] == "failed 2 h ago"
    assert sorted(soonest[10:]) == ["deleted", "training"]
    latest = [tune.name for tune in latest]
    assert sorted(latest[:2]) == ["deleted", "training"]
    by_name = {name: end for end, _, name in ends}
    assert [by_name[name] for name in latest[2:]] == sorted(by_name[n] for n in expected)[::-1]


def test_the_sorted_list_makes_as_many_queries_for_200_tunes_as_for_10(admin_client, owner):
    storage = column(admin_client, "storage")

    def fill(count):
        Tune.objects.bulk_create(
            Tune(owner=owner, name=f"tune {i}", class_name="man", model_kind="sd15",
                 status="trained", trained_at=NOW - (i % 40) * DAY, auto_extend=i % 7 == 0,
                 expires_at=NOW + (i % 9) * DAY)
            for i in range(count)
        )  # fmt: skip

    def queries():
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(f"{LIST}?o={storage}").status_code == 200
        return len(ctx.captured_queries)

    fill(10)
    few = queries()
    fill(190)
    assert queries() == few


def test_the_expiry_date_stands_beside_the_countdown(admin_client, owner):
    Tune.objects.create(owner=owner, name="x", class_name="woman", model_kind="sd15",
                        **ending(6 * DAY + timedelta(hours=4, minutes=20)))  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        page = admin_client.get(LIST).content.decode()
    ends = "7 Jun 2026 16:20"
    assert (
        '<span class="countdown countdown-week">expires in 6 d 4 h</span> '
        f'<span class="expiry" title="{ends}">7 Jun 2026</span>'
    ) in page
    assert ">Time left</a>" in page


def test_each_rows_checkbox_is_djangos_own_markup(admin_client, owner):
    """TuneAdmin writes the checkbox out; it must stay what ModelAdmin's widget renders."""
    tune = Tune.objects.create(owner=owner, name='Me & "my" <cat>', class_name="woman",
                               model_kind="sd15")  # fmt: skip
    model_admin = admin.site.get_model_admin(Tune)
    ours = model_admin.action_checkbox(tune)
    assert ours == admin.ModelAdmin.action_checkbox(model_admin, tune)
    label = "Select this object for an action - Me &amp; &quot;my&quot; &lt;cat&gt;"
    assert f'aria-label="{label}"' in ours
    assert f'<td class="action-checkbox">{ours}</td>' in admin_client.get(LIST).content.decode()


def test_each_rows_link_is_the_reversed_change_url(admin_client, owner):
    tunes = [Tune.objects.create(owner=owner, name=f"t{i}", class_name="woman",
                                 model_kind="sd15") for i in range(3)]  # fmt: skip
    page = admin_client.get(LIST).content.decode()
    for tune in tunes:
        url = reverse("admin:tunes_tune_change", args=[tune.pk])
        assert f'<th class="field-name"><a href="{url}">{tune.name}</a></th>' in page
    filtered = admin_client.get(f"{LIST}?status=pending").content.decode()
    url = reverse("admin:tunes_tune_change", args=[tunes[0].pk])
    assert f'<a href="{url}?_changelist_filters=status%3Dpending">' in filtered
