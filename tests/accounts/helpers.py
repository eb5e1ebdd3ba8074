"""Helpers for the account tests: the links allauth e-mails, as a person would follow them."""

import re

from django.core import mail

LINK = re.compile(r"https?://[^/\s]+(/accounts/[^\s]+)")

SIGNUP = {
    "username": "dana",
    "email": "Dana@Example.com",
    "password1": "a-strong-passphrase-42",
    "password2": "a-strong-passphrase-42",
}


def link_in(message, part="/accounts/"):
    """The first portal link in an e-mail whose path contains part."""
    for path in LINK.findall(message.body):
        if part in path:
            return path
    raise AssertionError(f"no {part} link in: {message.body}")


def confirm_email(client, message):
    """Follow the verification link and press the confirm button, as in a browser."""
    path = link_in(message, "/accounts/confirm-email/")
    assert client.get(path).status_code == 200
    return client.post(path)


def outbox_to(address):
    return [
        message for message in mail.outbox if address.lower() in [a.lower() for a in message.to]
    ]
