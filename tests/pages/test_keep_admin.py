"""The admin's fine-tune list is kept whole while nothing any page shows has changed."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pages.test_keep import doctor_kept, get, kept_pages
from tunes.models import Tune

pytestmark = pytest.mark.django_db

LIST = "/admin/tunes/tune/"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_list_seen_again_comes_from_memory(staff_client, make_tune, outsider):
    make_tune(name="Summer of Alice")
    get(staff_client, LIST)
    doctor_kept("Summer of Alice", "From memory")
    with CaptureQueriesContext(connection) as queries:
        html = get(staff_client, LIST)
    assert "From memory" in html
    assert "pages_change" in queries[-1]["sql"] and len(queries) <= 4, queries


@pytest.mark.parametrize(
    "change",
    [
        lambda tune, other: Tune.objects.filter(pk=tune.pk).update(name="Renamed"),
        lambda tune, other: Tune.objects.create(
            owner=other, name="Bob's", class_name="man", model_kind="sd15"
        ),
        lambda tune, other: Group.objects.create(name="helpers").permissions.add(
            Permission.objects.get(codename="view_tune")
        ),
    ],
    ids=["anyone's tune renamed", "a new tune of another user", "what a group may do"],
)
def test_any_change_shows_at_once(change, staff_client, make_tune, outsider):
    tune = make_tune(name="Summer of Alice")
    get(staff_client, LIST)
    doctor_kept("Summer of Alice", "From memory")
    change(tune, outsider)
    assert "From memory" not in get(staff_client, LIST)


def test_an_action_is_never_kept_nor_its_message(staff_client, make_tune):
    tune = make_tune(name="Summer of Alice")
    get(staff_client, LIST)
    response = staff_client.post(
        LIST, {"action": "refresh_from_astria", "_selected_action": [tune.pk]}, follow=True
    )
    assert response.status_code == 200
    [message] = [str(message) for message in response.context["messages"]]
    assert message in response.content.decode()
    assert len(kept_pages()) == 1  # the list before the action, not the one with its message
    assert message not in get(staff_client, LIST)


def test_each_staff_member_has_their_own(staff_client, make_tune, client, staff):
    make_tune()
    get(staff_client, LIST)
    staff_client.get(LIST + "?status__exact=trained")
    assert len(kept_pages()) == 2
