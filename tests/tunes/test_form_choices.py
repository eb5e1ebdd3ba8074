"""What the new fine-tune form offers whom: test mode as a staff setting, and the limits
that stop a new tune said before anything is uploaded."""

import pytest

from astria_portal import throttle
from tests.helpers import photo_uploads
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def form_data(**fields):
    data = {"name": "Me", "class_name": "woman", "model_kind": "sd15", "photos": photo_uploads(4)}
    return {**data, **fields}


@pytest.mark.parametrize(
    "choice, owner_sees, staff_sees",
    [("staff", False, True), ("everyone", True, True), ("nobody", False, False)],
)
def test_who_sees_the_test_mode_choice(
    client, owner, staff, settings, choice, owner_sees, staff_sees
):
    settings.TEST_MODE_CHOICE = choice
    for user, sees in ((owner, owner_sees), (staff, staff_sees)):
        client.force_login(user)
        page = client.get("/tunes/new/").content.decode()
        assert ('name="test_mode"' in page) is sees
        assert "branch=fast" not in page


def test_who_cannot_choose_gets_the_portals_setting(owner_client, settings):
    settings.TEST_MODE_CHOICE = "staff"
    settings.ASTRIA_TEST_MODE = False
    owner_client.post("/tunes/new/", form_data(test_mode="on"))  # not theirs to choose
    assert Tune.objects.get().test_mode is False


def test_the_badge_shows_only_to_those_who_choose_and_never_in_demo_mode(
    client, owner, staff, make_tune, settings
):
    make_tune(user=staff)
    settings.TEST_MODE_CHOICE = "staff"
    settings.ASTRIA_DEMO = False
    client.force_login(staff)
    assert "badge-test" in client.get("/tunes/").content.decode()
    settings.ASTRIA_DEMO = True
    assert "badge-test" not in client.get("/tunes/").content.decode()


def test_the_daily_limit_is_said_on_the_form_and_create_is_disabled(owner_client, owner, settings):
    settings.TUNES_PER_DAY = 2
    page = owner_client.get("/tunes/new/").content.decode()
    assert "a day and have started them all" not in page
    throttle.take(throttle.TUNES, owner.id)
    throttle.take(throttle.TUNES, owner.id)
    page = owner_client.get("/tunes/new/").content.decode()
    assert "You can start 2 fine-tunes a day and have started them all today." in page
    assert '<button type="submit" class="btn" disabled' in page
