"""The codes an authenticator app would show, computed with allauth's own TOTP helpers."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

PERIOD = 30


def code(secret, periods_ahead=0):
    """The code for now, or for a later period (a code is accepted only once)."""
    counter = int(time.time()) // PERIOD + periods_ahead
    return format_hotp_value(hotp_value(secret, counter))
