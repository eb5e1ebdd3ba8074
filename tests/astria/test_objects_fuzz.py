"""Fuzz the parsers at the client boundary: whatever JSON Astria answers, an object
whose values the database and the portal's date arithmetic can take, or an
InvalidResponse. How many examples is the Hypothesis profile's (tests/conftest.py)."""

import dataclasses
import json
import math
from datetime import datetime, timedelta

from hypothesis import example, given

from astria_portal.astria import InvalidResponse, parse_account, parse_prompt, parse_tune
from tests.json_fuzzing import INT_MAX, INT_MIN, astria_objects, json_values

PARSERS = (parse_tune, parse_prompt, parse_account)
# More than any retention period or grace the portal adds to a time it was sent.
HEADROOM = timedelta(days=100 * 365)


def assert_storable(parsed):
    values = [getattr(parsed, field.name) for field in dataclasses.fields(parsed)]
    if hasattr(parsed, "user_tune_id"):
        values.append(parsed.user_tune_id)
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            assert INT_MIN <= value <= INT_MAX
        elif isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, datetime):
            assert value.utcoffset() == timedelta(0)
            assert value + HEADROOM > value  # no OverflowError


@given(json_values | astria_objects)
@example({"tune": {"id": 1180591620717411303424}})
@example({"id": 1, "trained_at": "9999-12-31T23:59:59Z"})
@example({"id": "9007199254740993", "cfg_scale": float("nan"), "seed": 10**400})
def test_any_answer_parses_into_storable_values_or_is_invalid(value):
    for data in (value, json.dumps(value), json.dumps(value).encode()):
        for parse in PARSERS:
            try:
                parsed = parse(data)
            except InvalidResponse:
                continue
            assert_storable(parsed)
            if parse is not parse_account:
                assert parsed.id > 0
