"""Every staff action that changes or deletes data or spends money is in the audit
list (Django's admin log) and in the object's history, and names no one once the
account it concerns is deleted."""

import pytest
from django.contrib.admin.models import LogEntry

from accounts.models import AccountDeletion, DataExport
from astria_portal.models import Quota
from prompts.models import Prompt
from tests.helpers import drain_queue
from tests.tunes.retention_helpers import trained_on_emulator
from tunes.models import Tune

pytestmark = pytest.mark.django_db
TUNES, PROMPTS, USERS = "/admin/tunes/tune/", "/admin/prompts/prompt/", "/admin/auth/user/"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def act(client, url, action, *objects):
    data = {"action": action, "_selected_action": [o.pk for o in objects], "post": "yes"}
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response


def entries(obj):
    return [
        (entry.user.username, entry.change_message)
        for entry in LogEntry.objects.filter(object_id=str(obj.pk)).order_by("pk")
        if entry.content_type.model_class() is type(obj)
    ]


def test_each_tune_action_is_recorded_with_who_what_and_the_outcome(
    staff_client, emulator, make_tune, staff
):
    tune = trained_on_emulator(make_tune, emulator, prompts=1)
    act(staff_client, TUNES, "refresh_from_astria", tune)
    act(staff_client, TUNES, "extend_storage", tune)
    act(staff_client, TUNES, "purge_local_files", tune)
    act(staff_client, TUNES, "delete_everywhere", tune)
    assert entries(tune) == [
        ("carol", "Refresh from Astria: trained"),
        ("carol", "Extend storage (paid): extended on Astria"),
        ("carol", "Purge local files: files removed"),
        ("carol", "Delete on Astria and here: started"),
    ]
    assert {entry.object_repr for entry in LogEntry.objects.all()} == {f"fine-tune {tune.code}"}


def test_a_failed_paid_action_is_recorded_as_failed(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator)
    emulator.fault("*", f"/tunes/{tune.remote_id}", status=500, times=5)
    act(staff_client, TUNES, "extend_storage", tune)
    [(who, message)] = entries(tune)
    assert message.startswith("Extend storage (paid): failed: ")


def test_sending_again_is_recorded(staff_client, make_tune):
    from django.utils import timezone

    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status="failed", attempts=6, posted_at=timezone.now())
    prompt = Prompt.objects.create(tune=tune, text="x", status="failed", attempts=6)
    act(staff_client, TUNES, "resubmit", tune)
    act(staff_client, PROMPTS, "resubmit", prompt)
    assert entries(tune) == [("carol", "Send again to Astria: sent")]
    assert entries(prompt)[0][1].startswith("Send again to Astria: ")


def test_account_actions_and_quota_changes_are_recorded(staff_client, owner, outsider):
    act(staff_client, USERS, "export_data", owner)
    response = staff_client.post(
        "/admin/astria_portal/quota/add/",
        {"user": outsider.pk, "tunes_per_month": "50", "images_per_month": "", "note": ""},
    )
    assert response.status_code == 302
    act(staff_client, USERS, "delete_accounts", outsider)
    export = DataExport.objects.get(user=owner)
    assert entries(owner) == [("carol", f"Export data: started: data export {export.code}")]
    quota_entries = LogEntry.objects.filter(content_type__model="quota")
    assert [e.get_change_message() for e in quota_entries] == ["Added."]
    deletion = AccountDeletion.objects.get()
    assert entries(outsider)[0] == (
        "carol", f"Delete account everywhere: started as account deletion {deletion.code}"
    )  # fmt: skip


def test_the_history_page_and_the_audit_list_show_them(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator)
    act(staff_client, TUNES, "refresh_from_astria", tune)
    history = staff_client.get(f"{TUNES}{tune.pk}/history/")
    assert b"Refresh from Astria: trained" in history.content
    audit = staff_client.get("/admin/admin/logentry/?action_flag__exact=2")
    assert b"Refresh from Astria: trained" in audit.content
    assert f"tune {tune.code}".encode() in audit.content


def test_after_an_account_is_deleted_its_entries_name_no_one(
    staff_client, emulator, make_tune, owner
):
    tune = trained_on_emulator(make_tune, emulator)
    Quota.objects.create(user=owner, tunes_per_month=5)
    staff_client.post(f"/admin/astria_portal/quota/{owner.quota.pk}/change/",
                      {"user": owner.pk, "tunes_per_month": "6", "note": ""})  # fmt: skip
    act(staff_client, TUNES, "refresh_from_astria", tune)
    act(staff_client, USERS, "delete_accounts", owner)
    drain_queue()
    assert AccountDeletion.objects.get().status == "done"
    reprs = [(e.object_repr, e.change_message) for e in LogEntry.objects.all()]
    assert len(reprs) >= 3
    for text in (" ".join(pair) for pair in reprs):
        assert "alice" not in text and tune.name not in text, text
