"""Send each e-mail at most once, even when the queue delivers its task twice.

django-q2 redelivers a task whose worker died before acknowledging it. The
row is inserted before sending (the insert is the claim), and removed again
if sending fails, so a later run may try. Every subject goes out as one clean line,
whatever user text (a tune's name) it was built from.
"""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from astria_portal import oneline
from astria_portal.models import SentNotice


def send_once(kind, code, subject, body, to):
    try:
        with transaction.atomic():
            notice = SentNotice.objects.create(kind=kind, object_code=code)
    except IntegrityError:
        return "already sent"
    try:
        send_mail(oneline.clean(subject), body, None, to)
    except Exception:
        notice.delete()
        raise
    return "sent"


def verified_address(user):
    """The user's primary address if it was verified, else None: notices go nowhere else."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary").first()
    return address.email if address else None
