"""Packs and inspection answers parsed tolerantly, from the docs' own samples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astria_portal.astria import (
    INSPECTION_FINDINGS,
    InvalidResponse,
    parse_inspection,
    parse_pack,
    read_characteristics,
)

# docs/api/2-pack/2-get.md, cut to two prompts a class.
DETAIL = {
    "id": 260,
    "slug": "corporate-headshots",
    "title": "Corporate Headshots",
    "cover_url": "https://sdbooth2-production.s3.amazonaws.com/2bcwnrw4tlwbk8nao4yy8lx1s9h3",
    "created_at": "2024-09-02T19:25:12.970Z",
    "updated_at": "2025-04-01T13:20:02.258Z",
    "public_at": "2025-02-16T17:13:02.204Z",
    "unlisted_at": None,
    "costs": {"woman": {"cost": 360, "num_images": 35}, "man": {"cost": 331, "num_images": 28}},
    "logo": None,
    "prompts_per_class": {
        "woman": [{"id": 18771572, "images": ["https://x/1"]}, {"id": 18757251, "images": []}],
        "man": [{"id": 20522328, "images": []}, {"id": 20522331, "images": []}],
    },
}
# docs/api/2-pack/1-list.md
SUMMARY = {
    "id": 5, "base_tune_id": 1, "user_id": 1, "slug": "test-rv5-1-pack",
    "title": "test rv5.1 pack", "token": "ohwx", "created_at": "2024-01-17T12:35:13.379Z",
    "updated_at": "2024-04-04T12:14:52.094Z", "multiplier": 10, "model_type": None,
    "public_at": None, "cost_mc_hash": {"man": 200000, "woman": 100000},
}  # fmt: skip
# docs/api/4-images/1-inspect.md
INSPECTED = {
    "age": "20 yo", "blurry": False, "ethnicity": "caucasian", "eye_color": "brown eyes",
    "facial_hair": "", "full_body_image_or_longshot": False, "funny_face": False,
    "glasses": "", "hair_color": "brunette", "hair_length": "medium hair",
    "hair_style": "wavy hair", "includes_multiple_people": False, "is_bald": "",
    "name": "woman", "selfie": True, "wearing_hat": False, "wearing_sunglasses": False,
}  # fmt: skip


def test_the_documented_pack_detail():
    pack = parse_pack(DETAIL)
    assert (pack.id, pack.slug, pack.title) == (260, "corporate-headshots", "Corporate Headshots")
    assert pack.class_names == ("woman", "man")
    assert (pack.num_images("woman"), pack.prompt_count("man")) == (35, 2)
    assert pack.num_images() == 35 and pack.unlisted_at is None


def test_the_documented_list_item_and_numbers_as_strings():
    pack = parse_pack({**SUMMARY, "id": "5", "base_tune_id": "1"})
    assert (pack.id, pack.base_tune_id, pack.model_type) == (5, 1, None)
    assert dict(pack.cost_mc) == {"man": 200000, "woman": 100000}
    assert pack.class_names == ("man", "woman") and pack.num_images() is None


def test_odd_pack_fields_read_as_missing_and_no_id_is_refused():
    pack = parse_pack({"id": 7, "costs": [1], "prompts_per_class": {"man": "x"}, "title": 3})
    assert pack.costs == () and pack.prompts == () and pack.title == "3"
    with pytest.raises(InvalidResponse):
        parse_pack({"slug": "no-id"})


def test_the_documented_inspection():
    found = parse_inspection(INSPECTED)
    assert found.findings == ("selfie",)
    assert dict(found.characteristics) == {
        "age": "20 yo",
        "ethnicity": "caucasian",
        "eye_color": "brown eyes",
        "hair_color": "brunette",
        "hair_length": "medium hair",
        "hair_style": "wavy hair",
    }
    assert parse_inspection({"blurry": "true", "glasses": "NONE"}).findings == ("blurry",)
    with pytest.raises(InvalidResponse):
        parse_inspection(["not", "an", "object"])


def test_characteristics_from_the_browser_keep_only_known_plain_values():
    text = '{"age": "30 yo", "eye_color": " blue   eyes ", "x": "y", "hair_color": "{{a}}"}'
    assert read_characteristics(text) == {"age": "30 yo", "eye_color": "blue eyes"}
    assert read_characteristics("[1]") == {} and read_characteristics("{oops") == {}
    assert read_characteristics('{"age": "' + "9" * 500 + '"}') == {"age": "9" * 60}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(sorted(DETAIL) + ["cost_mc_hash"]), json_values))
def test_any_pack_body_parses_or_is_refused_cleanly(body):
    try:
        pack = parse_pack(body)
    except InvalidResponse:
        return
    assert isinstance(pack.id, int) and pack.id > 0
    assert all(isinstance(name, str) for name in pack.class_names)
    assert pack.num_images() is None or isinstance(pack.num_images(), int)


@given(st.dictionaries(st.sampled_from(sorted(INSPECTED)), json_values))
def test_any_inspection_body_parses(body):
    found = parse_inspection(body)
    assert set(found.findings) <= set(INSPECTION_FINDINGS)
    assert all(isinstance(v, str) and 0 < len(v) <= 60 for _, v in found.characteristics)
