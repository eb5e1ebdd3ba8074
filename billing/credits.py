"""The "credits" backend of astria_portal.quota (BILLING_MODE=credits).

quota.charge() and quota.give_back() come here with the job as item: a Tune is priced
by its model, a Prompt (or any job with num_images) by its images. The ledger entry
names the job by its code, so a failure gives back exactly what that job was charged.
"""

from billing import ledger
from billing.models import CreditEntry


def ref_of(item):
    return f"{item._meta.model_name}:{item.code}" if item is not None else ""


def cost(*, tunes=0, images=0, model_kind=None):
    return tunes * ledger.price_of_tune(model_kind) + images * ledger.price_of_image()


def _describe(item, tunes, images):
    if item is None:
        return f"{images} image{'s' if images != 1 else ''}" if images else "Fine-tune"
    if tunes:
        return f"Fine-tune “{item.name}”"
    return f"{images} image{'s' if images != 1 else ''}: {getattr(item, 'text', '')[:80]}"


def charge(user_id, *, tunes=0, images=0, item=None):
    credits = cost(tunes=tunes, images=images, model_kind=getattr(item, "model_kind", None))
    kind = CreditEntry.Kind.TUNE if tunes else CreditEntry.Kind.IMAGES
    ledger.spend(
        user_id, credits, kind, ref=ref_of(item), description=_describe(item, tunes, images)
    )


def give_back(user_id, *, tunes=0, images=0, item=None):
    if item is None:
        # Without the job its charge cannot be told apart: give back what it costs now.
        credits = cost(tunes=tunes, images=images)
        ledger.add(user_id, credits, CreditEntry.Kind.REFUND, description="Given back")
        return
    ledger.refund(user_id, ref_of(item))
