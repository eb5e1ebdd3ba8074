from datetime import timedelta

from django.utils import timezone

from astria_portal.templatetags.moments import ago, from_now


def test_a_moment_is_said_in_words():
    now = timezone.now()
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=5, seconds=3), now) == "5\xa0minutes ago"
    assert from_now(now + timedelta(seconds=20), now) == "in under a minute"
    assert from_now(now - timedelta(minutes=3), now) == "any moment now"
    assert from_now(now + timedelta(minutes=12, seconds=30), now) == "in 12\xa0minutes"
    assert ago(None) == "" and from_now(None) == ""
