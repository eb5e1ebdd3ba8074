"""The Rails parameter parser and the body decoders, without a server."""

import json

import pytest
import requests

from astria_emulator.bodies import BadRequest, UploadedFile, parse_body
from astria_emulator.params import as_list, parse_pairs


def test_it_nests_bracketed_keys():
    params = parse_pairs([("tune[title]", "t"), ("tune[characteristics][eye_color]", "blue")])

    assert params == {"tune": {"title": "t", "characteristics": {"eye_color": "blue"}}}


def test_it_collects_repeated_array_keys():
    params = parse_pairs([("tune[image_urls][]", "u1"), ("tune[image_urls][]", "u2")])

    assert params == {"tune": {"image_urls": ["u1", "u2"]}}


def test_a_repeated_key_starts_a_new_hash_in_the_unindexed_form():
    params = parse_pairs(
        [
            ("tune[prompts_attributes][][text]", "one"),
            ("tune[prompts_attributes][][num_images]", "2"),
            ("tune[prompts_attributes][][text]", "two"),
            ("tune[prompts_attributes][][callback]", "https://x.test/?a=1"),
        ]
    )

    assert params["tune"]["prompts_attributes"] == [
        {"text": "one", "num_images": "2"},
        {"text": "two", "callback": "https://x.test/?a=1"},
    ]


def test_the_indexed_form_becomes_a_list_in_index_order():
    params = parse_pairs(
        [
            ("tune[prompts_attributes][1][text]", "second"),
            ("tune[prompts_attributes][0][text]", "first"),
            ("tune[prompts_attributes][10][text]", "eleventh"),
        ]
    )

    assert as_list(params["tune"]["prompts_attributes"]) == [
        {"text": "first"},
        {"text": "second"},
        {"text": "eleventh"},
    ]


def test_as_list_keeps_a_plain_hash_as_one_item():
    assert as_list({"text": "x"}) == [{"text": "x"}]
    assert as_list(None) == []


def test_multipart_bodies_keep_files_byte_for_byte():
    payload = bytes(range(256)) * 4 + b"\r\n--boundary-like\r\n\r\n"
    prepared = requests.Request(
        "POST",
        "http://emulator.test/tunes",
        data={"tune[title]": "Zoë", "tune[prompts_attributes][0][text]": "hi"},
        files=[("tune[images][]", ("a.jpg", payload, "image/jpeg"))],
    ).prepare()

    params = parse_body(prepared.headers["Content-Type"], prepared.body)

    upload = params["tune"]["images"][0]
    assert isinstance(upload, UploadedFile)
    assert (upload.filename, upload.content_type, upload.data) == ("a.jpg", "image/jpeg", payload)
    assert params["tune"]["title"] == "Zoë"
    assert params["tune"]["prompts_attributes"] == {"0": {"text": "hi"}}


def test_urlencoded_bodies_use_the_same_keys():
    body = b"prompt%5Btext%5D=a+cat&prompt%5Bsuper_resolution%5D=true"

    params = parse_body("application/x-www-form-urlencoded", body)

    assert params == {"prompt": {"text": "a cat", "super_resolution": "true"}}


def test_json_bodies_come_back_as_sent():
    body = json.dumps({"tune": {"title": "t", "image_urls": ["u"]}}).encode()

    assert parse_body("application/json; charset=utf-8", body) == {
        "tune": {"title": "t", "image_urls": ["u"]}
    }


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{not json"),
        ("application/json", b"[1, 2]"),
        ("text/plain", b"hello"),
    ],
)
def test_undecodable_bodies_are_bad_requests(content_type, body):
    with pytest.raises(BadRequest):
        parse_body(content_type, body)
