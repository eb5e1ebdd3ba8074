"""Values nobody can use, at the client boundary: ids and numbers that fit no database
integer, times out of range, bodies nested too deeply. An object without a usable id
is an InvalidResponse, an optional value out of range reads as missing, and nothing
raises an exception the callers do not expect."""

import pytest
import responses

from astria_portal.astria import (
    AstriaClient,
    AstriaError,
    InvalidCreateResponse,
    InvalidReadResponse,
    InvalidResponse,
    RetryLater,
    parse_account,
    parse_prompt,
    parse_tune,
    referenced_tune_id,
)

from .helpers import API_KEY

BASE = "https://api.astria.test"
BIG = 2**63  # one more than a BigIntegerField holds
DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture
def client():
    with AstriaClient(BASE, API_KEY) as client:
        yield client


@pytest.fixture
def mocked():
    with responses.RequestsMock() as rsps:
        yield rsps


def deeply_nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [BIG, -BIG - 1, 10**30, "99999999999999999999999", 1e300, "1e300", float("inf"), "1e999"],
)
@pytest.mark.parametrize("parse", [parse_tune, parse_prompt])
def test_an_id_no_database_integer_holds_is_invalid(parse, value):
    with pytest.raises(InvalidResponse):
        parse({"id": value})


def test_the_largest_id_a_database_holds_is_kept_exactly():
    assert parse_tune({"id": BIG - 1}).id == BIG - 1
    assert parse_tune({"id": str(BIG - 1)}).id == BIG - 1
    # Above 2**53 a float would round it to a neighbour's id.
    assert parse_prompt({"id": " 9007199254740993 "}).id == 9007199254740993


@pytest.mark.parametrize("value", [BIG, -BIG - 1, 10**30, "1e999", 1e300, 10**400])
def test_an_optional_number_out_of_range_reads_as_missing(value):
    tune = parse_tune({"id": 1, "base_tune_id": value, "steps": value, "cost_mc": value})
    prompt = parse_prompt({"id": 1, "tune_id": value, "seed": value, "w": value, "h": value})
    account = parse_account({"id": value, "usd_balance_mc": value})

    assert (tune.base_tune_id, tune.steps, tune.cost_mc) == (None, None, None)
    assert (prompt.tune_id, prompt.seed, prompt.w, prompt.h) == (None, None, None, None)
    assert (account.id, account.usd_balance_mc, account.balance_usd) == (None, None, None)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "-Infinity", "NaN", 10**400])
def test_a_float_that_is_not_finite_reads_as_missing(value):
    assert parse_prompt({"id": 1, "cfg_scale": value}).cfg_scale is None


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59Z"]
)
def test_a_time_out_of_range_reads_as_missing(text):
    tune = parse_tune({"id": 1, "eta": text, "trained_at": text, "created_at": text})
    prompt = parse_prompt({"id": 1, "trained_at": text, "started_training_at": text})

    assert (tune.eta, tune.trained_at, tune.expires_at, tune.created_at) == (None,) * 4
    assert (prompt.trained_at, prompt.started_training_at) == (None, None)


def test_an_adapter_tag_with_an_id_out_of_range_names_no_tune():
    prompt = parse_prompt({"id": 1, "tune_id": 690204, "text": f"<lora:{BIG}:1> a man"})

    assert prompt.user_tune_id == 690204
    assert referenced_tune_id("<faceid:" + "9" * 5000 + ":1> a man") is None


@pytest.mark.parametrize("parse", [parse_tune, parse_prompt, parse_account])
@pytest.mark.parametrize("text", [DEEP, '{"tune":' * 5000 + "1" + "}" * 5000])
def test_a_body_too_deep_to_parse_is_invalid(parse, text):
    with pytest.raises(InvalidResponse):
        parse(text)
    with pytest.raises(InvalidResponse):
        parse(text.encode())


def test_an_object_without_an_id_is_invalid_however_deep_its_fields():
    with pytest.raises(InvalidResponse):
        parse_tune({"title": "no id", "args": deeply_nested(5000)})


@pytest.mark.parametrize(
    "call",
    [lambda c: c.get_tune(1), lambda c: c.get_prompt(1, tune_id=1), lambda c: list(c.iter_tunes())],
)
def test_a_read_answered_too_deep_to_parse_is_retry_later(client, mocked, call):
    for path in ("/tunes/1", "/tunes/1/prompts/1", "/tunes"):
        mocked.get(f"{BASE}{path}", body=DEEP, content_type="application/json")
    mocked.assert_all_requests_are_fired = False

    with pytest.raises(InvalidReadResponse):
        call(client)


def test_a_create_answered_too_deep_to_parse_is_ambiguous(client, mocked):
    mocked.post(f"{BASE}/tunes", body=DEEP, status=201, content_type="application/json")

    with pytest.raises(InvalidCreateResponse):
        client.create_tune(title="t", name="man")


@pytest.mark.parametrize("depth", [25, 400, 1000])
def test_a_deep_error_body_still_gives_the_error_that_says_what_to_do(client, mocked, depth):
    body = "[" * depth + "]" * depth  # within the 2 KB kept of an error body
    mocked.get(f"{BASE}/tunes/1", body=body, status=500, content_type="application/json")

    with pytest.raises(AstriaError) as info:
        client.get_tune(1)

    assert isinstance(info.value, RetryLater)
    assert info.value.body == body
