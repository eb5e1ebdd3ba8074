import pytest
from django.contrib.auth.models import User
from django.core.management import call_command


@pytest.mark.django_db
def test_the_landing_page_invites_visitors_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create a free account" in response.content
    assert b'href="/accounts/login/"' in response.content


def test_signed_in_users_go_straight_to_their_fine_tunes(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"


def test_the_tune_list_needs_a_login(client, db):
    response = client.get("/tunes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_page_shows_the_demo_notice_in_demo_mode(owner_client, settings):
    settings.ASTRIA_DEMO = True
    assert b"Demo: nothing here is charged." in owner_client.get("/tunes/").content
    settings.ASTRIA_DEMO = False
    assert b"nothing here is charged" not in owner_client.get("/tunes/").content


def test_the_account_menu_shows_the_user_and_a_logout_form(owner_client):
    content = owner_client.get("/tunes/").content.decode()
    assert "Signed in as <strong>alice</strong>" in content
    assert 'action="/accounts/logout/"' in content


def test_static_files_are_served_by_whitenoise(client, db):
    from django.conf import settings

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert "whitenoise.runserver_nostatic" in settings.INSTALLED_APPS


@pytest.mark.django_db
def test_prepare_run_creates_the_demo_accounts_in_demo_mode(settings, capsys):
    settings.ASTRIA_DEMO = True
    call_command("prepare_run")
    out, err = capsys.readouterr()
    assert out.split() == ["web", "worker", "emulator"]
    demo, staff = User.objects.get(username="demo"), User.objects.get(username="staff")
    assert demo.check_password("demo-portal-2026") and not demo.is_staff
    assert staff.check_password("staff-portal-2026") and staff.is_staff
    assert "demo / demo-portal-2026" in err


@pytest.mark.django_db
def test_prepare_run_never_creates_accounts_with_a_real_key(settings, capsys):
    settings.ASTRIA_DEMO = False
    call_command("prepare_run")
    out, err = capsys.readouterr()
    assert out.split() == ["web", "worker"]
    assert not User.objects.exists()
    assert "password" not in err.lower()


def test_a_missing_page_is_a_friendly_404_that_says_nothing_more(client, settings):
    settings.DEBUG = False
    response = client.get("/tunes/00000000-0000-0000-0000-000000000000/photos/x/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "This page does not exist, or it is not yours to see." in content
    assert 'rel="icon"' in content


def test_the_favicon_is_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
