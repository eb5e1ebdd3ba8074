"""Pages are compressed at a fast level, padded at random (Heal The Breach), and whole."""

import gzip
import re

import pytest

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def test_a_page_compressed_is_the_page(owner_client, make_tune):
    tune = make_tune(photos=1)
    plain = owner_client.get(tune.get_absolute_url())
    packed = owner_client.get(tune.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2
    unpacked = gzip.decompress(packed.content)
    assert TOKEN.sub(b"", unpacked) == TOKEN.sub(b"", plain.content)


def test_each_answer_is_padded_with_a_random_number_of_bytes(owner_client, make_tune):
    url = make_tune().get_absolute_url()
    answers = [owner_client.get(url, HTTP_ACCEPT_ENCODING="gzip") for _ in range(12)]
    assert all(answer.content[3] & gzip.FNAME for answer in answers)
    # The random bytes are the header's file name, up to its zero byte.
    paddings = {answer.content.index(b"\0", 10) - 10 for answer in answers}
    assert len(paddings) > 1 and max(paddings) < 100


def test_a_short_answer_is_left_alone(client):
    answer = client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in answer
