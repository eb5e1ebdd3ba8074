"""Fuzz the callback intake: whatever the body, a 2xx or 4xx, and nothing changes but
the receipts (and at most one refresh waiting), for tunes and prompts alike.

How many examples, and how long each may take, is the Hypothesis profile's
(tests/conftest.py: "ci" in CI).
"""

import json

import pytest
from django.conf import settings as django_settings
from django_q.models import OrmQ
from hypothesis import example, given, settings
from hypothesis import strategies as st

from astria_portal.callbacks import callback_url
from astria_portal.models import CallbackReceipt
from prompts.models import Prompt
from tests.helpers import queued_funcs
from tests.json_fuzzing import INT_MAX, bodies, content_types, nested
from tunes.models import Tune

pytestmark = pytest.mark.django_db

# Bookkeeping the intake itself keeps on the row.
BOOKKEEPING = ("callback_receipts", "refresh_waiting_since", "updated_at")

# The two bodies that answered 500, and their kin at the upload limit.
LIMIT = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
ODD = {
    "id above 2**63": b'{"tune":{"id":1180591620717411303424}}',
    "id below -2**63": b'{"tune":{"id":-9223372036854775809}}',
    "id as long text": b'{"prompt":{"id":"99999999999999999999999"}}',
    "id as a huge float": b'{"tune":{"id":1e300}}',
    "nested arrays": nested(100_000),
    "nested objects": nested(100_000, "{"),
    "nested at the limit": b"[" * LIMIT,
    "digits at the limit": b"7" * LIMIT,
    "a string at the limit": json.dumps("x" * (LIMIT - 2)).encode(),
}


def make_jobs(make_tune):
    tune = make_tune(photos=0, status=Tune.Status.TRAINING, remote_id=4242)
    prompt = Prompt.objects.create(
        tune=tune, text="a man", status=Prompt.Status.QUEUED, remote_id=77, remote_tune_id=4242
    )
    return {"tune": tune, "prompt": prompt}


@pytest.fixture(params=["tune", "prompt"])
def job(request, make_tune):
    return make_jobs(make_tune)[request.param]


@pytest.fixture
def jobs(make_tune):
    return make_jobs(make_tune)


@pytest.fixture
def urls(jobs):
    return {kind: url_of(job) for kind, job in jobs.items()}


def url_of(job):
    return callback_url(job.KIND, job).removeprefix("http://127.0.0.1:8000")


def state(job):
    """The row as the intake must leave it: all of it but the intake's own bookkeeping."""
    fields = [f.attname for f in job._meta.concrete_fields if f.name not in BOOKKEEPING]
    return type(job).objects.filter(pk=job.pk).values(*fields).get()


def assert_only_receipts_changed(jobs, before):
    assert {kind: state(job) for kind, job in jobs.items()} == before
    receipts = list(CallbackReceipt.objects.values_list("kind", "object_code", "remote_id"))
    owners = {(job.KIND, job.code) for job in jobs.values()}
    assert {receipt[:2] for receipt in receipts} <= owners
    for owner in owners:
        assert sum(receipt[:2] == owner for receipt in receipts) <= CallbackReceipt.PER_OBJECT
    assert all(receipt[2] is None or 0 < receipt[2] <= INT_MAX for receipt in receipts)
    queued = queued_funcs()
    assert all(queued.count(job.REFRESH_TASK) <= 1 for job in jobs.values())


@pytest.mark.parametrize("name", ODD)
def test_an_odd_body_is_received_and_changes_nothing_else(client, job, name):
    before = {job.KIND: state(job)}

    response = client.post(url_of(job), ODD[name], content_type="application/json")

    assert response.status_code == 204
    assert CallbackReceipt.objects.get().remote_id is None
    assert_only_receipts_changed({job.KIND: job}, before)


def test_a_body_over_the_limit_is_refused_and_stores_nothing(client, job):
    before = state(job)

    response = client.post(url_of(job), b"[" * (LIMIT + 1), content_type="application/json")

    assert response.status_code == 400
    assert not CallbackReceipt.objects.exists()
    assert OrmQ.objects.count() == 0
    assert state(job) == before


# Each example is a request and its checks, many times the work of an example in the
# other fuzz tests: a fifth of the profile's examples keeps to their time.
@settings(max_examples=max(20, settings.default.max_examples // 5))
@given(kind=st.sampled_from(["tune", "prompt"]), body=bodies, content_type=content_types)
@example(kind="tune", body=b'{"tune":{"id":4242}}', content_type="application/json")
@example(kind="prompt", body=nested(100_000), content_type="application/json")
def test_any_body_gets_a_2xx_or_4xx_and_changes_nothing_but_receipts(
    client, jobs, urls, kind, body, content_type
):
    before = {name: state(job) for name, job in jobs.items()}

    response = client.generic("POST", urls[kind], body, content_type=content_type)

    assert 200 <= response.status_code < 500
    assert_only_receipts_changed(jobs, before)
