"""Fuzzing helpers for JSON: the odd values Astria's answers, or anyone holding a
callback token, may send. Hypothesis draws them, so a failure shrinks to a small,
replayable body; the budgets are the profile's in tests/conftest.py."""

import json

from hypothesis import strategies as st

INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what a BigIntegerField holds

# Numbers at and past every edge: 64-bit, 2**53 (where floats stop counting), 4300
# digits (where Python stops converting text), and the floats JSON text can say.
edge_ints = st.sampled_from(
    [0, -1, 1, 2**31, 2**53 + 1, INT_MAX, INT_MAX + 1, INT_MIN, INT_MIN - 1, 2**64, 10**30,
     10**4000]
)  # fmt: skip
numbers = st.one_of(st.integers(), edge_ints, st.floats())
numeric_text = st.one_of(
    numbers.map(str),
    st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", " 42 ", "4_2", "0x10", "9" * 5000]),
)
times = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.sampled_from(
        ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59Z",
         "2026-02-30T00:00:00Z", "soon", ""]
    ),
)  # fmt: skip
scalars = st.one_of(st.none(), st.booleans(), numbers, numeric_text, times, st.text(max_size=12))

# The fields the portal reads, so that the odd values land where they are parsed.
FIELDS = [
    "id", "tune", "prompt", "user", "title", "name", "tune_id", "base_tune_id", "steps",
    "cost_mc", "seed", "num_images", "w", "h", "cfg_scale", "face_crop", "super_resolution",
    "eta", "trained_at", "started_training_at", "expires_at", "created_at", "user_error",
    "text", "images", "orig_images", "ckpt_urls", "usd_balance_mc", "callback",
]  # fmt: skip
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=6))

json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=16,
)
# An object, bare or wrapped as Astria does, with the tag in a prompt's text at times.
objects = st.dictionaries(keys, st.one_of(scalars, json_values), max_size=6)
astria_objects = st.one_of(
    objects,
    st.builds(
        lambda root, body: {root: body}, st.sampled_from(["tune", "prompt", "user"]), objects
    ),
    st.builds(lambda n: {"id": 1, "text": f"<lora:{n}:1> a man"}, edge_ints),
)


def dumps(value):
    """JSON text as Python writes it: NaN and Infinity included, as JSON parsers accept."""
    return json.dumps(value).encode()


def nested(depth, kind="["):
    """A body nested depth levels deep: arrays, or objects around a number."""
    if kind == "[":
        return b"[" * depth + b"]" * depth
    return b'{"tune":' * depth + b"1" + b"}" * depth


deep_bodies = st.builds(
    nested, st.one_of(st.integers(1, 2000), st.integers(1, 100_000)), st.sampled_from("[{")
)
bodies = st.one_of(
    st.one_of(json_values, astria_objects).map(dumps),
    deep_bodies,
    st.binary(max_size=512),  # not JSON, not UTF-8
    st.text(max_size=64).map(str.encode),
    st.sampled_from([b"", b"null", b"[]", b"{}", b'"tune"', b"NaN", b"-Infinity", b"1e999",
                     b"9" * 5000, b"\xff\xfe{}", b"\xef\xbb\xbf{}", b'{"tune":{"id":1}'])
)  # fmt: skip
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-16", "text/plain", "",
     "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
     "multipart/form-data"]
)  # fmt: skip
