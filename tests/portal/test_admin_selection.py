"""Every admin action, on every registered ModelAdmin, answers a hand-made selection that
names no object with a message instead of a server error, and changes nothing."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOT_NUMBERS = ["abc", "99999999999999999999", "1.5", ""]
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def actions_for(model, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return list(admin.site.get_model_admin(model).get_actions(request))


def bad_selections(model):
    """Values the model's primary key cannot hold (the task queue's are strings)."""
    pk = model._meta.pk
    if pk.get_internal_type() == "CharField":
        return ["x" * (pk.max_length + 1)]
    return NOT_NUMBERS


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_a_selection_that_names_no_object_gets_a_message(client, staff, model):
    client.force_login(staff)
    url = changelist(model)
    count = model._default_manager.count()
    for action in actions_for(model, staff):
        for value in bad_selections(model):
            # From the change list (index) and from a confirmation page (post=yes).
            for step in ({"index": "0"}, {"post": "yes"}):
                data = {"action": action, "_selected_action": [value], **step}
                response = client.post(url, data, follow=True)
                assert response.redirect_chain == [(url, 302)], (action, value, step)
                [message] = [str(m) for m in response.context["messages"]]
                assert message.startswith("Items must be selected in order to perform actions")
                assert message.endswith("No items have been changed.")
    assert model._default_manager.count() == count


def test_the_projects_own_actions_and_confirmation_pages_are_among_them(staff):
    names = {action for model in REGISTERED for action in actions_for(model, staff)}
    assert {"delete_everywhere", "purge_local_files", "refresh_from_astria", "extend_storage",
            "resubmit", "download_again", "delete_selected"} <= names  # fmt: skip


def test_the_registry_walked_holds_third_party_admins_too():
    labels = {model._meta.label for model in REGISTERED}
    assert {"auth.User", "auth.Group", "django_q.Success", "axes.AccessAttempt", "tunes.Tune",
            "prompts.Prompt", "prompts.GeneratedImage"} <= labels  # fmt: skip


def test_a_real_selection_still_reaches_the_confirmation_page(client, staff, make_tune):
    tune = make_tune(photos=0)
    client.force_login(staff)
    response = client.post(
        changelist(type(tune)), {"action": "delete_everywhere", "_selected_action": [tune.pk]}
    )
    assert response.status_code == 200
    assert "Delete 1 fine-tune on Astria and here?" in response.content.decode()
