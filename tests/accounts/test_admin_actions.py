"""Staff start a user's export or account deletion from the admin; each asks first."""

import pytest
from django.core import mail

from accounts.models import AccountDeletion, DataExport
from tests.helpers import drain_queue

pytestmark = pytest.mark.django_db
USERS = "/admin/auth/user/"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def ask(client, action, *users):
    response = client.post(USERS, {"action": action, "_selected_action": [u.pk for u in users]})
    assert response.status_code == 200
    return response.content.decode()


def test_deletion_asks_first_then_deletes_everywhere(staff_client, owner, staff):
    page = ask(staff_client, "delete_accounts", owner, staff)
    assert "alice &lt;alice@example.com&gt;" in page
    assert "Logged out everywhere and locked at once." in page
    assert "a superuser: take away that status first" in page
    assert not AccountDeletion.objects.exists()

    data = {"action": "delete_accounts", "_selected_action": [owner.pk], "post": "yes"}
    staff_client.post(USERS, data)
    drain_queue()
    deletion = AccountDeletion.objects.get()
    assert (deletion.status, deletion.by_staff) == ("done", True)
    assert not type(owner).objects.filter(pk=owner.pk).exists()
    [message] = [m for m in mail.outbox if "deleted" in m.subject]
    assert "by our staff" in message.body


def test_export_asks_first_and_mails_the_link_to_the_user_only(staff_client, owner, client):
    assert "only the user can download it" in ask(staff_client, "export_data", owner)
    data = {"action": "export_data", "_selected_action": [owner.pk], "post": "yes"}
    staff_client.post(USERS, data)
    drain_queue()
    export = DataExport.objects.get()
    assert export.requested_by_staff and export.status == "ready"
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert staff_client.get(export.get_absolute_url()).status_code == 404


def test_a_plain_row_delete_of_a_user_is_not_offered(staff_client, owner):
    assert staff_client.get(f"{USERS}{owner.pk}/delete/").status_code == 403
