"""What Astria charged for a tune or a prompt, kept on the job.

Real records carry ``cost_mc`` (millicents: 100,000 = $1; ASTRIA_API.md §0, a prompt's
already times its images). When an answer has none, the job is given the price-list
estimate (ASTRIA_TUNE_COST_MC, ASTRIA_IMAGE_COST_MC), marked as an estimate; a later
answer with the real figure replaces it. Test-mode (branch=fast) jobs cost nothing.
"""

from django.conf import settings


def estimate_mc(job, remote):
    # Failed work is not charged: real failed records say cost_mc 0.
    return 0 if remote.is_failed else job.price_list_mc()


def record(job, remote):
    if remote.cost_mc is not None:
        cost, estimated = remote.cost_mc, False
    elif job.astria_cost_mc is not None and not job.astria_cost_estimated:
        return  # a real figure is never replaced by an estimate
    else:
        cost, estimated = estimate_mc(job, remote), True
    if (job.astria_cost_mc, job.astria_cost_estimated) == (cost, estimated):
        return
    type(job).objects.filter(pk=job.pk).update(astria_cost_mc=cost, astria_cost_estimated=estimated)
    job.astria_cost_mc, job.astria_cost_estimated = cost, estimated


def tune_price_mc(test_mode):
    return 0 if test_mode else settings.ASTRIA_TUNE_COST_MC


def image_price_mc(test_mode, images):
    return 0 if test_mode else images * settings.ASTRIA_IMAGE_COST_MC
