"""Sign-in with Google through a loopback stand-in for Google's OAuth server."""

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from django.contrib.auth.models import User

from tests.accounts.oauth_standin import OAuthStandIn
from tests.portal.test_settings import load_settings

pytestmark = pytest.mark.django_db
CLIENT_ID, SECRET = "portal-test.apps.googleusercontent.com", "test-secret"


@pytest.fixture
def google(settings, monkeypatch):
    with OAuthStandIn(client_id=CLIENT_ID, client_secret=SECRET,
                      issuer="https://accounts.google.com") as standin:  # fmt: skip
        settings.SOCIALACCOUNT_PROVIDERS = {
            "google": {"APPS": [{"client_id": CLIENT_ID, "secret": SECRET, "key": ""}],
                       "SCOPE": ["profile", "email"]},
        }  # fmt: skip
        # allauth reads the endpoints when it is imported: GOOGLE_OAUTH_URL sets them
        # for a server started with it (the browser test); here they are set afresh.
        monkeypatch.setattr(GoogleOAuth2Adapter, "authorize_url", f"{standin.base_url}/authorize")
        monkeypatch.setattr(GoogleOAuth2Adapter, "access_token_url", f"{standin.base_url}/token")
        yield standin


def sign_in_with_google(client):
    page = client.get("/accounts/google/login/")
    assert page.status_code == 200
    assert b'method="post"' in page.content  # no login on a plain GET
    to_google = client.post("/accounts/google/login/")
    assert to_google.status_code == 302
    back = requests.get(to_google["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    return client.get(back.headers["Location"].removeprefix("http://testserver"))


def test_a_new_person_signs_up_with_google_and_is_verified(client, google):
    response = sign_in_with_google(client)
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"
    user = User.objects.get(email="grace@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).uid == google.person["sub"]
    assert EmailAddress.objects.get(user=user).verified
    assert not user.has_usable_password()
    [token_request] = google.token_requests
    assert token_request["client_secret"] == SECRET


def test_the_login_page_offers_google_only_when_configured(client, settings, google):
    assert b"Continue with Google" in client.get("/accounts/login/").content
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert b"Continue with Google" not in client.get("/accounts/login/").content
    assert b"Continue with Google" not in client.get("/accounts/signup/").content
    assert client.get("/accounts/google/login/").status_code == 404


def test_an_existing_account_with_that_verified_address_is_signed_in(client, google, owner):
    google.person = {**google.person, "email": "alice@example.com"}
    response = sign_in_with_google(client)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert SocialAccount.objects.get().user == owner


def test_google_is_switched_on_by_environment_variables_alone(monkeypatch):
    assert "google" not in load_settings(monkeypatch)["SOCIALACCOUNT_PROVIDERS"]
    conf = load_settings(monkeypatch, GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret",
                         GOOGLE_OAUTH_URL="http://127.0.0.1:9/")  # fmt: skip
    google = conf["SOCIALACCOUNT_PROVIDERS"]["google"]
    assert google["APPS"] == [{"client_id": "id", "secret": "secret", "key": ""}]
    assert google["ACCESS_TOKEN_URL"] == "http://127.0.0.1:9/token"
    half = load_settings(monkeypatch, GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="")
    assert "google" not in half["SOCIALACCOUNT_PROVIDERS"]
