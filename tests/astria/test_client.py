"""The Astria client against a faked transport (``responses``): what it sends, how
it reads answers, and which exception each failure becomes."""

import logging
import socket
import sys
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from http.client import RemoteDisconnected

import pytest
import requests
import responses
import time_machine
from django.views.debug import ExceptionReporter
from responses import matchers
from urllib3.exceptions import (
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)

import astria_portal
from astria_portal.astria import (
    Ambiguous,
    AstriaClient,
    AstriaError,
    InvalidCreateResponse,
    InvalidReadResponse,
    InvalidResponse,
    NotFound,
    PermanentError,
    RemotePrompt,
    RetryLater,
    Unauthorized,
    faceid_tag,
    get_client,
    lora_tag,
    parse_prompt,
    parse_tune,
    referenced_tune_id,
)

from .helpers import API_KEY, jpeg, multipart_fields

BASE = "https://api.astria.test"

TUNE = {
    "id": 1350102,
    "title": "0f8e4b2a-uuid",
    "name": "woman",
    "is_api": True,
    "token": "ohwx",
    "eta": "2024-06-03T04:22:36.936Z",
    "callback": "https://portal.test/hooks/astria/tune/abc/?t=cb-token",
    "trained_at": "2024-06-03T04:20:10.556Z",
    "started_training_at": "2024-06-03T04:20:10.556Z",
    "expires_at": "2024-07-03T04:20:10.556Z",
    "created_at": "2024-06-03T04:20:11.151Z",
    "updated_at": "2024-06-03T04:20:11.160Z",
    "model_type": "faceid",
    "base_tune_id": 690204,
    "branch": "sd15",
    "args": None,
    "steps": None,
    "face_crop": False,
    "ckpt_url": None,
    "ckpt_urls": [],
    "url": "https://api.astria.ai/tunes/1350102.json",
    "orig_images": ["https://sdbooth2-production.s3.amazonaws.com/73rl5pgwgsctj5sm54gnwm4m9a5f"],
}

PROMPT = {
    "id": 17028371,
    "callback": "https://portal.test/hooks/astria/prompt/def/?t=cb-token",
    "text": "<lora:1661944:1> a man in a leather jacket",
    "negative_prompt": "",
    "cfg_scale": "3.0",
    "steps": 30,
    "seed": None,
    "trained_at": None,
    "started_training_at": None,
    "created_at": "2024-06-12T12:03:32.610Z",
    "updated_at": "2024-06-12T12:03:32.623Z",
    "tune_id": 1504944,
    "super_resolution": True,
    "ar": "1:1",
    "num_images": 1,
    "url": "https://api.astria.ai/tunes/1504944/prompts/17028371.json",
    "images": [],
}


@pytest.fixture
def client():
    with AstriaClient(BASE, API_KEY) as client:
        yield client


@pytest.fixture
def mocked():
    with responses.RequestsMock() as rsps:
        yield rsps


def tune(tune_id, **fields):
    return {**TUNE, "id": tune_id, **fields}


def prompt(prompt_id, **fields):
    return {**PROMPT, "id": prompt_id, **fields}


def raised(call):
    """Run ``call`` and return the AstriaError it raised."""
    with pytest.raises(AstriaError) as info:
        call()
    return info.value


# What is sent


def test_it_sends_auth_user_agent_accept_and_timeouts(client, mocked):
    mocked.get(f"{BASE}/tunes/1350102", json=TUNE)

    client.get_tune(1350102)

    request = mocked.calls[0].request
    assert request.method == "GET"
    assert request.url == f"{BASE}/tunes/1350102"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["User-Agent"] == "astria-portal/0.1.0"
    assert request.headers["Accept"] == "application/json"
    assert request.req_kwargs["timeout"] == (10, 45)


def test_user_agent_falls_back_to_dev_without_a_version(mocked, monkeypatch):
    monkeypatch.delattr(astria_portal, "__version__")
    mocked.get(f"{BASE}/tunes/1", json=tune(1))

    AstriaClient(BASE, API_KEY).get_tune(1)

    assert mocked.calls[0].request.headers["User-Agent"] == "astria-portal/dev"


def test_it_passes_a_custom_timeout_and_strips_a_trailing_slash(mocked):
    mocked.get(f"{BASE}/tunes/1", json=tune(1))

    AstriaClient(BASE + "/", API_KEY, timeout=(2, 0.5)).get_tune(1)

    assert mocked.calls[0].request.req_kwargs["timeout"] == (2, 0.5)


def test_create_tune_sends_rails_multipart_fields(client, mocked):
    mocked.post(f"{BASE}/tunes", json=tune(7), status=201)
    photo = jpeg()

    created = client.create_tune(
        title="uuid-1",
        name="man",
        images=[("a.jpg", photo, "image/jpeg"), ("b.jpg", photo, "image/jpeg")],
        image_urls=["https://img.test/1.jpg", "https://img.test/2.jpg"],
        callback="https://portal.test/hook?t=secret",
        branch="fast",
        base_tune_id=1504944,
        model_type="lora",
        face_crop=True,
        training_face_correct=False,
        characteristics={"eye_color": "blue eyes"},
        prompts=[
            {"num_images": 2, "text": "ohwx man", "super_resolution": True},
            {"text": "ohwx man in a suit"},
        ],
    )

    assert created.id == 7
    request = mocked.calls[0].request
    assert (request.method, request.url) == ("POST", f"{BASE}/tunes")
    assert multipart_fields(request) == [
        ("tune[title]", "uuid-1"),
        ("tune[name]", "man"),
        ("tune[callback]", "https://portal.test/hook?t=secret"),
        ("tune[branch]", "fast"),
        ("tune[base_tune_id]", "1504944"),
        ("tune[model_type]", "lora"),
        ("tune[face_crop]", "true"),
        ("tune[training_face_correct]", "false"),
        ("tune[characteristics][eye_color]", "blue eyes"),
        ("tune[image_urls][]", "https://img.test/1.jpg"),
        ("tune[image_urls][]", "https://img.test/2.jpg"),
        ("tune[images][]", ("a.jpg", photo, "image/jpeg")),
        ("tune[images][]", ("b.jpg", photo, "image/jpeg")),
        # text first in every hash, so Rails starts a new hash at each prompt
        ("tune[prompts_attributes][][text]", "ohwx man"),
        ("tune[prompts_attributes][][num_images]", "2"),
        ("tune[prompts_attributes][][super_resolution]", "true"),
        ("tune[prompts_attributes][][text]", "ohwx man in a suit"),
    ]


def test_create_tune_leaves_out_unset_fields(client, mocked):
    mocked.post(f"{BASE}/tunes", json=tune(7), status=201)

    client.create_tune(title="t", name="dog", image_urls=["https://img.test/1.jpg"])

    names = [name for name, _ in multipart_fields(mocked.calls[0].request)]
    assert names == ["tune[title]", "tune[name]", "tune[image_urls][]"]


def test_create_tune_accepts_a_file_object(client, mocked, tmp_path):
    mocked.post(f"{BASE}/tunes", json=tune(7), status=201)
    path = tmp_path / "face.jpg"
    path.write_bytes(jpeg("blue"))

    with path.open("rb") as fileobj:
        client.create_tune(title="t", name="man", images=[("face.jpg", fileobj, "image/jpeg")])

    fields = multipart_fields(mocked.calls[0].request)
    assert fields[-1] == ("tune[images][]", ("face.jpg", path.read_bytes(), "image/jpeg"))


def test_create_tune_refuses_a_prompt_without_text(client):
    with pytest.raises(ValueError, match="text"):
        client.create_tune(title="t", name="man", prompts=[{"num_images": 1}])


@pytest.mark.parametrize("status", [200, 201])
def test_create_tune_accepts_200_and_201(client, mocked, status):
    mocked.post(f"{BASE}/tunes", json=tune(7), status=status)

    assert client.create_tune(title="t", name="man").id == 7


def test_create_prompt_posts_prompt_fields_to_the_base_tune(client, mocked):
    mocked.post(f"{BASE}/tunes/1504944/prompts", json=PROMPT, status=201)

    created = client.create_prompt(
        1504944,
        text=f"{lora_tag(1661944)} a man in a leather jacket",
        callback="https://portal.test/hook?t=secret",
        num_images=4,
        cfg_scale=3.5,
        super_resolution=True,
        inpaint_faces=False,
        controlnet="pose",
    )

    request = mocked.calls[0].request
    assert (request.method, request.url) == ("POST", f"{BASE}/tunes/1504944/prompts")
    assert multipart_fields(request) == [
        ("prompt[text]", "<lora:1661944:1> a man in a leather jacket"),
        ("prompt[callback]", "https://portal.test/hook?t=secret"),
        ("prompt[num_images]", "4"),
        ("prompt[cfg_scale]", "3.5"),
        ("prompt[super_resolution]", "true"),
        ("prompt[inpaint_faces]", "false"),
        ("prompt[controlnet]", "pose"),
    ]
    assert created.id == 17028371
    assert created.tune_id == 1504944
    assert created.user_tune_id == 1661944


def test_create_prompt_takes_the_first_element_of_an_array_answer(client, mocked):
    mocked.post(f"{BASE}/tunes/1/prompts", json=[prompt(5), prompt(6)], status=201)

    assert client.create_prompt(1, text="ohwx man").id == 5


def test_update_tune_patches_tune_fields(client, mocked):
    mocked.patch(f"{BASE}/tunes/7", json=tune(7))

    client.update_tune(7, auto_extend=True, title="renamed")

    request = mocked.calls[0].request
    assert (request.method, request.url) == ("PATCH", f"{BASE}/tunes/7")
    assert multipart_fields(request) == [("tune[auto_extend]", "true"), ("tune[title]", "renamed")]


def test_delete_tune(client, mocked):
    mocked.delete(f"{BASE}/tunes/7", body="")

    assert client.delete_tune(7) is None

    assert mocked.calls[0].request.method == "DELETE"


@pytest.mark.parametrize(
    ("tune_id", "path"),
    [(None, "/prompts/9"), (3, "/tunes/3/prompts/9"), ("3", "/tunes/3/prompts/9")],
)
def test_prompt_paths_with_and_without_a_tune(client, mocked, tune_id, path):
    mocked.get(BASE + path, json=prompt(9))
    mocked.delete(BASE + path, json={"message": "Prompt successfully deleted"})

    assert client.get_prompt(9, tune_id=tune_id).id == 9
    client.delete_prompt(9, tune_id=tune_id)

    assert [(c.request.method, c.request.url) for c in mocked.calls] == [
        ("GET", BASE + path),
        ("DELETE", BASE + path),
    ]


def test_get_account_reads_the_balance(client, mocked):
    body = {"id": 1, "email": "ops@example.com", "usd_balance_mc": "1234500", "extra": 1}
    mocked.get(f"{BASE}/users", json=body)

    account = client.get_account()

    assert account.email == "ops@example.com"
    assert account.usd_balance_mc == 1_234_500
    assert account.balance_usd == Decimal("12.345")
    assert account.raw == body


# Pagination


def test_iter_tunes_pages_with_before_id_until_an_empty_page(client, mocked):
    page = {"limit": "2"}
    mocked.get(f"{BASE}/tunes", match=[matchers.query_param_matcher(page)], json=[tune(9), tune(8)])
    mocked.get(
        f"{BASE}/tunes",
        match=[matchers.query_param_matcher({**page, "before_id": "8"})],
        json=[tune(5)],
    )
    mocked.get(
        f"{BASE}/tunes", match=[matchers.query_param_matcher({**page, "before_id": "5"})], json=[]
    )

    assert [t.id for t in client.iter_tunes(page_size=2)] == [9, 8, 5]

    assert len(mocked.calls) == 3
    assert all("offset" not in c.request.url for c in mocked.calls)


def test_iter_tunes_is_lazy(client, mocked):
    mocked.get(f"{BASE}/tunes", json=[tune(9)])

    tunes = client.iter_tunes()
    assert len(mocked.calls) == 0
    assert next(tunes).id == 9
    assert len(mocked.calls) == 1


def test_iter_tunes_stops_if_the_server_ignores_the_cursor(client, mocked):
    mocked.get(f"{BASE}/tunes", json=[tune(9), tune(8)])

    tunes = client.iter_tunes(page_size=2)
    assert [next(tunes).id, next(tunes).id] == [9, 8]
    with pytest.raises(InvalidReadResponse, match="did not advance"):
        next(tunes)


def test_iter_prompts_of_a_tune_and_of_the_account(client, mocked):
    mocked.get(f"{BASE}/tunes/3/prompts", json=[prompt(12), prompt(11)])
    mocked.get(f"{BASE}/prompts", json=[prompt(20)])
    mocked.get(
        f"{BASE}/tunes/3/prompts",
        match=[matchers.query_param_matcher({"limit": "100", "before_id": "11"})],
        json=[],
    )
    mocked.get(
        f"{BASE}/prompts",
        match=[matchers.query_param_matcher({"limit": "100", "before_id": "20"})],
        json=[],
    )

    assert [p.id for p in client.iter_prompts(tune_id=3)] == [12, 11]
    assert [p.id for p in client.iter_prompts()] == [20]


@pytest.mark.parametrize("page_size", [0, 121])
def test_page_size_is_bounded_by_astrias_limit(client, page_size):
    with pytest.raises(ValueError):
        next(client.iter_tunes(page_size=page_size))


# Failures


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, PermanentError),
        (402, PermanentError),
        (422, PermanentError),
        (401, Unauthorized),
        (403, Unauthorized),
        (404, NotFound),
        (408, RetryLater),
        (429, RetryLater),
        (500, RetryLater),
        (502, RetryLater),
        (503, RetryLater),
        (504, Ambiguous),
    ],
)
def test_each_status_becomes_the_exception_that_says_what_to_do(client, mocked, status, cls):
    mocked.post(f"{BASE}/tunes", json={"error": f"went wrong {status}"}, status=status)

    error = raised(lambda: client.create_tune(title="t", name="man"))

    assert type(error) is cls
    assert error.status == status
    assert error.message == f"went wrong {status}"
    assert error.body == {"error": f"went wrong {status}"}
    assert (error.method, error.path) == ("POST", "/tunes")
    assert str(error) == f"POST /tunes: HTTP {status}: went wrong {status}"


def test_the_exception_families_do_not_overlap():
    assert issubclass(NotFound, PermanentError)
    assert issubclass(Unauthorized, PermanentError)
    for cls in (PermanentError, RetryLater, Ambiguous):
        assert issubclass(cls, AstriaError)
    assert not issubclass(RetryLater, (PermanentError, Ambiguous))
    assert not issubclass(Ambiguous, (PermanentError, RetryLater))


def test_a_422_carries_the_validation_body(client, mocked):
    body = {"error": "Prompt is not using a fine-tuned model"}
    mocked.post(f"{BASE}/tunes/1/prompts", json=body, status=422)

    error = raised(lambda: client.create_prompt(1, text="a man"))

    assert type(error) is PermanentError
    assert error.body == body
    assert error.message == "Prompt is not using a fine-tuned model"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "Insufficient funds"}, "Insufficient funds"),
        ({"error": "", "message": "fallback"}, "fallback"),
        (
            {"title": ["can't be blank"], "images": ["too few"]},
            "title can't be blank; images too few",
        ),
        ({"errors": {"name": ["is invalid"]}}, "name is invalid"),
        ({}, "Unprocessable Entity"),
    ],
)
def test_the_message_comes_from_error_then_message_then_a_field_map(client, mocked, body, message):
    mocked.post(f"{BASE}/tunes", json=body, status=422)

    assert raised(lambda: client.create_tune(title="t", name="man")).message == message


def test_an_html_error_page_gives_the_http_reason_and_a_short_body(client, mocked):
    html = "<html>" + "x" * 5000 + "</html>"
    mocked.get(f"{BASE}/tunes/1", body=html, status=502, content_type="text/html")

    error = raised(lambda: client.get_tune(1))

    assert type(error) is RetryLater
    assert error.message == "Bad Gateway"
    assert isinstance(error.body, str)
    assert error.body.startswith("<html>xxx")
    assert len(error.body) <= 2049


def test_a_429_reads_retry_after_in_seconds(client, mocked):
    mocked.get(f"{BASE}/tunes/1", status=429, json={}, headers={"Retry-After": "120"})

    error = raised(lambda: client.get_tune(1))

    assert type(error) is RetryLater
    assert error.retry_after == 120


def test_a_429_reads_retry_after_as_an_http_date(client, mocked):
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    mocked.get(f"{BASE}/tunes/1", status=429, json={}, headers={"Retry-After": header})

    with time_machine.travel(now, tick=False):
        error = raised(lambda: client.get_tune(1))

    assert error.retry_after == 90


@pytest.mark.parametrize("header", [None, "soon"])
def test_a_429_without_a_usable_retry_after_has_none(client, mocked, header):
    headers = {"Retry-After": header} if header else {}
    mocked.get(f"{BASE}/tunes/1", status=429, json={}, headers=headers)

    assert raised(lambda: client.get_tune(1)).retry_after is None


def test_a_500_has_no_retry_after_unless_sent(client, mocked):
    mocked.get(f"{BASE}/tunes/1", status=500, body="oops")

    error = raised(lambda: client.get_tune(1))

    assert (type(error), error.retry_after, error.body) == (RetryLater, None, "oops")


def _refused():
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111]")
    return requests.ConnectionError(MaxRetryError(None, BASE, reason=reason))


def _dns_failure():
    reason = NameResolutionError("api.astria.test", None, socket.gaierror(-2, "not known"))
    return requests.ConnectionError(MaxRetryError(None, BASE, reason=reason))


def _dropped():
    reason = RemoteDisconnected("Remote end closed connection without response")
    return requests.ConnectionError(ProtocolError("Connection aborted.", reason))


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (requests.ReadTimeout("Read timed out. (read timeout=45)"), Ambiguous),
        (requests.ConnectTimeout("Connection to api.astria.test timed out"), RetryLater),
        (_refused(), RetryLater),
        (_dns_failure(), RetryLater),
        (_dropped(), Ambiguous),
        (requests.exceptions.ChunkedEncodingError("Connection broken"), Ambiguous),
        (requests.exceptions.SSLError("handshake failed"), RetryLater),
    ],
)
def test_transport_failures_become_retry_later_or_ambiguous(client, mocked, exc, cls):
    mocked.post(f"{BASE}/tunes", body=exc)

    error = raised(lambda: client.create_tune(title="t", name="man"))

    assert type(error) is cls
    assert error.status is None
    assert type(exc).__name__ in error.message
    # Chained requests/urllib3 frames would show raw headers on a debug page.
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_a_real_refused_connection_is_retry_later():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AstriaClient(f"http://127.0.0.1:{port}", API_KEY, timeout=(2, 2))

    assert type(raised(client.get_account)) is RetryLater


def test_a_bad_base_url_is_permanent():
    assert type(raised(AstriaClient("api.astria.ai", API_KEY).get_account)) is PermanentError


# Garbled success


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"body": "<html>OK</html>", "content_type": "text/html"}, 201),
        ({"json": {"id": "abc", "title": "t"}}, 201),
        ({"json": {"tune": {"title": "no id"}}}, 200),
        ({"json": ["not", "a", "tune"]}, 201),
        ({"body": ""}, 201),
        ({"json": {}, "headers": {"Location": f"{BASE}/tunes/1"}}, 302),
    ],
)
def test_a_garbled_create_answer_is_ambiguous(client, mocked, kwargs, status):
    mocked.post(f"{BASE}/tunes", status=status, **kwargs)

    error = raised(lambda: client.create_tune(title="t", name="man"))

    assert isinstance(error, InvalidCreateResponse)
    assert isinstance(error, InvalidResponse)
    assert isinstance(error, Ambiguous)
    assert not isinstance(error, RetryLater)
    assert error.status == status


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_tune(1),
        lambda c: c.get_prompt(1),
        lambda c: c.update_tune(1, title="x"),
        lambda c: list(c.iter_tunes()),
    ],
)
def test_a_garbled_read_answer_is_retry_later(client, mocked, call):
    for method in (responses.GET, responses.PATCH):
        mocked.add(method, f"{BASE}/tunes/1", json={"oops": True})
    mocked.get(f"{BASE}/prompts/1", body="not json")
    mocked.get(f"{BASE}/tunes", json={"tunes": []})
    mocked.assert_all_requests_are_fired = False

    error = raised(lambda: call(client))

    assert isinstance(error, InvalidReadResponse)
    assert isinstance(error, RetryLater)
    assert not isinstance(error, Ambiguous)


# Tolerant parsing


def test_parse_tune_reads_the_documented_shape():
    parsed = parse_tune(TUNE)

    assert parsed.id == 1350102
    assert parsed.title == "0f8e4b2a-uuid"
    assert parsed.base_tune_id == 690204
    assert parsed.face_crop is False
    assert parsed.trained_at == datetime(2024, 6, 3, 4, 20, 10, 556000, tzinfo=UTC)
    assert parsed.expires_at == datetime(2024, 7, 3, 4, 20, 10, 556000, tzinfo=UTC)
    assert parsed.orig_images == tuple(TUNE["orig_images"])
    assert parsed.is_trained
    assert not parsed.is_failed
    assert parsed.raw == TUNE


def test_parse_tune_accepts_wrapped_and_bare_bodies_and_json_text():
    import json

    bare = parse_tune(TUNE)

    assert parse_tune({"tune": TUNE}) == bare
    assert parse_tune(json.dumps({"tune": TUNE}).encode()) == bare
    assert parse_tune(json.dumps(TUNE)) == bare


def test_parse_tune_accepts_numbers_as_strings_and_ignores_extra_fields():
    parsed = parse_tune(
        {"id": " 42 ", "base_tune_id": "1504944", "steps": "500", "face_crop": "true", "new": [1]}
    )

    assert (parsed.id, parsed.base_tune_id, parsed.steps, parsed.face_crop) == (
        42,
        1504944,
        500,
        True,
    )
    assert parsed.raw["new"] == [1]


def test_parse_tune_tolerates_missing_fields():
    parsed = parse_tune({"id": 5})

    assert parsed.title == ""
    assert parsed.name is None
    assert parsed.trained_at is None
    assert parsed.expires_at is None
    assert parsed.orig_images == ()
    assert not parsed.is_trained
    assert not parsed.is_expired()


@pytest.mark.parametrize("expires", ["missing", None])
def test_expires_at_falls_back_to_trained_at_plus_30_days(expires):
    data = {"id": 5, "trained_at": "2024-06-03T04:20:10Z"}
    if expires is None:
        data["expires_at"] = None

    parsed = parse_tune(data)

    assert parsed.expires_at == datetime(2024, 7, 3, 4, 20, 10, tzinfo=UTC)
    assert parsed.is_expired(now=datetime(2024, 7, 3, 4, 20, 11, tzinfo=UTC))
    assert not parsed.is_expired(now=datetime(2024, 7, 3, 4, 20, 9, tzinfo=UTC))


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-03T04:20:10.556Z",
        "2024-06-03T04:20:10.556000Z",
        "2024-06-03T04:20:10.556+00:00",
        "2024-06-03T06:20:10.556+02:00",
        "2024-06-03T04:20:10.556",
    ],
)
def test_timestamps_become_aware_utc(text):
    parsed = parse_tune({"id": 1, "created_at": text})

    assert parsed.created_at == datetime(2024, 6, 3, 4, 20, 10, 556000, tzinfo=UTC)
    assert parsed.created_at.utcoffset() == timedelta(0)


def test_timestamps_without_milliseconds_and_garbage():
    parsed = parse_tune({"id": 1, "created_at": "2024-06-03T04:20:10Z", "eta": "soon"})

    assert parsed.created_at == datetime(2024, 6, 3, 4, 20, 10, tzinfo=UTC)
    assert parsed.eta is None


def test_a_failed_tune():
    parsed = parse_tune({"id": 1, "trained_at": None, "user_error": "No faces found"})

    assert parsed.is_failed
    assert not parsed.is_trained


@pytest.mark.parametrize("data", [{"title": "no id"}, {"id": "abc"}, {"id": 0}, {"id": True}, []])
def test_parse_tune_rejects_a_body_without_an_integer_id(data):
    with pytest.raises(InvalidResponse):
        parse_tune(data)


def test_parse_tune_rejects_text_that_is_not_json():
    with pytest.raises(InvalidResponse):
        parse_tune(b"<html>")


def test_parse_prompt_reads_a_pending_prompt():
    parsed = parse_prompt({"prompt": PROMPT})

    assert isinstance(parsed, RemotePrompt)
    assert parsed.cfg_scale == 3.0
    assert parsed.tune_id == 1504944
    assert parsed.user_tune_id == 1661944
    assert parsed.images == ()
    assert not parsed.is_done
    assert not parsed.is_failed


def test_parse_prompt_done_and_failed():
    done = parse_prompt(
        prompt(1, trained_at="2024-06-12T12:04:00.000Z", images=["https://img.test/1.png"])
    )
    failed = parse_prompt(prompt(2, user_error="NSFW detected", images=[]))
    trained_without_images = parse_prompt(prompt(3, trained_at="2024-06-12T12:04:00.000Z"))

    assert done.is_done and not done.is_failed
    assert failed.is_failed and not failed.is_done
    assert not trained_without_images.is_done


def test_parse_prompt_with_string_numbers_and_no_adapter_tag():
    parsed = parse_prompt({"id": "17", "tune_id": "3", "num_images": "4", "text": "ohwx man"})

    assert (parsed.id, parsed.tune_id, parsed.num_images) == (17, 3, 4)
    assert parsed.user_tune_id == 3


def test_parsed_objects_are_frozen_and_hide_raw_from_repr():
    parsed = parse_tune(TUNE)

    with pytest.raises(AttributeError):
        parsed.id = 2
    assert "raw=" not in repr(parsed)
    assert hash(parsed) == hash(parse_tune({**TUNE, "unknown": 1}))


# LoRA / FaceID helpers


def test_adapter_tags():
    assert lora_tag(1661944) == "<lora:1661944:1>"
    assert lora_tag("1661944", weight=0.8) == "<lora:1661944:0.8>"
    assert faceid_tag(1360484) == "<faceid:1360484:1>"


@pytest.mark.parametrize(
    ("text", "tune_id"),
    [
        ("<lora:1661944:1.0> a man", 1661944),
        ("a photo of <faceid:1360484:1> in a suit", 1360484),
        ("ohwx man --ar 9:16", None),
        ("", None),
        (None, None),
    ],
)
def test_referenced_tune_id(text, tune_id):
    assert referenced_tune_id(text) == tune_id


# Settings


def test_get_client_reads_settings_at_call_time(settings, mocked):
    settings.ASTRIA_API_URL = "https://emulator.test/"
    settings.ASTRIA_API_KEY = "sd_from_settings"
    mocked.get("https://emulator.test/users", json={"id": 1})

    get_client().get_account()

    assert mocked.calls[0].request.headers["Authorization"] == "Bearer sd_from_settings"


def test_get_client_without_a_key_is_a_config_error(settings):
    settings.ASTRIA_API_KEY = ""

    with pytest.raises(Unauthorized, match="ASTRIA_API_KEY"):
        get_client()


# The key stays secret


def _every_failure(client, mocked):
    """Make one call per failure kind; return the exceptions raised."""
    errors = []
    for status in (400, 401, 404, 422, 429, 500, 504):
        mocked.get(f"{BASE}/tunes/{status}", status=status, json={"error": "no"})
        errors.append(raised(lambda s=status: client.get_tune(s)))
    for exc in (requests.ReadTimeout("read"), _refused(), _dropped()):
        mocked.get(f"{BASE}/tunes/1", body=exc)
        errors.append(raised(lambda: client.get_tune(1)))
        mocked.remove(responses.GET, f"{BASE}/tunes/1")
    mocked.post(f"{BASE}/tunes", body="garbled", status=201)
    errors.append(raised(lambda: client.create_tune(title="t", name="man")))
    return errors


def test_the_key_is_not_in_the_client_repr():
    client = AstriaClient(BASE, API_KEY)

    assert API_KEY not in repr(client)
    assert API_KEY not in str(client)
    assert API_KEY not in repr(vars(client))
    assert API_KEY not in repr(client.session.headers)


def test_the_key_is_in_no_exception(client, mocked):
    errors = _every_failure(client, mocked)

    assert len(errors) == 11
    for error in errors:
        for text in (str(error), repr(error), repr(error.args), repr(error.body), error.message):
            assert API_KEY not in text


def test_one_log_line_per_call_without_key_or_callback_secret(client, mocked, caplog):
    caplog.set_level(logging.INFO, logger="astria")
    mocked.post(f"{BASE}/tunes", json=tune(7), status=201)
    mocked.get(f"{BASE}/tunes", json=[])

    client.create_tune(title="t", name="man", callback="https://portal.test/h?t=cb-secret")
    list(client.iter_tunes())
    _every_failure(client, mocked)

    records = [r for r in caplog.records if r.name == "astria"]
    assert len(records) == 2 + 11
    assert records[0].levelno == logging.INFO
    assert records[0].getMessage().startswith("POST /tunes 201 ")
    assert records[0].getMessage().endswith("ms")
    assert any("ReadTimeout" in r.getMessage() for r in records)
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert "cb-secret" not in record.getMessage()


@pytest.fixture
def dropping_server():
    """A real server that reads one request and hangs up without answering."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    thread.join(timeout=2)


@pytest.mark.parametrize("debug", [True, False])
def test_the_key_is_not_on_djangos_error_page(settings, dropping_server, debug):
    settings.DEBUG = debug
    client = AstriaClient(dropping_server, API_KEY, timeout=(2, 2))

    def view():
        return client.get_tune(1)

    try:
        view()
    except Ambiguous:
        reporter = ExceptionReporter(None, *sys.exc_info())
        html = reporter.get_traceback_html()
        text = reporter.get_traceback_text()

    assert "Ambiguous" in html
    assert "key=********" in html
    assert API_KEY not in html
    assert API_KEY not in text
