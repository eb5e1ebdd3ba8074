"""Each staff action asks first, lists exactly what goes, then does it; nobody else can."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from astria_portal.admin_format import when
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, queued_funcs
from tests.tunes.retention_helpers import add_prompt, media_files, trained_on_emulator
from tunes.models import DeletionRecord, Tune

pytestmark = pytest.mark.django_db

TUNES = "/admin/tunes/tune/"
PROMPTS = "/admin/prompts/prompt/"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def ask(client, url, action, *objects):
    response = client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]})
    assert response.status_code == 200
    return response.content.decode()


def confirm(client, url, action, *objects):
    data = {"action": action, "_selected_action": [o.pk for o in objects], "post": "yes"}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0].startswith(url)
    return [str(message) for message in response.context["messages"]]


def gave_up(make_tune, **fields):
    tune = make_tune(**fields)
    Tune.objects.filter(pk=tune.pk).update(
        status="failed", attempts=5, posted_at=timezone.now(), last_error_at=timezone.now(),
        last_error="Astria could not be reached after 6 attempts: HTTP 500",
    )  # fmt: skip
    tune.refresh_from_db()
    return tune


def test_delete_lists_what_goes_then_deletes_on_astria_and_here(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator, prompts=2)
    gone = make_tune(name="Long gone")
    Tune.objects.filter(pk=gone.pk).update(status="expired")

    page = ask(staff_client, TUNES, "delete_everywhere", tune, gone)
    assert f"Astria #{tune.remote_id}" in page
    assert "4 training photos, 2 prompts and 4 generated images" in page
    assert f"Owner alice, trained {when(tune.trained_at)}; storage: expires in" in page
    assert 'value="Yes, delete it"' in page  # two selected, one of them left alone
    assert "This acts on this fine-tune only:" in page
    assert "Long gone: already expired" in page
    assert page.count('name="_selected_action"') == 1
    tune.refresh_from_db()
    assert tune.status == "trained"
    assert emulator.requests("DELETE") == []

    messages = confirm(staff_client, TUNES, "delete_everywhere", tune)
    assert messages[0].startswith("1 fine-tune being deleted on Astria, then here: ")
    assert "It shows as “Being deleted” until done." in messages[0]
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == "deleted"
    assert [d["status"] for d in emulator.requests("DELETE")] == [200]
    assert not Prompt.objects.exists()
    assert [name for name in media_files() if not name.startswith(f"tunes/{gone.code}/")] == []
    record = DeletionRecord.objects.get()
    assert (record.reason, record.photos, record.prompts, record.images) == ("staff", 4, 2, 4)


def test_delete_counts_astrias_404_as_done(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator, prompts=0)
    emulator.tune(tune.remote_id, "expire")
    confirm(staff_client, TUNES, "delete_everywhere", tune)
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == "deleted"
    assert [d["status"] for d in emulator.requests("DELETE")] == [404]


def test_purge_local_files_keeps_the_tune_and_astria(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator, prompts=1)
    pending = make_tune(name="On its way")

    page = ask(staff_client, TUNES, "purge_local_files", tune, pending)
    assert "4 training photos, 1 prompt and 2 generated images" in page
    assert "On its way: waiting to be sent: only a finished fine-tune" in page
    assert len(media_files()) == 4 + 4 + 4

    confirm(staff_client, TUNES, "purge_local_files", tune)
    tune.refresh_from_db()
    assert tune.status == "trained"
    assert all(name.startswith(f"tunes/{pending.code}/") for name in media_files())
    assert not GeneratedImage.objects.exists()
    assert emulator.requests("DELETE") == []
    assert [t["id"] for t in emulator.remote_tunes()] == [tune.remote_id]
    assert not DeletionRecord.objects.exists()


def told(client, url, action, *objects):
    """An action with nothing to do: no question, the list again with a message."""
    data = {"action": action, "_selected_action": [o.pk for o in objects]}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    return [str(message) for message in response.context["messages"]]


def test_purge_local_files_waits_for_prompts_on_their_way(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator, prompts=1)
    tune.prompts.update(status="generating")
    expected = [
        f"Nothing to do: the selected fine-tune is left alone (“{tune}”: some of its "
        "prompts are still on their way)."
    ]
    assert told(staff_client, TUNES, "purge_local_files", tune) == expected
    assert confirm(staff_client, TUNES, "purge_local_files", tune) == expected
    assert tune.photos.count() == 4


def test_an_action_with_nothing_to_do_says_so_for_each_one(staff_client, make_tune):
    tunes = [make_tune(name=name) for name in ("One", "Two")]
    assert told(staff_client, TUNES, "resubmit", *tunes) == [
        "Nothing to do: none of the 2 selected fine-tunes qualifies (“Two”: only a job whose "
        "attempts to reach Astria ran out can be sent again; “One”: only a job whose "
        "attempts to reach Astria ran out can be sent again)."
    ]
    assert queued_funcs() == []


@pytest.mark.parametrize(("count", "says"), [(1, "this fine-tune only:"),
                                            (2, "exactly these 2 fine-tunes:")])  # fmt: skip
def test_the_question_counts_in_words(staff_client, make_tune, count, says):
    tunes = [gave_up(make_tune, name=f"Tune {n}") for n in range(count)]
    page = ask(staff_client, TUNES, "resubmit", *tunes)
    assert f"This acts on {says}" in page
    assert "these 1" not in page
    title = "Send 1 fine-tune to Astria again?" if count == 1 else "Send 2 fine-tunes"
    assert title in page


def test_refresh_reads_astria_and_applies_it(staff_client, emulator, make_tune):
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    emulator.tune(tune.remote_id, "finish")
    never_sent = make_tune(name="Never sent")

    page = ask(staff_client, TUNES, "refresh_from_astria", tune, never_sent)
    assert f"Reads Astria #{tune.remote_id}" in page
    assert "Never sent: not on Astria" in page
    assert emulator.requests("GET", f"/tunes/{tune.remote_id}") == []

    messages = confirm(staff_client, TUNES, "refresh_from_astria", tune)
    assert messages == [f"“{tune.name}”: trained."]
    tune.refresh_from_db()
    assert tune.status == "trained"
    assert tune.expires_at == tune.trained_at + timedelta(days=30)


def test_extend_storage_patches_auto_extend_on_astria(staff_client, emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator, prompts=0)
    page = ask(staff_client, TUNES, "extend_storage", tune)
    assert "about $0.50 per model" in page
    assert f"Sets auto_extend on Astria #{tune.remote_id}" in page
    assert emulator.requests("PATCH") == []

    confirm(staff_client, TUNES, "extend_storage", tune)
    tune.refresh_from_db()
    assert tune.auto_extend is True
    assert tune.storage.band == "extended"
    assert [p["path"] for p in emulator.requests("PATCH")] == [f"/tunes/{tune.remote_id}"]
    assert emulator.remote_tunes()[0]["auto_extend"] is True

    assert told(staff_client, TUNES, "extend_storage", tune) == [
        f"Nothing to do: the selected fine-tune is left alone (“{tune}”: already extended)."
    ]


def test_resubmit_sends_a_tune_whose_attempts_ran_out_again(staff_client, emulator, make_tune):
    tune = gave_up(make_tune)
    refused = make_tune(name="Refused")
    Tune.objects.filter(pk=refused.pk).update(status="failed", last_error="422")

    page = ask(staff_client, TUNES, "resubmit", tune, refused)
    assert "Astria could not be reached after 6 attempts" in page
    assert "Refused: only a job whose attempts to reach Astria ran out" in page

    confirm(staff_client, TUNES, "resubmit", tune)
    tune.refresh_from_db()
    assert (tune.status, tune.attempts, tune.last_error) == ("pending", 0, "")
    assert tune.posted_at is not None  # so the first attempt looks it up before posting
    assert queued_funcs() == ["tunes.tasks.submit_tune"]
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == "training"
    assert len(emulator.requests("POST", "/tunes")) == 1


def test_resubmit_sends_a_prompt_again(staff_client, make_tune, settings):
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status="trained", remote_id=77)
    prompt = add_prompt(tune, images=0)
    Prompt.objects.filter(pk=prompt.pk).update(
        status="failed", remote_id=None, attempts=5, last_error="HTTP 503"
    )
    settings.QUOTA_IMAGES_PER_MONTH = 100

    page = ask(staff_client, PROMPTS, "resubmit", prompt)
    assert "HTTP 503" in page
    confirm(staff_client, PROMPTS, "resubmit", prompt)
    prompt.refresh_from_db()
    assert (prompt.status, prompt.attempts) == ("pending", 0)
    assert queued_funcs() == ["prompts.tasks.submit_prompt"]


def test_resubmit_respects_the_owners_quota(staff_client, make_tune, settings):
    settings.QUOTA_TUNES_PER_MONTH = 0
    tune = gave_up(make_tune)
    messages = confirm(staff_client, TUNES, "resubmit", tune)
    assert "not sent" in messages[0]
    tune.refresh_from_db()
    assert tune.status == "failed"
    assert queued_funcs() == []


@pytest.mark.parametrize(
    "action",
    ["delete_everywhere", "purge_local_files", "refresh_from_astria", "extend_storage",
     "resubmit"],
)  # fmt: skip
def test_a_user_who_is_not_staff_cannot_reach_an_action(owner_client, make_tune, action):
    tune = gave_up(make_tune)
    for post in ("", "yes"):
        data = {"action": action, "_selected_action": [tune.pk], "post": post}
        response = owner_client.post(TUNES, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    tune.refresh_from_db()
    assert (tune.status, tune.auto_extend, tune.photos.count()) == ("failed", False, 4)
    assert queued_funcs() == []


def test_staff_who_may_only_view_tunes_get_no_actions(client, make_tune):
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_tune"))
    client.force_login(viewer)
    tune = gave_up(make_tune)
    page = client.get(TUNES).content.decode()
    assert "delete_everywhere" not in page
    client.post(TUNES, {"action": "resubmit", "_selected_action": [tune.pk], "post": "yes"})
    tune.refresh_from_db()
    assert tune.status == "failed"
