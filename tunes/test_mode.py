"""Test mode (Astria's free mock training) is a staff setting, not an end user's word.

TEST_MODE_CHOICE says who sees the checkbox on the new fine-tune form; everyone else
gets ASTRIA_TEST_MODE without being asked. The "Test mode" badge is shown only to
those who could choose it, and never in demo mode, where nothing is charged anyway.
"""

from django.conf import settings


def may_choose(user):
    choice = settings.TEST_MODE_CHOICE
    return choice == "everyone" or (choice == "staff" and user.is_staff)


def badge_shown(user):
    return may_choose(user) and not settings.ASTRIA_DEMO
